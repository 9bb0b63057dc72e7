import type { Clock, Logger, WebhookRequest, WebhookResponse } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { Call, Contact, Conversation, DeliveryStatus, Message } from '../model/index.js';

/** A parsed, not yet validated webhook. */
export interface ProviderEvent<TType extends string = string, TPayload = unknown> {
  /** The provider's event type, e.g. `MESSAGE_INBOUND`, `ice`, `onMessageAdded`. */
  type: TType;
  payload: TPayload;
  /** Set when the type is not one this provider knows: answered 2xx and sent to `onUnknown`. */
  unknown?: boolean;
}

/** Where a schema check failed, in terms an operator can act on. */
export interface SchemaProblem {
  /** JSON Pointer into the payload, e.g. `/message/contact_message`. */
  path: string;
  message: string;
}

/** What `record` wrote; handed to hooks as `ctx.recorded` and to provider-neutral hooks. */
export interface Recorded {
  conversation?: Conversation;
  contact?: Contact;
  /** The message this event recorded, and whether this write created it. */
  message?: Message;
  messageCreated?: boolean;
  /**
   * This event is the provider's arrival of an inbound message (drives
   * `onMessage`). It describes the event, not the write, so a retry after a
   * failed hook runs `onMessage` again. Unset: `messageCreated` decides.
   */
  inboundMessage?: boolean;
  /**
   * The message a delivery report applied to, whether it moved the status,
   * and the status the report said (so a retry after a failed hook, whose
   * write moves nothing, still reaches `onDeliveryStatus`).
   */
  delivery?: { message: Message; applied: boolean; reported?: DeliveryStatus };
  call?: Call;
  /** Whether the call's state moved (drives the neutral `onCall` hook). */
  callChanged?: boolean;
  /** This event opened a conversation (neutral `onConversationStart`). */
  conversationStarted?: boolean;
  /** This event ended a conversation (neutral `onConversationEnd`). */
  conversationEnded?: boolean;
}

export interface RecordContext {
  store: Store;
  receivedAt: number;
  logger: Logger;
}

/** What the core hands `dispatch`; providers add their own fields (reply, reject, …). */
export interface BaseHookContext {
  provider: string;
  /** The dedupe key of this event: stable across provider retries. */
  eventId: string;
  receivedAt: Date;
  /** Aborted when the hook deadline passes; pass it to fetch() and friends. */
  signal: AbortSignal;
  store: Store;
  logger: Logger;
  recorded: Recorded;
  request: Readonly<WebhookRequest>;
}

export interface VerifyEnv {
  clock: Clock;
  logger: Logger;
}

/**
 * One webhook provider. The built-in routers implement exactly this interface;
 * pass your own in `createSwitchboard({ providers: [...] })` to add another.
 * The core runs: limits → verify → parse → validate → claim → record →
 * dispatch → respond → complete.
 */
export interface Provider<E extends ProviderEvent = ProviderEvent, R = unknown> {
  /** Stable id used in store ids and logs, e.g. `sinch-conversation`. */
  readonly id: string;
  /** Path below the switchboard mount point, e.g. `/sinch/conversation`. Sub-paths match too. */
  readonly path: string;
  /** Accepted HTTP methods (upper case). */
  readonly methods: readonly string[];
  /** Accepted media types without parameters, e.g. `application/json`; empty means any. */
  readonly contentTypes: readonly string[];
  /** How long hooks may run before `fallback('timeout')` answers (ms). */
  readonly hookTimeoutMs: number;
  /**
   * A shorter deadline for some events (e.g. Twilio's pre-action hooks, which
   * must answer inside Twilio's own timeout); `hookTimeoutMs` when absent.
   */
  hookTimeoutFor?(event: E): number;

  /** Throws a SwitchboardError (401) unless the request is authentic and fresh. */
  verify(req: WebhookRequest, env: VerifyEnv): void | Promise<void>;
  /** Throws `malformed_payload` when the bytes are not the provider's format. */
  parse(req: WebhookRequest): E;
  /** Returns the first schema problem, or undefined when the payload fits its schema. */
  validate(event: E): SchemaProblem | undefined;
  /** Identity of the event: the same for a provider retry or a replay, different otherwise. */
  dedupeKey(event: E, req: WebhookRequest): string;
  /** Idempotent writes of what the event says (upserts, monotonic states). */
  record(event: E, ctx: RecordContext): Promise<Recorded>;
  /**
   * Runs the hooks for this event; the result goes to `respond`. `ctx` is made
   * for this call alone: add provider fields with `extendContext` (spreading
   * it would create `ctx.signal` eagerly, which costs more than the rest).
   */
  dispatch(event: E, ctx: BaseHookContext): Promise<R>;
  /** Turns the hooks' result into the HTTP answer the provider expects. */
  respond(result: R, event: E): WebhookResponse;
  /**
   * The answer when hooks are late or throw. Return undefined to release the
   * claim and answer 5xx so the provider retries (the default behaviour).
   */
  fallback?(event: E, reason: 'timeout' | 'error', error?: unknown): WebhookResponse | undefined;
}
