import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CALL_RANK, DELIVERY_RANK } from '../model/index.js';
import type {
  Address, Call, Contact, Conversation, DeliveryStatus, Message, StatusChange, TimelineEntry,
} from '../model/index.js';
import type {
  CallUpdate, ClaimResult, ContactUpdate, ConversationUpdate, DeadLetter, DeliveryUpdate, Page,
  PageResult, Store, StoredResponse,
} from './store.js';
import { decodeCursor, encodeCursor, pageLimit, positiveDuration } from './paging.js';
import { atMs, compareAt, copyRecord, historyKey, mergeAddresses } from './records.js';
import { markInProcess } from './in-process.js';

export interface MemoryStoreOptions {
  /** Dedupe keys kept at most (default 100 000). */
  maxEvents?: number;
  /** Messages kept at most (default 100 000). */
  maxMessages?: number;
  /** Conversations kept at most (default 20 000). */
  maxConversations?: number;
  /** Calls kept at most (default 20 000). */
  maxCalls?: number;
  /** Contacts kept at most (default 20 000). */
  maxContacts?: number;
  /** Dead letters kept at most (default 1 000). */
  maxDeadLetters?: number;
  /** How long a record lives after its last write, in ms (default 7 days). */
  ttlMs?: number;
  /** Clock in ms since the epoch (default `Date.now`); drives every lease and TTL. */
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

type EventEntry =
  | { state: 'in-flight'; token: string; expiresAt: number }
  | { state: 'done'; response: StoredResponse; expiresAt: number };

interface MessageEntry {
  message: Message;
  /** Created by an early delivery report; the first append fills in the content. */
  stub: boolean;
}

interface ConversationEntry {
  conversation: Conversation;
  /** The `at` of the update that last set `state`, so a late report cannot undo a newer state. */
  stateAt: string;
}

export interface MemoryStoreStats {
  events: number;
  messages: number;
  conversations: number;
  calls: number;
  contacts: number;
  deadLetters: number;
  /** Distinct address values in the timeline index. */
  timelineAddresses: number;
  /** Record references held by the timeline index (one per record and address). */
  timelineRefs: number;
  /** Message references held by the conversation index. */
  conversationMessageRefs: number;
}

const statsByStore = new WeakMap<Store, () => MemoryStoreStats>();

/**
 * Sizes of a memory store's caches and indexes. Diagnostic only: lets tests
 * prove the secondary indexes shrink with the LRU instead of leaking.
 */
export function memoryStoreStats(store: Store): MemoryStoreStats | undefined {
  return statsByStore.get(store)?.();
}

/** Claim tokens only need to be unique: a per-process random prefix and a counter, no entropy per claim. */
const TOKEN_PREFIX = randomBytes(9).toString('base64url');
let tokenCounter = 0;
const nextToken = (): string => `${TOKEN_PREFIX}.${(tokenCounter += 1).toString(36)}`;

export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const ttlMs = positiveDuration(options.ttlMs ?? 7 * DAY_MS, 'ttlMs');
  // lru-cache takes a start time of 0 to mean "no TTL", so a test clock that
  // starts at 0 would never expire anything; the offset keeps differences intact.
  const perf = { now: () => now() + 1 };
  // Resolution 0: an injected clock must be read on every check, not cached behind a timer.
  // Bounded by maxSize with every entry counting 1 rather than by `max`: `max`
  // preallocates typed arrays for the whole capacity, which costs ~60 ms per
  // store at the defaults, paid by every test that builds a pipeline.
  const lruBase = { perf, ttlResolution: 0, ttl: lruTtl(ttlMs), noDisposeOnSet: true, sizeCalculation: () => 1 } as const;

  const convMessages = new MultiIndex();
  const timelineIndex = new MultiIndex();

