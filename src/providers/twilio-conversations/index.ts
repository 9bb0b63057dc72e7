import { SwitchboardError, isSwitchboardError } from '../../core/errors.js';
import { extendContext } from '../../core/context.js';
import { Hooks, hookMethods, type HookMethods } from '../../core/hooks.js';
import { SchemaValidator } from '../../core/validation.js';
import { jsonResponse, type Logger, type WebhookResponse } from '../../core/types.js';
import type { Message } from '../../model/index.js';
import {
  twilioConversationsEvents,
  type KnownKeys, type TwilioConversationsEventMap, type TwilioConversationsEventType, type TwilioConversationsParamsMap,
} from '../../../schemas/twilio-conversations/index.js';
import type { BaseHookContext, Provider, SchemaProblem } from '../provider.js';
import {
  PROVIDER_ID, eventRow, parseTwilioConversations, twilioConversationsDedupeKey,
  type TwilioConversationsEvent,
} from './events.js';
import { recordTwilioConversations } from './record.js';
import {
  TwilioConversationsClient,
  type TwilioMessageResource, type TwilioOutboundMessage, type TwilioRestOptions,
} from './reply.js';
import { parsePublicUrl, verifyTwilioRequest, type PublicBase } from './verify.js';

/** Twilio gives a webhook 5 s; a pre-action answer must beat that or the action is published unmodified, late. */
const TWILIO_DEADLINE_MS = 5_000;

export interface TwilioConversationsOptions {
  /**
   * Auth Tokens that may sign webhooks: the primary Auth Token of the
   * account (or sub-account) that owns the webhook; several during a
   * rotation or for several accounts. At least one is required.
   */
  authTokens: readonly string[];
  /**
   * The public address Twilio calls, e.g. `https://hooks.example.com`:
   * scheme, host and port exactly as set in the Twilio console. A path
   * (`https://example.com/api`) is a prefix a proxy strips before the app
   * sees the request; it is put back in front of the received path. Several
   * are allowed when Twilio reaches the app under more than one name.
   */
  publicUrl?: string | readonly string[];
  /**
   * Without `publicUrl`: take the scheme and host from X-Forwarded-Proto and
   * X-Forwarded-Host. Only behind a proxy you run, which sets them.
   */
  trustProxy?: boolean;
  /** Path below the switchboard mount point (default `/twilio/conversations`); sub-paths match too. */
  path?: string;
  /**
   * When a pre-action hook must have answered (default 4000 ms, below
   * Twilio's 5 s). Past it the webhook is answered `200 {}` and Twilio
   * publishes the action unmodified.
   */
  preActionTimeoutMs?: number;
  /** What a pre-action hook that throws means: `reject` (default, answered 5xx) or `publish` (`200 {}`). */
  onPreActionError?: 'reject' | 'publish';
  /**
   * How long any hook may run (default 10 000 ms). A post-action hook past it
   * is answered 503 and its claim released; pre-action hooks stop at the
   * lower of this and `preActionTimeoutMs`.
   */
  hookTimeoutMs?: number;
  /**
   * Who our replies are authored as (default `system`, Twilio's author for
   * REST messages). Events authored by it are recorded as outbound and never
   * answered by `ctx.reply()`, so replies cannot loop.
   */
  botIdentity?: string;
  /** REST credentials for `ctx.reply()`. */
  rest?: TwilioRestOptions;
}

type Row = (typeof twilioConversationsEvents)[number];
type RowOf<T extends TwilioConversationsEventType> = Extract<Row, { type: T }>;

export interface TwilioConversationsContext<T extends TwilioConversationsEventType | 'UNKNOWN' = TwilioConversationsEventType | 'UNKNOWN'>
  extends BaseHookContext {
  eventType: T;
  kind: 'pre-action' | 'post-action' | 'unknown';
  accountSid: string;
  /** CH…, when the event concerns a conversation. */
  conversationSid?: string;
  /** `I-Twilio-Idempotency-Token`, when sent. */
  idempotencyToken?: string;
  /** `RetryCount` as a number (0 on a first attempt). */
  retryCount: number;
  /** The event's `Author` is the configured `botIdentity`: our own message coming back. */
  authoredByBot: boolean;
}

