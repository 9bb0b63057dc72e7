import { SwitchboardError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/types.js';

/**
 * REST credentials. Twilio takes HTTP Basic with either the account SID and
 * its Auth Token, or an API key SID (SK…) and its secret; give one pair.
 * Webhooks are still signed with the Auth Token, so `authTokens` is needed
 * for verification even when replies use an API key.
 */
export interface TwilioRestOptions {
  /** AC…; required with `authToken`, optional with an API key. */
  accountSid?: string;
  authToken?: string;
  /** SK… */
  apiKeySid?: string;
  apiKeySecret?: string;
  /** Default https://conversations.twilio.com (tests point it at 127.0.0.1). */
  baseUrl?: string;
  /** Per HTTP call. Default 10 000 ms. */
  timeoutMs?: number;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** A message to post into a conversation (Conversation Message resource, form fields in camelCase). */
export interface TwilioOutboundMessage {
  /** ≤1 600 characters. */
  body?: string;
  /** Default: Twilio's `system`, or the router's `botIdentity` when sent through `ctx.reply()`. */
  author?: string;
  /** A JSON string, or an object we stringify. */
  attributes?: string | Record<string, unknown>;
  /** ME…, uploaded through the Media Content Service. */
  mediaSid?: string;
  /** HX… content template; Twilio then ignores body and mediaSid. */
  contentSid?: string;
  contentVariables?: string | Record<string, unknown>;
  /** ≤256 characters (group MMS). */
  subject?: string;
  /** ISO 8601, when importing history. */
  dateCreated?: string;
}

export interface TwilioRequestOptions {
  signal?: AbortSignal;
  /** IS…: use the service-scoped path, needed for conversations outside the default service. */
  serviceSid?: string;
  /**
   * Sends `X-Twilio-Webhook-Enabled: true` so post-action webhooks fire for
   * this REST action. Off by default: REST actions firing webhooks is how
   * reply loops start.
   */
  webhookEnabled?: boolean;
}

/** The created message as Twilio returns it (201), with the fields we use named. */
export interface TwilioMessageResource {
  /** IM… */
  sid: string;
  conversationSid?: string;
  index?: number;
  author?: string;
  body?: string | null;
  attributes?: string;
  participantSid?: string | null;
  dateCreated?: string;
  /** The full JSON resource. */
  raw: Record<string, unknown>;
}

export interface TwilioConversationUpdate {
  /** `closed` is final: Twilio refuses later updates (error 50377). */
  state?: 'active' | 'inactive' | 'closed';
  friendlyName?: string;
  uniqueName?: string;
  attributes?: string | Record<string, unknown>;
  /** ISO 8601 durations, e.g. `PT10M`; minimum 1 minute / 10 minutes. */
  timersInactive?: string;
  timersClosed?: string;
}

const DEFAULT_BASE_URL = 'https://conversations.twilio.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const EXCERPT_MAX = 300;

/** Posts to the Conversations REST API; one per process is plenty (it keeps no state but credentials). */
export class TwilioConversationsClient {
  readonly #base: string;
  readonly #basicAuth: string;
  readonly #username: string;
  readonly #secret: string;
  readonly #usingBaseUrl: boolean;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #log: Logger;

  constructor(opts: TwilioRestOptions, deps: { logger?: Logger } = {}) {
    const usesKey = opts.apiKeySid !== undefined || opts.apiKeySecret !== undefined;
    const usesToken = opts.authToken !== undefined;
    if (usesKey === usesToken) {
      throw new SwitchboardError(
        'misconfigured',
        'Twilio REST client: give exactly one credential pair in rest: { accountSid, authToken } or { apiKeySid, apiKeySecret } (Console → Account → API keys & tokens).',
      );
    }
    const [username, secret, names] = usesKey
      ? [opts.apiKeySid, opts.apiKeySecret, ['apiKeySid', 'apiKeySecret']]
      : [opts.accountSid, opts.authToken, ['accountSid', 'authToken']];
    if (typeof username !== 'string' || username.trim() === '' || typeof secret !== 'string' || secret === '') {
      throw new SwitchboardError('misconfigured', `Twilio REST client: rest.${names[0]} and rest.${names[1]} must both be non-empty strings.`);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new SwitchboardError('misconfigured', `Twilio REST client: rest.timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)}).`);
    }
    const fetchImpl = opts.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new SwitchboardError('misconfigured', 'Twilio REST client: no fetch implementation available; pass rest.fetch or run on Node 20+.');
    }
    this.#base = checkUrl(opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#username = username;
    this.#secret = secret;
    this.#basicAuth = Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
    this.#usingBaseUrl = opts.baseUrl !== undefined;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl;
    this.#log = deps.logger ?? silentLogger;
  }

  /** `POST /v1/Conversations/{sid}/Messages` (or the service-scoped path). */
  async sendMessage(conversationSid: string, message: TwilioOutboundMessage, opts: TwilioRequestOptions = {}): Promise<TwilioMessageResource> {
    if (message.body === undefined && message.mediaSid === undefined && message.contentSid === undefined) {
      throw new SwitchboardError('misconfigured', 'A Twilio message needs a body, a mediaSid or a contentSid.');
    }
    const form = compactForm({
      Author: message.author,
      Body: message.body,
      Attributes: jsonString(message.attributes),
      MediaSid: message.mediaSid,
      ContentSid: message.contentSid,
      ContentVariables: jsonString(message.contentVariables),
      Subject: message.subject,
      DateCreated: message.dateCreated,
    });
    const parsed = await this.#post(`${this.#conversationPath(conversationSid, opts.serviceSid)}/Messages`, form, opts, 'send the message');
    if (typeof parsed['sid'] !== 'string') {
      throw new SwitchboardError('reply_failed', 'Twilio accepted the message but its response has no sid; is rest.baseUrl pointing at the Conversations API?');
    }
    const index = parsed['index'];
    return {
      sid: parsed['sid'],
      ...(typeof parsed['conversation_sid'] === 'string' ? { conversationSid: parsed['conversation_sid'] } : {}),
      ...(typeof index === 'number' ? { index } : {}),
      ...(typeof parsed['author'] === 'string' ? { author: parsed['author'] } : {}),
      ...(typeof parsed['body'] === 'string' || parsed['body'] === null ? { body: parsed['body'] as string | null } : {}),
      ...(typeof parsed['attributes'] === 'string' ? { attributes: parsed['attributes'] } : {}),
      ...(typeof parsed['participant_sid'] === 'string' || parsed['participant_sid'] === null ? { participantSid: parsed['participant_sid'] as string | null } : {}),
      ...(typeof parsed['date_created'] === 'string' ? { dateCreated: parsed['date_created'] } : {}),
      raw: parsed,
    };
  }

  /** `POST /v1/Conversations/{sid}`: change state (e.g. close), name, attributes or timers. */
  async updateConversation(conversationSid: string, update: TwilioConversationUpdate, opts: TwilioRequestOptions = {}): Promise<Record<string, unknown>> {
    const form = compactForm({
      State: update.state,
      FriendlyName: update.friendlyName,
      UniqueName: update.uniqueName,
      Attributes: jsonString(update.attributes),
      'Timers.Inactive': update.timersInactive,
      'Timers.Closed': update.timersClosed,
    });
    return this.#post(this.#conversationPath(conversationSid, opts.serviceSid), form, opts, 'update the conversation');
  }

  #conversationPath(conversationSid: string, serviceSid: string | undefined): string {
    if (typeof conversationSid !== 'string' || conversationSid === '') {
      throw new SwitchboardError('misconfigured', 'A Twilio conversation SID (CH…) or unique name is required.');
    }
    const conversation = `/Conversations/${encodeURIComponent(conversationSid)}`;
    return serviceSid ? `/v1/Services/${encodeURIComponent(serviceSid)}${conversation}` : `/v1${conversation}`;
  }

  async #post(path: string, form: URLSearchParams, opts: TwilioRequestOptions, what: string): Promise<Record<string, unknown>> {
    opts.signal?.throwIfAborted();
    const headers: Record<string, string> = {
      authorization: `Basic ${this.#basicAuth}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (opts.webhookEnabled !== undefined) headers['x-twilio-webhook-enabled'] = String(opts.webhookEnabled);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(`${this.#base}${path}`, { method: 'POST', headers, body: form.toString(), signal });
      // Read inside the try: the timeout also covers a body that trickles in.
      text = await res.text();
    } catch (err) {
      throw this.#networkError(err, timeout, opts.signal);
    }
    if (!res.ok) throw this.#httpError(res.status, text, what);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new SwitchboardError('reply_failed', `Twilio answered HTTP ${res.status} with a body that is not a JSON object; check rest.baseUrl (body: ${this.#excerpt(text)}).`, {
      details: { status: res.status },
    });
  }

  #networkError(err: unknown, timeout: AbortSignal, signal: AbortSignal | undefined): unknown {
    // The caller chose to stop; hand back its own reason, as fetch itself would.
    if (signal?.aborted) return signal.reason;
    if (timeout.aborted || (err instanceof Error && err.name === 'TimeoutError')) {
      return new SwitchboardError('reply_failed', `Timed out after ${this.#timeoutMs} ms waiting for the Twilio Conversations API; raise rest.timeoutMs or check outbound connectivity.`, {
        details: { timeoutMs: this.#timeoutMs },
      });
    }
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return new SwitchboardError('reply_failed', `Could not reach the Twilio Conversations API (${this.#excerpt(cause)}); check ${this.#usingBaseUrl ? 'rest.baseUrl' : 'outbound network access to conversations.twilio.com'}.`);
  }

  /** Twilio errors are JSON `{ code, message, more_info, status }`; the code is what Twilio's docs index. */
  #httpError(status: number, text: string, what: string): SwitchboardError {
    let detail = this.#excerpt(text);
    let code: number | undefined;
    try {
      const parsed = JSON.parse(text) as { code?: unknown; message?: unknown };
      if (typeof parsed.code === 'number') code = parsed.code;
      if (typeof parsed.message === 'string') detail = `${code !== undefined ? `Twilio error ${code}: ` : ''}${this.#excerpt(parsed.message)}`;
    } catch {
      // not JSON: keep the excerpt
    }
    let advice: string;
    switch (status) {
      case 400:
        advice = `Twilio refused to ${what} as invalid: check the fields (body ≤1600 characters, attributes valid JSON)`;
        break;
      case 401:
        advice = `Twilio rejected the credentials of ${this.#username}: check rest.accountSid/rest.authToken or rest.apiKeySid/rest.apiKeySecret`;
        break;
      case 403:
        advice = `Twilio did not allow ${this.#username} to ${what}: the API key may lack permission, or the conversation belongs to another account`;
        break;
      case 404:
        advice = `Twilio could not find the conversation: check its SID, and pass serviceSid for conversations outside the default Conversations service`;
        break;
      case 429:
        advice = `Twilio rate-limited the request: slow down or ask Twilio to raise the limit`;
        break;
      default:
        advice = status >= 500 ? `Twilio failed to ${what}: a transient Twilio error; retry later` : `Twilio refused to ${what}`;
    }
    this.#log.debug({ provider: 'twilio-conversations', status, code }, 'switchboard: Twilio REST call failed');
    return new SwitchboardError('reply_failed', `${advice} (HTTP ${status}; ${detail}).`, { details: { status, ...(code !== undefined ? { twilioCode: code } : {}) } });
  }

  /**
   * Bounded, single-line, and scrubbed: a misbehaving proxy may echo the
   * Authorization header back, and error messages end up in logs.
   */
  #excerpt(text: string): string {
    let s = text;
    for (const secret of [this.#secret, this.#basicAuth]) s = s.split(secret).join('[redacted]');
    s = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
    if (s === '') return '(empty)';
    return s.length > EXCERPT_MAX ? `${s.slice(0, EXCERPT_MAX)}…` : s;
  }
}

function checkUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    return value;
  } catch {
    throw new SwitchboardError('misconfigured', `Twilio REST client: rest.baseUrl must be an absolute http(s) URL (got ${JSON.stringify(value)}).`);
  }
}

function jsonString(value: string | Record<string, unknown> | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : JSON.stringify(value);
}

function compactForm(fields: Record<string, string | undefined>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
  return form;
}