  const events = new LRUCache<string, EventEntry>({
    ...lruBase,
    maxSize: positiveCount(options.maxEvents ?? 100_000, 'maxEvents'),
  });
  const messages = new LRUCache<string, MessageEntry>({
    ...lruBase,
    maxSize: positiveCount(options.maxMessages ?? 100_000, 'maxMessages'),
    dispose: (value) => unindexMessage(value.message),
  });
  const conversations = new LRUCache<string, ConversationEntry>({
    ...lruBase,
    maxSize: positiveCount(options.maxConversations ?? 20_000, 'maxConversations'),
  });
  const calls = new LRUCache<string, Call>({
    ...lruBase,
    maxSize: positiveCount(options.maxCalls ?? 20_000, 'maxCalls'),
    dispose: (value) => unindexCall(value),
  });
  const contacts = new LRUCache<string, Contact>({
    ...lruBase,
    maxSize: positiveCount(options.maxContacts ?? 20_000, 'maxContacts'),
  });
  const deadLetters = new LRUCache<string, DeadLetter>({
    ...lruBase,
    maxSize: positiveCount(options.maxDeadLetters ?? 1_000, 'maxDeadLetters'),
  });

  function indexMessage(m: Message): void {
    if (m.conversationId !== undefined) convMessages.add(m.conversationId, m.id);
    timelineIndex.addEach(m.from?.value, m.to?.value, `m:${m.id}`);
  }
  function unindexMessage(m: Message): void {
    if (m.conversationId !== undefined) convMessages.remove(m.conversationId, m.id);
    timelineIndex.removeEach(m.from?.value, m.to?.value, `m:${m.id}`);
  }
  function indexCall(c: Call): void {
    timelineIndex.addEach(c.from?.value, c.to?.value, `c:${c.id}`);
  }
  function unindexCall(c: Call): void {
    timelineIndex.removeEach(c.from?.value, c.to?.value, `c:${c.id}`);
  }

  // The index is updated by hand around `set` because `noDisposeOnSet` keeps
  // lru-cache from reporting overwrites; evictions and expiries go through `dispose`.
  function putMessage(entry: MessageEntry, previous: Message | undefined): void {
    if (previous) unindexMessage(previous);
    messages.set(entry.message.id, entry);
    indexMessage(entry.message);
  }
  function putCall(call: Call, previous: Call | undefined): void {
    if (previous) unindexCall(previous);
    calls.set(call.id, call);
    indexCall(call);
  }