export interface TwilioPreActionContext<T extends TwilioConversationsEventType = TwilioConversationsEventType> extends TwilioConversationsContext<T> {
  /**
   * Refuses the action: the webhook is answered 4xx (default 403) and Twilio
   * does not publish it. Throws, so nothing after it runs.
   */
  reject(reason?: string, opts?: { status?: number }): never;
}

/** `ctx.reply()` options: everything a Conversation Message takes besides its body. */
export type TwilioReplyOptions = Omit<TwilioOutboundMessage, 'body'> & {
  /** IS…: post through the service-scoped path (conversations outside the default service). */
  serviceSid?: string;
  /** Make Twilio fire post-action webhooks for the reply (`X-Twilio-Webhook-Enabled: true`). */
  webhookEnabled?: boolean;
};

export interface TwilioReplyContext {
  /**
   * Posts a message into this event's conversation
   * (`POST /v1/Conversations/{sid}/Messages`) authored by `botIdentity`, and
   * records it. Resolves undefined without sending when the event was
   * authored by `botIdentity` itself, so a bot cannot answer itself forever.
   */
  reply(body: string, opts?: TwilioReplyOptions): Promise<TwilioMessageResource | undefined>;
}

/** What an `onMessageAdd`/`onMessageUpdate` hook may change; sent to Twilio as `{ body, author, attributes }`. */
export interface TwilioMessageModification {
  body?: string;
  author?: string;
  /** A JSON string, or an object we stringify (Twilio wants a string). */
  attributes?: string | Record<string, unknown>;
}

/** What an `onConversationAdd`/`onConversationUpdate` hook may change; sent as `{ friendly_name }`. */
export interface TwilioConversationModification {
  friendlyName?: string;
}

export type TwilioHookContext<T extends TwilioConversationsEventType> =
  (RowOf<T>['kind'] extends 'pre-action' ? TwilioPreActionContext<T> : TwilioConversationsContext<T>) &
  ('ConversationSid' extends KnownKeys<TwilioConversationsParamsMap[T]> ? TwilioReplyContext : unknown);

type Awaitable<T> = T | Promise<T>;

export type TwilioHookResult<T extends TwilioConversationsEventType> =
  RowOf<T>['modify'] extends 'message' ? TwilioMessageModification | void
    : RowOf<T>['modify'] extends 'conversation' ? TwilioConversationModification | void
      : void;

export type TwilioHooks = {
  [R in Row as R['type']]: (event: TwilioConversationsEventMap[R['type']], ctx: TwilioHookContext<R['type']>) => Awaitable<TwilioHookResult<R['type']>>;
} & {
  /** An event type we do not know (new, or a legacy Chat name); answered `200 {}` so the action goes ahead. */
  onUnknown: (params: Record<string, unknown>, ctx: TwilioConversationsContext<'UNKNOWN'>) => Awaitable<void>;
};

/** What `dispatch` hands `respond`. */
export type TwilioDispatchResult =
  | { kind: 'ack' }
  /** A pre-action hook missed its deadline. */
  | { kind: 'late' }
  | { kind: 'answer'; modify: Row['modify']; eventType: string; value: unknown };

export type TwilioConversationsRouter = Provider<TwilioConversationsEvent, TwilioDispatchResult> &
  HookMethods<TwilioHooks> & {
    /** The REST client behind `ctx.reply()`, when `rest` is configured. */
    readonly client: TwilioConversationsClient | undefined;
  };


const ACK: TwilioDispatchResult = { kind: 'ack' };
/** Twilio reads `200 {}` (or an empty 200) as "go ahead unmodified"; post-action answers are ignored. */
const proceed = (): WebhookResponse => jsonResponse(200, {});

