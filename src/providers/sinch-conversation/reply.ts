import { SwitchboardError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/types.js';

// ---------------------------------------------------------------------------
// Request types (Sinch NODE SDK `send-message-request.ts`, loosened where the
// rich message shapes are large and channel-specific).
// ---------------------------------------------------------------------------

export interface ChannelIdentity {
  channel: string;
  identity: string;
  /** Required for app-scoped channels (MESSENGER, INSTAGRAM, LINE, WECHAT). */
  app_id?: string;
}

export type Recipient =
  | { contact_id: string }
  | { identified_by: { channel_identities: ChannelIdentity[] } };

/** Open-ended on purpose: Sinch adds fields to rich messages more often than we release. */
type Loose = { [key: string]: unknown };

export interface TextMessage { text: string }
export interface MediaMessage { url: string; thumbnail_url?: string; filename_override?: string }
export interface ChoiceMessage extends Loose { choices: Loose[]; text_message?: TextMessage }
export interface CardMessage extends Loose { title?: string; description?: string; media_message?: MediaMessage; choices?: Loose[] }
export interface CarouselMessage extends Loose { cards: CardMessage[]; choices?: Loose[] }
export interface ListMessage extends Loose { title: string; sections: Loose[]; description?: string }
export interface LocationMessage extends Loose { coordinates: { latitude: number; longitude: number }; title: string; label?: string }
export interface ContactInfoMessage extends Loose { name: Loose; phone_numbers: Loose[] }
export interface TemplateMessage extends Loose { omni_template?: Loose; channel_template?: Record<string, Loose> }

export interface AppMessageKinds {
  text_message: TextMessage;
  media_message: MediaMessage;
  choice_message: ChoiceMessage;
  card_message: CardMessage;
  carousel_message: CarouselMessage;
  list_message: ListMessage;
  location_message: LocationMessage;
  contact_info_message: ContactInfoMessage;
  template_message: TemplateMessage;
}

export type AppMessageKind = keyof AppMessageKinds;

/** Sinch rejects a message carrying two kinds; encode "exactly one" so the compiler catches it. */
type ExactlyOne<T> = {
  [K in keyof T]: { [P in K]: T[P] } & { [P in Exclude<keyof T, K>]?: never };
}[keyof T];

export interface AppMessageExtras {
  explicit_channel_message?: Record<string, string>;
  explicit_channel_omni_message?: Loose;
  channel_specific_message?: Loose;
  agent?: { display_name?: string; type?: string; picture_url?: string } & Loose;
}

export type AppMessage = ExactlyOne<AppMessageKinds> & AppMessageExtras;

export interface SendMessageRequest {
  app_id: string;
  recipient: Recipient;
  message: AppMessage;
  channel_priority_order?: string[];
  channel_properties?: Record<string, string>;
  /** ≤1024 chars; echoed as `metadata` in delivery reports. */
  message_metadata?: string;
  conversation_metadata?: Record<string, unknown>;
  callback_url?: string;
  /** ≤128 chars. */
  correlation_id?: string;
  /** e.g. "10s". */
  ttl?: string;
  processing_strategy?: string;
  queue?: string;
  message_content_type?: string;
}

export interface SendMessageResponse {
  accepted_time: string;
  message_id: string;
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

export type SinchRegion = 'us' | 'eu' | 'br';

export interface SinchRestOptions {
  projectId: string;
  keyId: string;
  keySecret: string;
  /** Must match the app's region; a mismatch surfaces as 404. Default 'us'. */
  region?: SinchRegion;
  /** Overrides `region` (tests point it at 127.0.0.1). */
  baseUrl?: string;
  /** Default https://auth.sinch.com/oauth2/token (global: access keys work in every region). */
  authUrl?: string;
  /** Per HTTP call. Default 10_000. */
  timeoutMs?: number;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export interface SinchClientDeps {
  now?: () => number;
  logger?: Logger;
  /**
   * @internal Base delay of the token-endpoint 429 backoff (default 1000 ms).
   * Exposed only so tests don't sleep for seconds.
   */
  tokenRetryBaseMs?: number;
  /** @internal Source of jitter in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

const REGIONS: readonly SinchRegion[] = ['us', 'eu', 'br'];
const DEFAULT_AUTH_URL = 'https://auth.sinch.com/oauth2/token';
const DEFAULT_TIMEOUT_MS = 10_000;
// Same policy as the Sinch NODE SDK: the auth server is a token bucket with no Retry-After.
const TOKEN_TRIES = 3;
const TOKEN_BACKOFF_FACTOR = 4;
const REFRESH_MARGIN_MS = 60_000;
const EXCERPT_MAX = 300;

interface CachedToken {
  token: string;
  /** Epoch ms (injected clock) after which we stop using it. */
  refreshAt: number;
}

export class SinchConversationClient {
  readonly #projectId: string;
  readonly #keyId: string;
  readonly #keySecret: string;
  readonly #basicAuth: string;
  readonly #sendUrl: string;
  readonly #authUrl: string;
  readonly #usingBaseUrl: boolean;
  readonly #region: SinchRegion;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #retryBaseMs: number;
  readonly #random: () => number;

  #cached: CachedToken | undefined;
  #inflight: Promise<CachedToken> | undefined;
  /** Every token we have held, so a provider echoing one back never reaches an error message. */
  readonly #seenTokens = new Set<string>();

  constructor(opts: SinchRestOptions, deps: SinchClientDeps = {}) {
    for (const key of ['projectId', 'keyId', 'keySecret'] as const) {
      if (typeof opts[key] !== 'string' || opts[key].trim() === '') {
        throw new SwitchboardError('misconfigured', `Sinch REST client: rest.${key} is required (the project access key from the Sinch dashboard)`);
      }
    }
    const region = opts.region ?? 'us';
    if (!REGIONS.includes(region)) {
      throw new SwitchboardError('misconfigured', `Sinch REST client: rest.region must be one of 'us', 'eu', 'br' (got ${JSON.stringify(region)})`);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new SwitchboardError('misconfigured', `Sinch REST client: rest.timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)})`);
    }
    const fetchImpl = opts.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new SwitchboardError('misconfigured', 'Sinch REST client: no fetch implementation available; pass rest.fetch or run on Node 20+');
    }

    const base = checkUrl(opts.baseUrl ?? `https://${region}.conversation.api.sinch.com`, 'baseUrl').replace(/\/+$/, '');
    this.#projectId = opts.projectId;
    this.#keyId = opts.keyId;
    this.#keySecret = opts.keySecret;
    this.#basicAuth = Buffer.from(`${opts.keyId}:${opts.keySecret}`, 'utf8').toString('base64');
    this.#sendUrl = `${base}/v1/projects/${encodeURIComponent(opts.projectId)}/messages:send`;
    this.#authUrl = checkUrl(opts.authUrl ?? DEFAULT_AUTH_URL, 'authUrl');
    this.#usingBaseUrl = opts.baseUrl !== undefined;
    this.#region = region;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetchImpl;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.logger ?? silentLogger;
    this.#retryBaseMs = deps.tokenRetryBaseMs ?? 1000;
    this.#random = deps.random ?? Math.random;
  }

  async sendMessage(body: SendMessageRequest, opts: { signal?: AbortSignal } = {}): Promise<SendMessageResponse> {
    const signal = opts.signal;
    signal?.throwIfAborted();

    let token = await this.#getToken(signal);
    let res = await this.#postSend(body, token, signal);

    if (res.status === 401) {
      // Tokens can be revoked server-side before their stated expiry (key rotation,
      // auth-side restarts); one fresh token is worth a retry, more would hide a real key problem.
      this.#log.warn({ provider: 'sinch-conversation', keyId: this.#keyId }, 'Sinch rejected a cached access token; refreshing and retrying once');
      await discard(res);
      this.#invalidate(token);
      token = await this.#getToken(signal);
      res = await this.#postSend(body, token, signal);
    }

    if (!res.ok) throw await this.#sendError(res, signal);

    const parsed = await this.#readJson(res, 'send', signal);
    if (!isRecord(parsed) || typeof parsed['message_id'] !== 'string' || typeof parsed['accepted_time'] !== 'string') {
      throw new SwitchboardError('reply_failed', `Sinch accepted the message (HTTP ${res.status}) but its response lacked message_id/accepted_time; is rest.baseUrl pointing at the Conversation API?`, {
        details: { status: res.status },
      });
    }
    return { accepted_time: parsed['accepted_time'], message_id: parsed['message_id'] };
  }

  // --- token handling -----------------------------------------------------

  async #getToken(signal: AbortSignal | undefined): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAt) return cached.token;

    if (!this.#inflight) {
      const p = this.#fetchTokenWithRetry().then(
        (tok) => {
          this.#cached = tok;
          return tok;
        },
      ).finally(() => {
        // Clearing on failure too is what keeps a failed refresh from being cached.
        if (this.#inflight === p) this.#inflight = undefined;
      });
      // Every caller may abort its own wait; without this the shared rejection would go unhandled.
      p.catch(() => {});
      this.#inflight = p;
    }
    // The refresh is shared, so one caller's abort must not cancel it for the others.
    const tok = await raceAbort(this.#inflight, signal);
    return tok.token;
  }

  #invalidate(token: string): void {
    // A concurrent caller may already have replaced it; dropping the newer one would cost a refresh.
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  async #fetchTokenWithRetry(): Promise<CachedToken> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.#timedFetch(this.#authUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${this.#basicAuth}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      }, 'token', undefined);

      if (res.status === 429 && attempt + 1 < TOKEN_TRIES) {
        await discard(res);
        const delay = Math.floor(this.#random() * this.#retryBaseMs * TOKEN_BACKOFF_FACTOR ** attempt);
        this.#log.warn({ provider: 'sinch-conversation', attempt: attempt + 1, delayMs: delay }, 'Sinch auth rate-limited the token request; backing off');
        await sleep(delay);
        continue;
      }
      if (!res.ok) throw await this.#tokenError(res);

      const parsed = await this.#readJson(res, 'token', undefined);
      const accessToken = isRecord(parsed) ? parsed['access_token'] : undefined;
      if (typeof accessToken !== 'string' || accessToken === '') {
        throw new SwitchboardError('reply_failed', `Sinch auth answered HTTP ${res.status} without an access_token; check rest.authUrl points at the Sinch OAuth2 token endpoint`, {
          details: { status: res.status },
        });
      }
      this.#seenTokens.add(accessToken);
      const expiresIn = isRecord(parsed) ? parsed['expires_in'] : undefined;
      const lifetimeMs = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 0;
      // A flat 60 s margin would mean never caching tokens shorter-lived than a minute.
      const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
      this.#log.debug({ provider: 'sinch-conversation', keyId: this.#keyId, expiresIn }, 'Obtained Sinch access token');
      return { token: accessToken, refreshAt: this.#now() + lifetimeMs - margin };
    }
  }

  // --- HTTP ---------------------------------------------------------------

  #postSend(body: SendMessageRequest, token: string, signal: AbortSignal | undefined): Promise<Response> {
    return this.#timedFetch(this.#sendUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    }, 'send', signal);
  }

  /**
   * The timeout covers the body too, because the signal stays attached to the
   * response stream until it is consumed.
   */
  async #timedFetch(url: string, init: RequestInit, what: 'token' | 'send', signal: AbortSignal | undefined): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    try {
      return await this.#fetch(url, { ...init, signal: combined });
    } catch (err) {
      throw this.#networkError(err, what, timeout, signal);
    }
  }

  async #readJson(res: Response, what: 'token' | 'send', signal: AbortSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.#networkError(err, what, undefined, signal);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SwitchboardError('reply_failed', `${what === 'token' ? 'Sinch auth' : 'Sinch'} answered HTTP ${res.status} with a body that is not JSON; check rest.${what === 'token' ? 'authUrl' : 'baseUrl'} (body: ${this.#excerpt(text)})`, {
        details: { status: res.status },
      });
    }
  }

  #networkError(err: unknown, what: 'token' | 'send', timeout: AbortSignal | undefined, signal: AbortSignal | undefined): unknown {
    // The caller chose to stop; hand back its own reason, as fetch itself would.
    if (signal?.aborted) return signal.reason;
    const target = what === 'token' ? 'the Sinch auth endpoint' : 'the Sinch Conversation API';
    const setting = what === 'token' ? 'rest.authUrl' : this.#usingBaseUrl ? 'rest.baseUrl' : 'rest.region';
    if (timeout?.aborted || (err instanceof Error && err.name === 'TimeoutError')) {
      return new SwitchboardError('reply_failed', `Timed out after ${this.#timeoutMs} ms waiting for ${target}; raise rest.timeoutMs or check outbound connectivity`, {
        details: { timeoutMs: this.#timeoutMs, endpoint: what },
      });
    }
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return new SwitchboardError('reply_failed', `Could not reach ${target} (${this.#excerpt(cause)}); check ${setting} and outbound network access`, {
      details: { endpoint: what },
    });
  }

  // --- errors -------------------------------------------------------------

  async #tokenError(res: Response): Promise<SwitchboardError> {
    const excerpt = this.#excerpt(await safeText(res));
    const who = `Sinch auth (${this.#authUrl})`;
    let advice: string;
    if (res.status === 401 || res.status === 403) {
      advice = `Sinch rejected the access key (keyId ${this.#keyId}): check rest.keyId/rest.keySecret against the project's access keys in the Sinch dashboard`;
    } else if (res.status === 429) {
      advice = `${who} rate-limited token requests after ${TOKEN_TRIES} attempts: too many clients are fetching tokens with this key; share one SinchConversationClient per process`;
    } else if (res.status === 400) {
      advice = `${who} rejected the token request: check rest.authUrl is the Sinch OAuth2 token endpoint`;
    } else if (res.status >= 500) {
      advice = `${who} failed: a transient Sinch outage; retry later`;
    } else {
      advice = `${who} refused the token request: check rest.authUrl and the access key`;
    }
    return new SwitchboardError('reply_failed', `${advice} (HTTP ${res.status}; body: ${excerpt})`, {
      details: { endpoint: 'token', status: res.status, keyId: this.#keyId },
    });
  }

  async #sendError(res: Response, signal: AbortSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return this.#networkError(err, 'send', undefined, signal);
    }
    const excerpt = this.#excerpt(text);
    const project = `project ${this.#projectId}`;
    const where = this.#usingBaseUrl ? 'rest.baseUrl overrides it here, so check its host' : `currently '${this.#region}'`;
    let advice: string;
    switch (res.status) {
      case 400:
        advice = `Sinch rejected the send request as invalid: check app_id, recipient (contact_id or identified_by.channel_identities) and that message holds exactly one message kind`;
        break;
      case 401:
        advice = `Sinch rejected a freshly issued access token for ${project}: check that access key ${this.#keyId} belongs to this project`;
        break;
      case 403:
        advice = `Sinch refused the send for ${project}: check that access key ${this.#keyId} may use the Conversation API and that app_id belongs to this project`;
        break;
      case 404:
        advice = `Sinch returned 404 for ${project}: the app may live in another region; set rest.region ('us'|'eu'|'br') to the app's region (${where}), and check rest.projectId and app_id`;
        break;
      case 429:
        advice = `Sinch rate-limited messages for ${project}: slow down sending or ask Sinch to raise the limit`;
        break;
      default:
        advice = res.status >= 500
          ? `Sinch failed to accept the message for ${project}: a transient Sinch outage; retry later`
          : `Sinch refused the message for ${project}`;
    }
    return new SwitchboardError('reply_failed', `${advice} (HTTP ${res.status}; body: ${excerpt})`, {
      details: { endpoint: 'send', status: res.status, projectId: this.#projectId },
    });
  }

  /**
   * Bounded, single-line, and scrubbed: a misbehaving proxy or provider may echo
   * the Authorization header back, and error messages end up in logs.
   */
  #excerpt(text: string): string {
    let s = text;
    const secrets = [this.#keySecret, this.#basicAuth, ...this.#seenTokens].filter((x) => x.length > 0);
    for (const secret of secrets) s = s.split(secret).join('[redacted]');
    s = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
    if (s === '') return '(empty)';
    return s.length > EXCERPT_MAX ? `${s.slice(0, EXCERPT_MAX)}…` : s;
  }
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function checkUrl(value: string, name: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    return value;
  } catch {
    throw new SwitchboardError('misconfigured', `Sinch REST client: rest.${name} must be an absolute http(s) URL (got ${JSON.stringify(value)})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function safeText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}

/** Unread bodies keep the socket busy until GC; drain so keep-alive can reuse it. */
async function discard(res: Response): Promise<void> {
  try {
    await res.arrayBuffer();
  } catch {
    // The response is being thrown away; a broken body changes nothing.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