  const store: Store = {
    async claim(key, opts): Promise<ClaimResult> {
      const leaseMs = positiveDuration(opts.leaseMs, 'leaseMs');
      const t = now();
      const existing = events.get(key);
      // Checked against our own expiry too, so the answer never depends on lru-cache's
      // staleness rounding (it only treats an entry as stale strictly after its TTL).
      if (existing && t < existing.expiresAt) {
        return existing.state === 'done'
          ? { state: 'done', response: copyRecord(existing.response) }
          : { state: 'in-flight' };
      }
      const token = nextToken();
      events.set(key, { state: 'in-flight', token, expiresAt: t + leaseMs }, { ttl: lruTtl(leaseMs) });
      return { state: 'new', token };
    },

    async complete(key, token, response, opts): Promise<boolean> {
      const keepMs = positiveDuration(opts.ttlMs, 'ttlMs');
      const t = now();
      const existing = events.get(key);
      const live = existing && t < existing.expiresAt ? existing : undefined;
      if (live && !(live.state === 'in-flight' && live.token === token)) return false;
      events.set(key, { state: 'done', response: copyRecord(response), expiresAt: t + keepMs }, { ttl: lruTtl(keepMs) });
      return true;
    },

    async release(key, token): Promise<boolean> {
      const existing = events.get(key);
      if (!existing || existing.state !== 'in-flight' || existing.token !== token) return false;
      events.delete(key);
      return true;
    },

    async upsertConversation(update: ConversationUpdate): Promise<Conversation> {
      const existing = conversations.get(update.id);
      let entry: ConversationEntry;
      // Built from the caller's objects, then copied once: the copy is what we keep.
      if (!existing) {
        entry = {
          stateAt: update.at,
          conversation: {
            id: update.id,
            provider: update.provider,
            providerId: update.providerId,
            channel: update.channel,
            rawChannel: update.rawChannel,
            contactId: update.contactId,
            contact: update.contact,
            participants: mergeAddresses([], update.participants ?? []),
            state: update.state ?? 'active',
            metadata: { ...update.metadata },
            createdAt: update.at,
            updatedAt: update.at,
          },
        };
      } else {
        const c = existing.conversation;
        const takeState = update.state !== undefined && compareAt(update.at, existing.stateAt) >= 0;
        entry = {
          stateAt: takeState ? update.at : existing.stateAt,
          conversation: {
            ...c,
            channel: update.channel ?? c.channel,
            rawChannel: update.rawChannel ?? c.rawChannel,
            contactId: update.contactId ?? c.contactId,
            contact: update.contact ?? c.contact,
            participants: mergeAddresses(c.participants, update.participants ?? []),
            state: takeState && update.state ? update.state : c.state,
            metadata: { ...c.metadata, ...update.metadata },
            createdAt: minAt(c.createdAt, update.at),
            updatedAt: maxAt(c.updatedAt, update.at),
          },
        };
      }
      entry = copyRecord(entry);
      conversations.set(update.id, entry);
      return copyRecord(entry.conversation);
    },

    async upsertContact(update: ContactUpdate): Promise<Contact> {
      const c = contacts.get(update.id);
      const next: Contact = copyRecord({
        id: update.id,
        provider: update.provider,
        providerId: update.providerId,
        displayName: update.displayName ?? c?.displayName,
        email: update.email ?? c?.email,
        language: update.language ?? c?.language,
        externalId: update.externalId ?? c?.externalId,
        addresses: update.addresses ? mergeAddresses([], update.addresses) : (c?.addresses ?? []),
        deleted: update.deleted ?? c?.deleted,
        mergedInto: update.mergedInto ?? c?.mergedInto,
        metadata: { ...c?.metadata, ...update.metadata },
        updatedAt: c ? maxAt(c.updatedAt, update.at) : update.at,
      });
      contacts.set(update.id, next);
      return copyRecord(next);
    },

    async appendMessage(message: Message): Promise<{ message: Message; created: boolean }> {
      const existing = messages.get(message.id);
      if (existing && !existing.stub) {
        return { message: copyRecord(existing.message), created: false };
      }
      let stored: Message;
      if (!existing) {
        stored = copyRecord(message);
        if (stored.statusHistory.length > 1) stored.statusHistory = sortHistory(dedupeHistory(stored.statusHistory));
      } else {
        // The stub only knew what the delivery reports said; the append is the
        // message itself, so its content wins while the reports already seen
        // (and the status they reached) are kept.
        const stub = existing.message;
        const incoming = message;
        const history = sortHistory(dedupeHistory([...stub.statusHistory, ...incoming.statusHistory]));
        stored = copyRecord({
          ...incoming,
          conversationId: incoming.conversationId ?? stub.conversationId,
          rawChannel: incoming.rawChannel ?? stub.rawChannel,
          to: incoming.to ?? stub.to,
          metadata: { ...stub.metadata, ...incoming.metadata },
          status: maxStatus(stub.status, incoming.status),
          statusHistory: history,
          updatedAt: maxAt(stub.updatedAt, incoming.updatedAt),
        });
      }
      putMessage({ message: stored, stub: false }, existing?.message);
      // The first append of a message counts as its creation even when early
      // delivery reports got there first.
      return { message: copyRecord(stored), created: true };
    },

    async applyDelivery(update: DeliveryUpdate): Promise<{ message: Message; applied: boolean }> {
      const existing = messages.get(update.messageId);
      const change = copyRecord(update.change);
      if (!existing) {
        const stub: Message = compact({
          id: update.messageId,
          provider: update.provider,
          providerId: update.providerId,
          conversationId: update.conversationId,
          direction: 'outbound' as const,
          channel: update.channel ?? 'OTHER',
          rawChannel: update.rawChannel,
          to: update.to,
          media: [],
          kind: 'unknown',
          metadata: {},
          status: change.status,
          statusHistory: [change],
          createdAt: change.at,
          updatedAt: change.at,
        });
        putMessage({ message: stub, stub: true }, undefined);
        return { message: copyRecord(stub), applied: true };
      }
      const m = existing.message;
      if (m.statusHistory.some((h) => historyKey(h) === historyKey(change))) {
        return { message: copyRecord(m), applied: false };
      }
      const status = maxStatus(m.status, change.status);
      const next: Message = compact({
        ...m,
        // Reports can carry what an early stub did not know yet.
        conversationId: m.conversationId ?? update.conversationId,
        to: m.to ?? update.to,
        rawChannel: m.rawChannel ?? update.rawChannel,
        channel: existing.stub && m.channel === 'OTHER' && update.channel ? update.channel : m.channel,
        status,
        statusHistory: sortHistory([...m.statusHistory, change]),
        updatedAt: maxAt(m.updatedAt, change.at),
      });
      putMessage({ message: next, stub: existing.stub }, m);
      return { message: copyRecord(next), applied: status !== m.status };
    },

    async applyCallEvent(update: CallUpdate): Promise<Call> {
      const c = calls.get(update.id);
      const u = copyRecord(update);
      const state = !c
        ? (u.state ?? 'ringing')
        : u.state !== undefined && CALL_RANK[u.state] > CALL_RANK[c.state] ? u.state : c.state;
      const next: Call = compact({
        id: u.id,
        provider: u.provider,
        providerId: u.providerId,
        from: u.from ?? c?.from,
        to: u.to ?? c?.to,
        domain: u.domain ?? c?.domain,
        state,
        menuResults: appendUnique(c?.menuResults ?? [], u.menuResult),
        amd: u.amd ?? c?.amd,
        result: u.result ?? c?.result,
        reason: u.reason ?? c?.reason,
        durationSec: u.durationSec ?? c?.durationSec,
        debit: u.debit ?? c?.debit,
        recordings: appendUnique(c?.recordings ?? [], u.recording),
        cookies: { ...c?.cookies, ...u.cookies },
        createdAt: c ? minAt(c.createdAt, u.at) : u.at,
        updatedAt: c ? maxAt(c.updatedAt, u.at) : u.at,
      });
      putCall(next, c);
      return copyRecord(next);
    },

    async getConversation(id) {
      return cloneOpt(conversations.get(id)?.conversation);
    },

    async listConversations(page) {
      const rows: Row<Conversation>[] = [];
      for (const { conversation } of conversations.values()) {
        rows.push({ ms: atMs(conversation.updatedAt), key: conversation.id, value: conversation });
      }
      return paginate(rows, page);
    },

    async getMessage(id) {
      return cloneOpt(messages.get(id)?.message);
    },

    async listMessages(conversationId, page) {
      const rows: Row<Message>[] = [];
      for (const id of convMessages.get(conversationId)) {
        const m = messages.get(id)?.message;
        if (m) rows.push({ ms: atMs(m.createdAt), key: m.id, value: m });
      }
      return paginate(rows, page);
    },

    async getContact(id) {
      return cloneOpt(contacts.get(id));
    },

    async getCall(id) {
      return cloneOpt(calls.get(id));
    },

    async listCalls(page) {
      const rows: Row<Call>[] = [];
      for (const call of calls.values()) rows.push({ ms: atMs(call.createdAt), key: call.id, value: call });
      return paginate(rows, page);
    },

    async timeline(address, page): Promise<PageResult<TimelineEntry>> {
      const rows: Row<TimelineEntry>[] = [];
      for (const ref of timelineIndex.get(address)) {
        const id = ref.slice(2);
        if (ref.startsWith('m:')) {
          const m = messages.get(id)?.message;
          if (m) {
            rows.push({
              ms: atMs(m.createdAt),
              key: ref,
              value: { type: 'message', at: m.createdAt, provider: m.provider, channel: m.channel, message: m },
            });
          }
        } else {
          const c = calls.get(id);
          if (c) {
            rows.push({
              ms: atMs(c.createdAt),
              key: ref,
              value: { type: 'call', at: c.createdAt, provider: c.provider, channel: 'VOICE', call: c },
            });
          }
        }
      }
      return paginate(rows, page);
    },

    async deadLetter(entry) {
      deadLetters.set(entry.id, copyRecord(entry));
    },

    async listDeadLetters(page) {
      const rows: Row<DeadLetter>[] = [];
      for (const entry of deadLetters.values()) {
        rows.push({ ms: atMs(entry.receivedAt), key: entry.id, value: entry });
      }
      return paginate(rows, page);
    },

    async close() {
      for (const cache of [events, messages, conversations, calls, contacts, deadLetters]) cache.clear();
      convMessages.clear();
      timelineIndex.clear();
    },
  };

