import type { BaseHookContext, Provider, ProviderEvent, Recorded } from '../providers/provider.js';
import type { Store, StoredResponse } from '../store/store.js';
import { SwitchboardError, isSwitchboardError } from './errors.js';
import { headerValue, jsonResponse, type Clock, type Headers, type Logger, type WebhookRequest, type WebhookResponse } from './types.js';
import { sha256Hex } from './crypto.js';
import { NeutralDispatcher, type NeutralContext } from './neutral-hooks.js';
import { isInProcessStore } from '../store/in-process.js';

export interface EngineOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBodyBytes: number;
  /** How long a client may take to send the body (ms). */
  bodyTimeoutMs: number;
  /** How long a completed event's answer is replayed to retries (ms). */
  dedupeTtlMs: number;
  /** How long an in-flight claim blocks duplicates before another delivery may run it (ms). */
  claimLeaseMs: number;
  /** Longest a single store call may take before the webhook is answered 503 (ms). */
  storeTimeoutMs: number;
}

export interface ErrorInfo {
  provider?: string;
  eventType?: string;
  eventId?: string;
  request: Readonly<WebhookRequest>;
}

export type ErrorListener = (error: SwitchboardError, info: ErrorInfo) => void | Promise<void>;

export function errorResponse(err: SwitchboardError): WebhookResponse {
  return jsonResponse(err.status, err.toJSON());
}

/**
 * The framework-neutral, provider-neutral pipeline. Adapters hand it a
 * WebhookRequest; providers plug in through the Provider interface.
 */
export class Engine {
  readonly providers: readonly Provider[];
  readonly options: EngineOptions;
  private readonly errorListeners: ErrorListener[] = [];
  /** Provider-neutral hooks (onMessage, onCall, …), run after each provider's own. */
  readonly neutral = new NeutralDispatcher();
  private readonly inProcessStore: boolean;
  /** `complete` calls still outstanding, for drain(). */
  private readonly completing = new Set<Promise<void>>();

  constructor(providers: readonly Provider[], options: EngineOptions) {
    const seen = new Set<string>();
    for (const p of providers) {
      if (seen.has(p.path)) throw new SwitchboardError('misconfigured', `Two providers are mounted at ${p.path}; give each a distinct path.`);
      seen.add(p.path);
    }
    // Longest path first so /sinch/conversation-eu wins over /sinch/conversation.
    this.providers = [...providers].sort((a, b) => b.path.length - a.path.length);
    this.options = options;
    this.inProcessStore = isInProcessStore(options.store);
  }

  onError(listener: ErrorListener): () => void {
    this.errorListeners.push(listener);
    return () => {
      const i = this.errorListeners.indexOf(listener);
      if (i >= 0) this.errorListeners.splice(i, 1);
    };
  }

  /** The provider mounted at this path (or a sub-path of it). */
  match(routePath: string): Provider | undefined {
    const path = stripQuery(routePath);
    // `..` and `.` segments (also percent-encoded) would let a URL normalised by a
    // verifier name another endpoint than the one that received the request.
    if (DOT_SEGMENT.test(path)) return undefined;
    for (const p of this.providers) {
      if (path === p.path || path === `${p.path}/` || path.startsWith(`${p.path}/`)) return p;
    }
    return undefined;
  }