export function twilioConversations(options: TwilioConversationsOptions, deps: { clock?: () => number; logger?: Logger } = {}): TwilioConversationsRouter {
  const authTokens = (options?.authTokens ?? []).filter((t) => typeof t === 'string' && t.length > 0);
  if (authTokens.length === 0) {
    throw new SwitchboardError(
      'misconfigured',
      'twilio.authTokens is empty: without a token no webhook can be verified. Copy the Auth Token of the account or sub-account that owns the Conversations service (Twilio Console → Account → API keys & tokens).',
    );
  }
  const publicBases: PublicBase[] = (typeof options.publicUrl === 'string' ? [options.publicUrl] : (options.publicUrl ?? [])).flatMap(parsePublicUrl);
  const trustProxy = options.trustProxy === true;
  const preActionTimeoutMs = options.preActionTimeoutMs ?? 4_000;
  if (!Number.isFinite(preActionTimeoutMs) || preActionTimeoutMs <= 0 || preActionTimeoutMs >= TWILIO_DEADLINE_MS) {
    throw new SwitchboardError(
      'misconfigured',
      `twilio.preActionTimeoutMs must be above 0 and below Twilio's ${TWILIO_DEADLINE_MS} ms webhook timeout (got ${String(preActionTimeoutMs)}); leave room for the network.`,
    );
  }
  const hookTimeoutMs = options.hookTimeoutMs ?? 10_000;
  if (!Number.isFinite(hookTimeoutMs) || hookTimeoutMs <= 0) {
    throw new SwitchboardError('misconfigured', `twilio.hookTimeoutMs must be a positive number of milliseconds (got ${String(hookTimeoutMs)}).`);
  }
  const onPreActionError = options.onPreActionError ?? 'reject';
  if (onPreActionError !== 'reject' && onPreActionError !== 'publish') {
    throw new SwitchboardError('misconfigured', `twilio.onPreActionError must be 'reject' or 'publish' (got ${JSON.stringify(onPreActionError)}).`);
  }
  const path = options.path ?? '/twilio/conversations';
  if (!path.startsWith('/')) {
    throw new SwitchboardError('misconfigured', `twilio.path must start with '/' (got ${JSON.stringify(path)}).`);
  }
  const botIdentity = options.botIdentity ?? 'system';
  const client = options.rest ? new TwilioConversationsClient(options.rest, deps.logger ? { logger: deps.logger } : {}) : undefined;

  const schemas = SchemaValidator.for(twilioConversationsEvents, (row) => row.type);
  const hooks = new Hooks<TwilioHooks>();
  // The hook's parameter types follow from the event type, which the table ties to the name.
  const runHook = (hooks.run as (name: string, event: unknown, ctx: unknown) => Promise<unknown>).bind(hooks);

  async function runPreAction(row: Row, params: Record<string, unknown>, ctx: TwilioPreActionContext & Partial<TwilioReplyContext>): Promise<TwilioDispatchResult> {
    let rejection: SwitchboardError | undefined;
    ctx.reject = (reason, opts = {}) => {
      const status = opts.status ?? 403;
      if (!Number.isInteger(status) || status < 400 || status > 499) {
        throw new TypeError(`ctx.reject(): status must be a 4xx code, got ${String(status)}`);
      }
      rejection = new SwitchboardError('rejected', reason ? `The ${row.type} hook rejected the action: ${reason}` : `The ${row.type} hook rejected the action.`, { status });
      throw rejection;
    };
    // Lateness is the engine's: hookTimeoutFor gives pre-action events the
    // shorter deadline, and fallback('timeout') answers 200 {} (publish unmodified).
    let value: unknown;
    try {
      value = await runHook(row.type, params, ctx);
    } catch (err) {
      throw rejection ?? err;
    }
    // A hook that caught the rejection's throw still rejected.
    if (rejection) throw rejection;
    return { kind: 'answer', modify: row.modify, eventType: row.type, value };
  }

  function makeReply(conversationSid: string, authoredByBot: boolean, base: BaseHookContext): TwilioReplyContext['reply'] {
    return async (body, opts = {}) => {
      if (!client) {
        throw new SwitchboardError(
          'misconfigured',
          'ctx.reply() needs twilio.rest = { accountSid, authToken } or { apiKeySid, apiKeySecret } (Twilio Console → Account → API keys & tokens).',
        );
      }
      if (authoredByBot) {
        base.logger.debug({ provider: PROVIDER_ID, eventId: base.eventId }, `switchboard: not replying to a message authored by ${botIdentity} (our own)`);
        return undefined;
      }
      const { serviceSid, webhookEnabled, ...fields } = opts;
      const sent = await client.sendMessage(
        conversationSid,
        { author: botIdentity, ...fields, ...(body !== '' ? { body } : {}) },
        { signal: base.signal, ...(serviceSid ? { serviceSid } : {}), ...(webhookEnabled !== undefined ? { webhookEnabled } : {}) },
      );
      const now = new Date().toISOString();
      const at = sent.dateCreated && !Number.isNaN(Date.parse(sent.dateCreated)) ? new Date(sent.dateCreated).toISOString() : now;
      const conversation = base.recorded.conversation;
      const inbound = base.recorded.message?.direction === 'inbound' ? base.recorded.message : undefined;
      // Whom we answer: the author of the message that triggered the reply, else the conversation's contact.
      const to = inbound?.from ?? conversation?.contact;
      const outbound: Message = {
        id: `${PROVIDER_ID}:${sent.sid}`,
        provider: PROVIDER_ID,
        providerId: sent.sid,
        conversationId: `${PROVIDER_ID}:${conversationSid}`,
        direction: 'outbound',
        channel: conversation?.channel ?? base.recorded.message?.channel ?? 'CHAT',
        ...(to ? { to } : {}),
        author: sent.author ?? fields.author ?? botIdentity,
        ...(body !== '' ? { text: body } : {}),
        media: [],
        kind: 'text',
        metadata: sent.index !== undefined ? { index: String(sent.index) } : {},
        status: 'queued',
        statusHistory: [],
        createdAt: at,
        updatedAt: at,
      };
      try {
        await base.store.appendMessage(outbound);
      } catch (err) {
        // The message went out; failing the hook now could make it go out twice.
        base.logger.error({ provider: PROVIDER_ID, messageSid: sent.sid, err: (err as Error).message }, 'switchboard: reply sent but not recorded');
      }
      return sent;
    };
  }

  const provider: Provider<TwilioConversationsEvent, TwilioDispatchResult> = {
    id: PROVIDER_ID,
    path,
    methods: ['POST', 'GET'],
    contentTypes: ['application/x-www-form-urlencoded', 'application/json'],
    hookTimeoutMs,
    // Twilio gives up after 5 s; a late pre-action is answered 200 {} (fallback) before that.
    hookTimeoutFor: (event) => (event.kind === 'pre-action' ? Math.min(preActionTimeoutMs, hookTimeoutMs) : hookTimeoutMs),

    verify(req, env) {
      verifyTwilioRequest(req, { authTokens, publicBases, trustProxy }, env.logger);
    },
    parse: parseTwilioConversations,
    validate: (event): SchemaProblem | undefined => schemas.check(event.type, event.payload),
    dedupeKey: (event) => twilioConversationsDedupeKey(event),
    record: (event, ctx) => recordTwilioConversations(event, ctx, { botIdentity }),

    async dispatch(event, base) {
      const p = event.payload as Record<string, unknown>;
      const text = (key: string): string | undefined => (typeof p[key] === 'string' && p[key] !== '' ? (p[key] as string) : undefined);
      const conversationSid = text('ConversationSid');
      const retry = Number(text('RetryCount') ?? '0');
      const authoredByBot = text('Author') === botIdentity;
      const common = extendContext(base, {
        kind: event.kind,
        accountSid: text('AccountSid') ?? '',
        ...(conversationSid ? { conversationSid } : {}),
        ...(event.idempotencyToken ? { idempotencyToken: event.idempotencyToken } : {}),
        retryCount: Number.isInteger(retry) && retry >= 0 ? retry : 0,
        authoredByBot,
      });
      if (event.unknown) {
        await hooks.run('onUnknown', p, extendContext(common, { eventType: 'UNKNOWN' as const }));
        return ACK;
      }
      const row = eventRow(event.type)!;
      if (!hooks.has(row.type)) return ACK;
      const ctx = extendContext(common, {
        eventType: row.type,
        ...(conversationSid ? { reply: makeReply(conversationSid, authoredByBot, base) } : {}),
      });
      if (row.kind === 'post-action') {
        await runHook(row.type, p, ctx);
        return ACK;
      }
      return runPreAction(row, p, ctx as unknown as TwilioPreActionContext & Partial<TwilioReplyContext>);
    },

    respond(result) {
      if (result.kind !== 'answer') return proceed();
      return jsonResponse(200, preActionAnswer(result.eventType, result.modify, result.value));
    },

    fallback(event, reason, error) {
      // Post-action hooks that fail give their claim back (503/500), so a retry runs them again.
      if (event.kind !== 'pre-action') return undefined;
      if (reason === 'timeout') return proceed();
      // A deliberate 4xx (ctx.reject) is an answer in itself.
      if (isSwitchboardError(error) && error.status < 500) return undefined;
      return onPreActionError === 'publish' ? proceed() : undefined;
    },
  };

  return Object.assign(provider, hookMethods(hooks, [...twilioConversationsEvents.map((r) => r.type), 'onUnknown']), { client });
}