  statsByStore.set(store, () => ({
    events: events.size,
    messages: messages.size,
    conversations: conversations.size,
    calls: calls.size,
    contacts: contacts.size,
    deadLetters: deadLetters.size,
    timelineAddresses: timelineIndex.keys,
    timelineRefs: timelineIndex.refs,
    conversationMessageRefs: convMessages.refs,
  }));
  return markInProcess(store);
}

/** key → set of ids; empty sets are dropped so the index never outgrows the records. */
class MultiIndex {
  #map = new Map<string, Set<string>>();
  #refs = 0;

  add(key: string, id: string): void {
    let set = this.#map.get(key);
    if (!set) this.#map.set(key, (set = new Set()));
    if (!set.has(id)) {
      set.add(id);
      this.#refs++;
    }
  }

  remove(key: string, id: string): void {
    const set = this.#map.get(key);
    if (set?.delete(id)) {
      this.#refs--;
      if (set.size === 0) this.#map.delete(key);
    }
  }

  /** A snapshot: reading records may expire them, which edits the live set. */
  /** Under both keys (either may be missing or empty, or both the same). */
  addEach(a: string | undefined, b: string | undefined, id: string): void {
    if (a) this.add(a, id);
    if (b && b !== a) this.add(b, id);
  }

  removeEach(a: string | undefined, b: string | undefined, id: string): void {
    if (a) this.remove(a, id);
    if (b && b !== a) this.remove(b, id);
  }