  /**
   * The checks that need no body (method, media type, declared length), so an
   * adapter can refuse before reading a single byte.
   */
  checkBeforeBody(provider: Provider, method: string, headers: Headers): SwitchboardError | undefined {
    if (!provider.methods.includes(method.toUpperCase())) {
      return new SwitchboardError('method_not_allowed', `${provider.id} webhooks use ${provider.methods.join(' or ')}, not ${method}.`, {
        details: { allow: provider.methods.join(', ') },
      });
    }
    if (method.toUpperCase() !== 'GET' && provider.contentTypes.length > 0) {
      const type = mediaType(headerValue(headers, 'content-type'));
      if (!provider.contentTypes.includes(type)) {
        return new SwitchboardError(
          'unsupported_media_type',
          `${provider.id} webhooks are sent as ${provider.contentTypes.join(' or ')}; this request has content-type ${type === '' ? '(none)' : JSON.stringify(type)}.`,
        );
      }
    }
    const declared = Number(headerValue(headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.options.maxBodyBytes) {
      return tooLarge(this.options.maxBodyBytes);
    }
    return undefined;
  }

  async handle(req: WebhookRequest): Promise<WebhookResponse> {
    const provider = this.match(req.routePath);
    if (!provider) {
      return errorResponse(new SwitchboardError('not_found', `No webhook provider is mounted at ${stripQuery(req.routePath)}.`));
    }
    const early = this.checkBeforeBody(provider, req.method, req.headers);
    if (early) return this.reject(early, { provider: provider.id, request: req });
    return this.process(provider, req);
  }

  /**
   * The pipeline after routing and the body-less checks, for an adapter that
   * already did both (node-io) so the hot path does not repeat them.
   */
  async process(provider: Provider, req: WebhookRequest): Promise<WebhookResponse> {
    if (req.rawBody.length > this.options.maxBodyBytes) {
      return this.reject(tooLarge(this.options.maxBodyBytes), { provider: provider.id, request: req });
    }
    try {
      return await this.run(provider, req);
    } catch (err) {
      const error = isSwitchboardError(err)
        ? err
        : new SwitchboardError('hook_failed', 'The webhook could not be processed; see the server log.', { cause: err });
      return this.reject(error, { provider: provider.id, request: req });
    }
  }

  private async run(provider: Provider, req: WebhookRequest): Promise<WebhookResponse> {
    const { logger, clock } = this.options;
    await provider.verify(req, { clock, logger });

    const event = provider.parse(req);
    const info: ErrorInfo = { provider: provider.id, eventType: event.type, request: req };

    const problem = event.unknown ? undefined : provider.validate(event);
    if (problem) {
      const error = new SwitchboardError(
        'schema_violation',
        `The ${event.type} payload does not match its schema at ${problem.path || '/'}: ${problem.message}. The event was kept in the dead-letter list.`,
        { details: { path: problem.path } },
      );
      await this.keepDeadLetter(provider, req, error);
      return this.reject(error, info);
    }

    const key = provider.dedupeKey(event, req);
    info.eventId = key;
    const { store } = this.options;
    // Claim and record go out together: recording is idempotent, so a duplicate
    // recording again is harmless, and a pipelining store (Redis) sends both in
    // one round trip instead of two.
    const recording: Promise<Recorded> = event.unknown
      ? Promise.resolve({})
      : this.guardStore(provider.record(event, { store, receivedAt: req.receivedAt, logger }), 'record');
    recording.catch(() => undefined); // awaited below; never an unhandled rejection
    const claiming = store.claim(key, { leaseMs: this.options.claimLeaseMs });
    let claim: Awaited<typeof claiming>;
    try {
      claim = await this.guardStore(claiming, 'claim');
    } catch (err) {
      // We gave up waiting, but the store may still grant the claim later; give
      // it back then, or the event stays blocked for the whole lease.
      claiming.then((late) => (late.state === 'new' ? this.releaseQuietly(key, late.token) : undefined), () => undefined);
      throw err;
    }
    if (claim.state === 'done') {
      logger.debug({ provider: provider.id, eventId: key }, 'switchboard: duplicate delivery answered from the store');
      return toWebhookResponse(claim.response);
    }
    if (claim.state === 'in-flight') {
      return this.reject(
        new SwitchboardError('duplicate_in_flight', `Event ${key} is being processed by another delivery; retry later.`),
        info,
      );
    }

    const { token } = claim;
    let recorded: Recorded;
    try {
      recorded = await recording;
    } catch (err) {
      await this.releaseQuietly(key, token);
      throw err;
    }

    const { response, released } = await this.dispatch(provider, event, req, key, token, recorded, info);
    // Released: the provider's retry will run the hooks again, so nothing is stored.
    if (released) return response;
    this.complete(provider, key, token, response);
    return response;
  }

  /**
   * Marks the event done without holding its answer back: the answer is the
   * same whatever the store says (the hooks ran; an error now would only make
   * the provider retry and run them twice), so waiting would add a store
   * round trip to every webhook. The call is issued in the same turn as the
   * answer, so a duplicate that reaches this process afterwards (a later I/O
   * turn) queues behind it on the same store connection; one that reaches
   * another instance first finds the claim in flight and is answered 409, and
   * the provider retries later.
   */
  private complete(provider: Provider, key: string, token: string, response: WebhookResponse): void {
    const { store, logger, dedupeTtlMs } = this.options;
    let completing: Promise<boolean>;
    try {
      completing = this.guardStore(store.complete(key, token, fromWebhookResponse(response), { ttlMs: dedupeTtlMs }), 'complete');
    } catch (err) {
      completing = Promise.reject(err);
    }
    // Never rejects: nobody awaits it but drain(), and a throwing logger must not become an unhandled rejection.
    const settled: Promise<void> = completing.then(
      (owned) => {
        this.completing.delete(settled);
        if (!owned) {
          quietly(() => logger.warn({ provider: provider.id, eventId: key }, 'switchboard: the claim expired and another delivery took it over while hooks ran; raise claimLeaseMs'));
        }
      },
      (err: unknown) => {
        this.completing.delete(settled);
        quietly(() => logger.error({ provider: provider.id, eventId: key, err: describe(err) }, 'switchboard: could not mark the event done; a later retry may run its hooks again'));
      },
    );
    this.completing.add(settled);
  }

  /**
   * Resolves once every event answered before the call is marked done (or
   * its store call gave up after storeTimeoutMs); events answered meanwhile
   * do not hold it up.
   */
  drain(): Promise<void> {
    if (this.completing.size === 0) return Promise.resolve();
    return Promise.all([...this.completing]).then(() => undefined);
  }

  /** Runs the hooks under the provider's deadline; `released` means the claim was given back. */
  private async dispatch(
    provider: Provider,
    event: ProviderEvent,
    req: WebhookRequest,
    key: string,
    token: string,
    recorded: Recorded,
    info: ErrorInfo,
  ): Promise<Outcome> {
    // The controller is cheap; its signal is not (several µs in Node 20), so
    // it is only made when a hook reads ctx.signal.
    const controller = new AbortController();
    const receivedAt = new Date(req.receivedAt);
    const { store, logger } = this.options;
    const ctx: BaseHookContext = {
      provider: provider.id,
      eventId: key,
      receivedAt,
      get signal() {
        return controller.signal;
      },
      store,
      logger,
      recorded,
      request: req,
    };
    const neutral = this.neutral;
    const work = neutral.wants(recorded)
      ? provider.dispatch(event, ctx).then(async (value) => {
          const neutralCtx: NeutralContext = {
            provider: provider.id,
            eventId: key,
            receivedAt,
            get signal() {
              return controller.signal;
            },
            store,
            logger,
            recorded,
            request: req,
            event,
          };
          await neutral.run(recorded, neutralCtx);
          return value;
        })
      : provider.dispatch(event, ctx);
    const timeoutMs = provider.hookTimeoutFor?.(event) ?? provider.hookTimeoutMs;
    const outcome = await new Promise<HookOutcome>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs, 'timeout');
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ ok: false, error });
        },
      );
    });

    if (outcome === 'timeout') {
      controller.abort(new SwitchboardError('hook_timeout', `Hooks did not finish within ${timeoutMs} ms.`));
      const error = new SwitchboardError(
        'hook_timeout',
        `The ${event.type} hooks did not finish within ${timeoutMs} ms; move slow work out of the hook${timeoutMs === provider.hookTimeoutMs ? ' or raise hookTimeoutMs' : ''}.`,
      );
      return this.fail(provider, event, key, token, 'timeout', error, info);
    }
    if (!outcome.ok) {
      const cause = outcome.error;
      const error = isSwitchboardError(cause) && cause.code !== 'hook_failed' && cause.status < 500
        ? cause
        : new SwitchboardError('hook_failed', `The ${event.type} hook threw: ${describe(cause)}. The provider will retry.`, {
            cause,
            publicMessage: `The ${event.type} hook failed; the event was not acknowledged, so retry it. Details are in the receiver's log.`,
          });
      if (error.status < 500) {
        // A hook chose a client error on purpose (e.g. a rejection): that is an answer, keep it.
        const response = provider.fallback?.(event, 'error', cause) ?? errorResponse(error);
        void this.report(error, info);
        return { response, released: false };
      }
      return this.fail(provider, event, key, token, 'error', error, info, cause);
    }
    try {
      return { response: provider.respond(outcome.value, event), released: false };
    } catch (err) {
      const error = new SwitchboardError('hook_failed', `The ${event.type} hook returned an answer that could not be sent: ${describe(err)}.`, {
        cause: err,
        publicMessage: `The ${event.type} hook failed; the event was not acknowledged, so retry it. Details are in the receiver's log.`,
      });
      return this.fail(provider, event, key, token, 'error', error, info, err);
    }
  }

  private async fail(
    provider: Provider,
    event: ProviderEvent,
    key: string,
    token: string,
    reason: 'timeout' | 'error',
    error: SwitchboardError,
    info: ErrorInfo,
    cause?: unknown,
  ): Promise<Outcome> {
    this.options.logger.error({ provider: provider.id, eventId: key, code: error.code, err: describe(cause ?? error) }, `switchboard: ${error.message}`);
    void this.report(error, info);
    const fallback = provider.fallback?.(event, reason, cause ?? error);
    if (fallback) return { response: fallback, released: false };
    await this.releaseQuietly(key, token);
    return { response: errorResponse(error), released: true };
  }

  private async keepDeadLetter(provider: Provider, req: WebhookRequest, error: SwitchboardError): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'authorization' || name === 'cookie') continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      await this.guardStore(
        this.options.store.deadLetter({
          id: `${provider.id}:${sha256Hex(req.rawBody).slice(0, 32)}`,
          provider: provider.id,
          code: error.code,
          reason: error.message,
          receivedAt: new Date(req.receivedAt).toISOString(),
          rawBody: req.rawBody.toString('utf8'),
          headers,
        }),
        'deadLetter',
      );
    } catch (err) {
      this.options.logger.error({ provider: provider.id, err: describe(err) }, 'switchboard: could not keep a dead letter');
    }
  }

  private async releaseQuietly(key: string, token: string): Promise<void> {
    try {
      await this.guardStore(this.options.store.release(key, token), 'release');
    } catch (err) {
      this.options.logger.error({ eventId: key, err: describe(err) }, 'switchboard: could not release a claim; it will expire after its lease');
    }
  }

  /**
   * Bounds every store call so a dead store means a quick 503, not a hung
   * provider connection. The built-in memory store does no I/O and cannot
   * hang, so its promises are used as they are.
   */
  private guardStore<T>(work: Promise<T>, op: string): Promise<T> {
    // Its only failures are bugs, answered 500 by process() like any other.
    if (this.inProcessStore) return work;
    const limit = this.options.storeTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SwitchboardError('store_unavailable', `The store did not answer ${op} within ${limit} ms; the provider will retry.`)),
        limit,
      );
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(
            isSwitchboardError(err)
              ? err
              : new SwitchboardError('store_unavailable', `The store failed during ${op} (${describe(err)}); the provider will retry.`, {
                  cause: err,
                  publicMessage: 'The receiver could not record the event; it was not acknowledged, so retry it.',
                }),
          );
        },
      );
    });
  }

  private reject(error: SwitchboardError, info: ErrorInfo): WebhookResponse {
    const level = error.status >= 500 ? 'error' : error.status === 401 ? 'warn' : 'info';
    this.options.logger[level]({ provider: info.provider, code: error.code, status: error.status, eventId: info.eventId }, `switchboard: ${error.message}`);
    if (error.code !== 'not_found') void this.report(error, info);
    const response = errorResponse(error);
    if (error.code === 'method_not_allowed' && typeof error.details?.['allow'] === 'string') {
      response.headers['allow'] = error.details['allow'];
    }
    return response;
  }

  private async report(error: SwitchboardError, info: ErrorInfo): Promise<void> {
    for (const listener of this.errorListeners) {
      try {
        await listener(error, info);
      } catch (err) {
        this.options.logger.error({ err: describe(err) }, 'switchboard: an onError listener threw');
      }
    }
  }
}

const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

type HookOutcome = { ok: true; value: unknown } | { ok: false; error: unknown } | 'timeout';

interface Outcome {
  response: WebhookResponse;
  released: boolean;
}

function tooLarge(limit: number): SwitchboardError {
  return new SwitchboardError('payload_too_large', `The body is larger than the ${limit}-byte limit; raise maxBodyBytes if this provider really sends bodies this big.`);
}

export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function stripQuery(path: string): string {
  const i = path.indexOf('?');
  return i === -1 ? path : path.slice(0, i);
}

/** Runs a logging call whose failure must not escape (there is no caller left to tell). */
function quietly(log: () => void): void {
  try {
    log();
  } catch {
    // a broken logger loses this line, not the process
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function toWebhookResponse(r: StoredResponse): WebhookResponse {
  return { status: r.status, headers: { ...r.headers }, body: r.body };
}

function fromWebhookResponse(r: WebhookResponse): StoredResponse {
  return { status: r.status, headers: { ...r.headers }, body: r.body };
}
