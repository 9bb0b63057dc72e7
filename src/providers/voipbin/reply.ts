import { SwitchboardError } from '../../core/errors.js';
import type { VoipbinMessage } from '../../../schemas/voipbin/index.js';

export interface VoipbinRestOptions {
  /** An access key (GET /v1.0/accesskeys) or a login token. */
  token: string;
  /** Default https://api.voipbin.net; tests point it at 127.0.0.1. */
  baseUrl?: string;
  /** Per call, default 10 000 ms. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface VoipbinOutgoingMedia {
  type?: string;
  url?: string;
  filename?: string;
  [key: string]: unknown;
}

const EXCERPT = 300;

export class VoipbinClient {
  readonly #token: string;
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: VoipbinRestOptions) {
    if (typeof opts?.token !== 'string' || opts.token.trim() === '') {
      throw new SwitchboardError('misconfigured', 'VoIPBIN REST client: rest.token is required (an access key from GET /v1.0/accesskeys).');
    }
    const base = opts.baseUrl ?? 'https://api.voipbin.net';
    try {
      new URL(base);
    } catch {
      throw new SwitchboardError('misconfigured', `VoIPBIN REST client: rest.baseUrl ${JSON.stringify(base)} is not a URL.`);
    }
    this.#token = opts.token;
    this.#base = base.replace(/\/+$/, '');
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  /** `POST /v1.0/conversations/{id}/messages`; VoIPBIN picks the channel of the conversation. */
  async sendMessage(conversationId: string, body: { text: string; medias?: VoipbinOutgoingMedia[] }, opts: { signal?: AbortSignal } = {}): Promise<VoipbinMessage> {
    const url = `${this.#base}/v1.0/conversations/${encodeURIComponent(conversationId)}/messages?token=${encodeURIComponent(this.#token)}`;
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ text: body.text, medias: body.medias ?? [] }),
        signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      // The URL carries the token, so only the host goes into the message.
      throw new SwitchboardError('reply_failed', `VoIPBIN at ${new URL(this.#base).host} could not be reached (${this.#redact((err as Error).message)}); check rest.baseUrl and the network.`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) {
      const hint =
        res.status === 401 || res.status === 403
          ? 'VoIPBIN refused the token: check voipbin.rest.token (an access key with permission to send).'
          : res.status === 404
            ? `conversation ${conversationId} does not exist for this customer.`
            : 'see VoIPBIN\'s answer.';
      throw new SwitchboardError('reply_failed', `VoIPBIN answered ${res.status} to the reply: ${hint} Body: ${this.#redact(text).slice(0, EXCERPT)}`);
    }
    try {
      return JSON.parse(text) as VoipbinMessage;
    } catch {
      throw new SwitchboardError('reply_failed', `VoIPBIN answered ${res.status} with a body that is not JSON: ${this.#redact(text).slice(0, EXCERPT)}`);
    }
  }

  #redact(text: string): string {
    return text.split(this.#token).join('[redacted]').split(encodeURIComponent(this.#token)).join('[redacted]');
  }
}