  get(key: string): string[] {
    const set = this.#map.get(key);
    return set ? [...set] : [];
  }

  clear(): void {
    this.#map.clear();
    this.#refs = 0;
  }

  get keys(): number {
    return this.#map.size;
  }

  get refs(): number {
    return this.#refs;
  }
}

interface Row<T> {
  ms: number;
  key: string;
  value: T;
}

function paginate<T>(rows: Row<T>[], page: Page | undefined): PageResult<T> {
  rows.sort((a, b) => b.ms - a.ms || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const limit = pageLimit(page?.limit);
  let start = 0;
  if (page?.cursor !== undefined) {
    // Keyset rather than offset: items written between two page reads do not
    // shift later pages, so nothing is repeated or skipped.
    const after = decodeCursor(page.cursor);
    start = rows.findIndex((r) => r.ms < after.ms || (r.ms === after.ms && r.key < after.key));
    if (start === -1) start = rows.length;
  }
  const slice = rows.slice(start, start + limit);
  const result: PageResult<T> = { items: slice.map((r) => copyRecord(r.value)) };
  const last = slice[slice.length - 1];
  if (last && start + limit < rows.length) result.nextCursor = encodeCursor(last.ms, last.key);
  return result;
}

function maxAt(a: string, b: string): string {
  return compareAt(b, a) > 0 ? b : a;
}

function minAt(a: string, b: string): string {
  return compareAt(b, a) < 0 ? b : a;
}

function maxStatus(a: DeliveryStatus, b: DeliveryStatus): DeliveryStatus {
  return DELIVERY_RANK[b] > DELIVERY_RANK[a] ? b : a;
}


function dedupeHistory(history: StatusChange[]): StatusChange[] {
  const seen = new Set<string>();
  return history.filter((h) => {
    const k = historyKey(h);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Stable, so reports with the same time keep their arrival order. */
function sortHistory(history: StatusChange[]): StatusChange[] {
  return history
    .map((h, i) => ({ h, i }))
    .sort((a, b) => compareAt(a.h.at, b.h.at) || a.i - b.i)
    .map(({ h }) => h);
}



/** Appends unless an identical item (same content and `at`) is already there; kept in time order. */
function appendUnique<T extends { at: string }>(list: T[], item: T | undefined): T[] {
  if (!item) return list;
  const key = canonical(item);
  if (list.some((x) => canonical(x) === key)) return list;
  return [...list, item]
    .map((x, i) => ({ x, i }))
    .sort((a, b) => compareAt(a.x.at, b.x.at) || a.i - b.i)
    .map(({ x }) => x);
}

/** JSON with sorted keys and no undefined members, so equal content compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * A shallow copy without the members set to undefined, so stored records look
 * the same as after a JSON round trip (what other stores return). A copy, not
 * `delete`: deleting turns an object into a slow dictionary for V8.
 */
function compact<T extends object>(value: T): T {
  const out = {} as T;
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined) out[key] = value[key];
  }
  return out;
}

function cloneOpt<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copyRecord(value);
}

function positiveCount(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}


/** lru-cache only accepts positive integer TTLs. */
function lruTtl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
