import type {
  Address, Call, CallState, Channel, Contact, Conversation, ConversationState, DeliveryStatus,
  Message, StatusChange, TimelineEntry,
} from '../model/index.js';

/** A response the pipeline sent, kept so a retried event gets exactly the same answer. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  /** UTF-8 text body ('' for none). */
  body: string;
}

export type ClaimResult =
  /** `token` proves ownership to `complete` and `release`. */
  | { state: 'new'; token: string }
  | { state: 'done'; response: StoredResponse }
  | { state: 'in-flight' };

export interface Page {
  /** How many items at most (default 50, capped at 500). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface PageResult<T> {
  items: T[];
  nextCursor?: string;
}

export interface ConversationUpdate {
  id: string;
  provider: string;
  providerId: string;
  channel?: Channel;
  rawChannel?: string;
  contactId?: string;
  contact?: Address;
  /** Merged into the existing list (no duplicates by kind+value). */
  participants?: Address[];
  state?: ConversationState;
  /** Merged key by key into the existing metadata. */
  metadata?: Record<string, string>;
  /** When the provider says this happened (ISO 8601); used for createdAt/updatedAt. */
  at: string;
}

export interface ContactUpdate {
  id: string;
  provider: string;
  providerId: string;
  displayName?: string;
  email?: string;
  language?: string;
  externalId?: string;
  /** Replaces the address list when given. */
  addresses?: Address[];
  deleted?: boolean;
  mergedInto?: string;
  metadata?: Record<string, string>;
  at: string;
}

export interface DeliveryUpdate {
  /** Neutral message id (`provider:providerId`). */
  messageId: string;
  provider: string;
  providerId: string;
  conversationId?: string;
  channel?: Channel;
  rawChannel?: string;
  /** The address the message went to, used when the message is not known yet. */
  to?: Address;
  change: StatusChange;
}

export interface CallUpdate {
  id: string;
  provider: string;
  providerId: string;
  from?: Address;
  to?: Address;
  domain?: string;
  /** Moves the call forward only (ringing → answered → ended). */
  state?: CallState;
  menuResult?: Call['menuResults'][number];
  amd?: Call['amd'];
  result?: string;
  reason?: string;
  durationSec?: number;
  debit?: Call['debit'];
  recording?: Call['recordings'][number];
  cookies?: Record<string, string>;
  at: string;
}

export interface DeadLetter {
  id: string;
  provider: string;
  /** Stable error code, e.g. `schema_violation`. */
  code: string;
  reason: string;
  receivedAt: string;
  /** The raw body as received (UTF-8), so the event can be replayed by hand. */
  rawBody: string;
  headers: Record<string, string>;
}

export interface Store {
  /**
   * Atomically claims an event key. `new` means the caller owns it until
   * `complete` or `release`, or until `leaseMs` passes (a crashed process
   * does not block retries forever).
   */
  claim(key: string, opts: { leaseMs: number }): Promise<ClaimResult>;
  /**
   * Marks the key done and keeps the response for `ttlMs` so retries replay it.
   * Only the claim's owner may do so: if the lease expired and another delivery
   * claimed the key meanwhile, nothing changes and `false` is returned. An
   * expired claim nobody took over is still completed (its hooks did run).
   */
  complete(key: string, token: string, response: StoredResponse, opts: { ttlMs: number }): Promise<boolean>;
  /** Gives the key up so a retry runs the hooks again; a no-op (`false`) unless `token` still owns it. */
  release(key: string, token: string): Promise<boolean>;

  upsertConversation(update: ConversationUpdate): Promise<Conversation>;
  upsertContact(update: ContactUpdate): Promise<Contact>;
  /** Idempotent by `message.id`: a second append returns the stored message and `created: false`. */
  appendMessage(message: Message): Promise<{ message: Message; created: boolean }>;
  /**
   * Applies a status report monotonically (see DELIVERY_RANK). Every report is
   * kept in `statusHistory` (once per rawStatus+at+recipient). If the message
   * is unknown, an outbound stub is created so early reports are not lost.
   */
  applyDelivery(update: DeliveryUpdate): Promise<{ message: Message; applied: boolean }>;
  applyCallEvent(update: CallUpdate): Promise<Call>;

  getConversation(id: string): Promise<Conversation | undefined>;
  listConversations(page?: Page): Promise<PageResult<Conversation>>;
  getMessage(id: string): Promise<Message | undefined>;
  /** Messages of one conversation, newest first. */
  listMessages(conversationId: string, page?: Page): Promise<PageResult<Message>>;
  getContact(id: string): Promise<Contact | undefined>;
  getCall(id: string): Promise<Call | undefined>;
  listCalls(page?: Page): Promise<PageResult<Call>>;
  /** Every message and call whose from/to matches the address value, across providers, newest first. */
  timeline(address: string, page?: Page): Promise<PageResult<TimelineEntry>>;

  deadLetter(entry: DeadLetter): Promise<void>;
  listDeadLetters(page?: Page): Promise<PageResult<DeadLetter>>;

  close?(): Promise<void>;
}

export type { DeliveryStatus };