/**
 * The JSON Twilio reads from a pre-action answer: snake_case keys, only the
 * fields that change, `attributes` as a JSON string. A hook returning
 * something Twilio cannot take is a bug, reported as a hook failure.
 */
function preActionAnswer(eventType: string, modify: Row['modify'], value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`the ${eventType} hook returned ${Array.isArray(value) ? 'an array' : typeof value}; return nothing, or an object with the fields to change`);
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const allowed = modify === 'message' ? ['body', 'author', 'attributes'] : modify === 'conversation' ? ['friendlyName'] : [];
  const unknown = entries.map(([k]) => k).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const can = allowed.length > 0 ? `it may change only ${allowed.join(', ')}` : 'it can only let the action through (return nothing) or call ctx.reject()';
    throw new TypeError(`the ${eventType} hook returned ${unknown.join(', ')}, but ${can}`);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (key === 'attributes' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      out['attributes'] = JSON.stringify(v);
      continue;
    }
    if (typeof v !== 'string') throw new TypeError(`the ${eventType} hook returned ${key} as ${typeof v}; Twilio takes a string`);
    out[key === 'friendlyName' ? 'friendly_name' : key] = v;
  }
  return out;
}

export type { TwilioConversationsEvent, KnownTwilioConversationsEvent, UnknownTwilioConversationsEvent } from './events.js';
export { parseTwilioConversations, decodeForm, parseAttributes, parseMedia } from './events.js';
export {
  verifyTwilioSignature, verifyTwilioRequest, twilioSignature, candidateUrls, requestUrls, parsePublicUrl,
  TWILIO_SIGNATURE_HEADER,
} from './verify.js';
export type { TwilioParams, TwilioSignatureInput } from './verify.js';
export { TwilioConversationsClient } from './reply.js';
export type {
  TwilioRestOptions, TwilioOutboundMessage, TwilioRequestOptions, TwilioMessageResource, TwilioConversationUpdate,
} from './reply.js';
export { participantDeliveryStatuses, twilioAddress, neutralTwilioStatus } from './record.js';
export { signTwilio } from './testing.js';
export type { SignTwilioInput, SignedTwilioRequest } from './testing.js';
