/**
 * `redisStore` — the Store on Redis, for several app instances sharing state.
 *
 * Key layout (P = keyPrefix, default `sb:`):
 *
 *   P evt:{<event key>}              string  claim: 'f<token>' PX lease, then 'd<response>' PX dedupe TTL
 *   P {P data}:msg:<id>              hash    message (fields: see redis-scripts.ts)
 *   P {P data}:conv:<id>             hash    conversation
 *   P {P data}:contact:<id>          hash    contact
 *   P {P data}:call:<id>             hash    call
 *   P {P data}:dl:<id>               string  dead letter (JSON)
 *   P {P data}:cm:<conversation id>  zset    message ids of a conversation, by createdAt
 *   P {P data}:convs                 zset    conversation ids, by updatedAt
 *   P {P data}:calls                 zset    call ids, by createdAt
 *   P {P data}:dls                   zset    dead-letter ids, by receivedAt
 *   P {P data}:tl:<address value>    zset    'm:<id>' / 'c:<id>' of one address, by createdAt
 *   P {P data}:exp                   zset    one entry per index entry, scored by its record's expiry
 *
 * Cluster: a Lua script may only touch keys of one slot. Claims carry the event
 * key as their hash tag, so the dedupe keys — the bulk of the key count and of
 * the traffic — spread over the whole cluster. Everything else shares one tag
 * per store: appending one message has to update the message, its
 * conversation's index and the timelines of two addresses, and a stub merge
 * or a call event has to find and move index entries it only learns about
 * inside the script (the previous `to`, the previous conversation). Tags per
 * conversation or per address would split those into several scripts and lose
 * the atomicity the memory store has (and the conformance suite checks). The
 * price: one store's records and indexes live on one node. The tag contains
 * the prefix, so stores with different prefixes (one per tenant or app) land
 * on different nodes.
 *
 * TTL: every record expires `ttlMs` after its last write (PEXPIRE on each
 * write, like the memory store's LRU TTL); claims and stored responses carry
 * PX. Index sorted sets get their TTL extended on every write, and each index
 * entry has a twin in `exp` scored by its record's expiry: every write removes
 * up to 200 entries whose record has expired, and reads skip entries whose
 * record is gone. So no key lives longer than `ttlMs` after the last write
 * that touched it, and indexes shrink with their records. No KEYS or SCAN.
 *
 * Round trips: each method is one EVALSHA (or one HGETALL), issued
 * synchronously, with the script's arguments packed into one MessagePack
 * string (pack-args.ts) and, for a record the script created, a reply without
 * the hash (the store rebuilds it from what it sent). The commands issued in
 * one synchronous turn (a webhook's claim and record writes) leave in one
 * socket write: the store corks the connection until process.nextTick. So
 * claim+record is one round trip and `complete` the second. ioredis'
 * auto-pipelining batches until setImmediate instead, i.e. across every
 * webhook of an event-loop turn; that made the app and Redis take turns
 * rather than work in parallel (a third fewer webhooks per second at 32
 * concurrent), so clients made from `url` leave it off.
 *
 * Faults: a client made from `url` does not queue commands while
 * disconnected, so a store call fails at once (or after `commandTimeoutMs`
 * when Redis hangs) and the engine answers 503; it reconnects in the
 * background for as long as it takes. A claim whose answer was lost may still
 * have landed: the store releases it (by token, so only that claim) as soon as
 * Redis answers again, so the provider's retry is not blocked for the whole
 * lease.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { CALL_RANK, DELIVERY_RANK } from '../model/index.js';
import type {
  Address, Call, Contact, Conversation, Message, StatusChange, TimelineEntry,
} from '../model/index.js';
import {
  APPEND_MESSAGE, APPLY_CALL_EVENT, APPLY_DELIVERY, CLAIM, COMPLETE, DEAD_LETTER, PAGE, RELEASE,
  UPSERT_CONTACT, UPSERT_CONVERSATION,
} from './redis-scripts.js';
import type {
  CallUpdate, ClaimResult, ContactUpdate, ConversationUpdate, DeadLetter, DeliveryUpdate, Page,
  PageResult, Store, StoredResponse,
} from './store.js';
import { decodeCursor, encodeCursor, pageLimit, positiveDuration } from './paging.js';
import { packArgs } from './pack-args.js';
import { setOwn } from '../core/own.js';
import { compareAt, historyKey, mergeAddresses } from './records.js';

export interface RedisStoreOptions {
  /** Prepended to every key (default `sb:`). Part of the hash tag, so it must not contain `{` or `}`. */
  keyPrefix?: string;
  /** How long a record lives after its last write, in ms (default 7 days). */
  ttlMs?: number;
  /**
   * Longest a single Redis command may take before the store call fails, in ms
   * (default 1000). Keep it below the switchboard's `storeTimeoutMs` (default
   * 2000) so the store, not the engine, gives up first and can clean up a
   * claim whose answer it never saw.
   */
  commandTimeoutMs?: number;
  /**
   * Extra ioredis options for the client made from `url` (ignored with
   * `client`). The defaults are chosen for webhooks: no auto-pipelining (the
   * store batches each webhook's commands itself), no offline queue, no
   * retries of a sent command, endless reconnects.
   */
  redisOptions?: RedisOptions;
  /** Connection errors of the client made from `url` (reconnects are automatic). Passwords are redacted. */
  onConnectionError?: (error: Error) => void;
}

export type RedisStoreConnection =
  /** redis://[user:password@]host:port[/db] or rediss://…; the store owns and closes this client. */
  | { url: string; client?: undefined }
  /**
   * A client of your own (standalone or cluster). The store defines its scripts
   * on it and never closes it. A standalone client needs no
   * `enableAutoPipelining`: the store sends a webhook's claim and record
   * writes in one socket write itself.
   */
  | { client: Redis | Cluster; url?: undefined };

export type RedisStoreConfig = RedisStoreConnection & RedisStoreOptions;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Claims whose release is still owed; beyond this the oldest are left to their lease. */
const MAX_PENDING_RELEASES = 10_000;

type Reply = unknown;
type ScriptFn = (key: string, ...args: Array<string | number | Buffer>) => Promise<Reply>;

/** What the store needs of an ioredis client; both Redis and Cluster have it. */
interface ClientLike {
  status: string;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  hgetall(key: string): Promise<Record<string, string>>;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

const SCRIPTS = {
  claim: CLAIM,
  complete: COMPLETE,
  release: RELEASE,
  appendMessage: APPEND_MESSAGE,
  applyDelivery: APPLY_DELIVERY,
  upsertConversation: UPSERT_CONVERSATION,
  upsertContact: UPSERT_CONTACT,
  applyCallEvent: APPLY_CALL_EVENT,
  deadLetter: DEAD_LETTER,
  page: PAGE,
} as const;
type ScriptName = keyof typeof SCRIPTS;

// Named by content, so two switchboard versions sharing one client never run each other's Lua.
const COMMAND_NAMES = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, lua]) => [name, `switchboard_${name}_${createHash('sha1').update(lua).digest('hex').slice(0, 10)}`]),
) as Record<ScriptName, string>;

export function redisStore(config: RedisStoreConfig): Store {
  if (!config || typeof config !== 'object') throw new TypeError('redisStore: pass { url } or { client }.');
  const prefix = config.keyPrefix ?? 'sb:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new RangeError('redisStore: keyPrefix must be a string without "{" or "}" (it is part of the cluster hash tag).');
  }
  const ttlMs = pxMs(config.ttlMs ?? 7 * DAY_MS, 'ttlMs');
  const commandTimeoutMs = positiveDuration(config.commandTimeoutMs ?? 1000, 'commandTimeoutMs');

  let client: ClientLike;
  let owned: boolean;
  let secrets: string[] = [];
  if (typeof config.url === 'string') {
    const parsed = parseRedisUrl(config.url);
    secrets = parsed.secrets;
    const options: RedisOptions = {
      enableAutoPipelining: false,
      // Queued commands would run whenever Redis returns, long after the
      // provider got its 503; a claim run that late blocks the retry.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // No ioredis commandTimeout: run() already bounds every call by
      // commandTimeoutMs, and a second timer per command cost ~10 µs a webhook.
      connectTimeout: Math.max(commandTimeoutMs, 2000),
      // Never give up; stay close behind a restarting Redis.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
      ...config.redisOptions,
    };
    if (typeof options.password === 'string' && options.password) secrets.push(options.password);
    client = new Redis(config.url, options) as unknown as ClientLike;
    owned = true;
  } else if (config.client && typeof config.client === 'object') {
    client = config.client as unknown as ClientLike;
    owned = false;
  } else {
    throw new TypeError('redisStore: pass { url: "redis://…" } or { client: new Redis(…) }.');
  }

  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };

  for (const [name, lua] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
    const command = COMMAND_NAMES[name];
    if (typeof (client as unknown as Record<string, unknown>)[command] !== 'function') {
      client.defineCommand(command, { lua, numberOfKeys: 1 });
    }
  }
  const scripts = Object.fromEntries(
    (Object.keys(SCRIPTS) as ScriptName[]).map((name) => {
      const fn = (client as unknown as Record<string, ScriptFn>)[COMMAND_NAMES[name]]!;
      return [name, fn.bind(client)];
    }),
  ) as Record<ScriptName, ScriptFn>;

  const base = `${prefix}{${prefix}data}:`;
  const eventKey = (key: string): string => `${prefix}evt:{${key}}`;

  let everReady = client.status === 'ready';
  let closed = false;
  const pendingReleases = new Map<string, { key: string; token: string; until: number }>();
  const releasing = new Set<string>();

  const readyWaiters = new Set<() => void>();
  const onReady = (): void => {
    everReady = true;
    for (const waiter of [...readyWaiters]) waiter();
    readyWaiters.clear();
    flushReleases();
  };
  const onError = (err: unknown): void => {
    if (!owned || !config.onConnectionError) return;
    const error = new Error(`redisStore: ${scrub(describe(err))}`);
    try {
      config.onConnectionError(error);
    } catch {
      // a throwing listener must not take the client's error handling down
    }
  };
  client.on('ready', onReady);
  // Owned clients always get a listener: ioredis prints unhandled error events itself.
  if (owned) client.on('error', onError);

  /**
   * Before the first connection, commands wait for it (bounded); after that a
   * disconnected client fails them at once, which is what the engine needs.
   */
  function gate(): Promise<void> | undefined {
    if (closed) return Promise.reject(storeError('call', 'the store is closed', true));
    if (everReady || client.status === 'ready') return undefined;
    return new Promise<void>((resolve, reject) => {
      // One waiter per call, one client listener per store: a burst of calls at start-up adds no listeners.
      const waiter = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        readyWaiters.delete(waiter);
        reject(storeError('connect', `Redis did not become ready within ${commandTimeoutMs} ms`, true));
      }, commandTimeoutMs);
      timer.unref?.();
      readyWaiters.add(waiter);
      if (client.status === 'wait') client.connect().catch(() => undefined);
    });
  }

  /** Failures of commands that provably never left this process (nothing to clean up in Redis). */
  const unsent = new WeakSet<Error>();

  function storeError(op: string, reason: string, neverSent = false): Error {
    const err = new Error(`redisStore ${op} failed: ${scrub(reason)}`);
    err.name = 'RedisStoreError';
    if (neverSent) unsent.add(err);
    return err;
  }

  function translate(op: string, err: unknown): Error {
    if (err instanceof Error && err.name === 'RedisStoreError') return err;
    const message = describe(err);
    // Refused before a byte was written: there is no offline queue to hold it.
    if (/enableOfflineQueue|Stream isn't writeable/i.test(message)) {
      return storeError(op, 'Redis is not connected (the client reconnects in the background)', true);
    }
    // Also used when a client gives up and flushes commands already sent, so it may have run.
    if (/Connection is closed/i.test(message)) return storeError(op, 'the Redis connection is closed');
    if (/timed out/i.test(message)) return storeError(op, `Redis did not answer within ${commandTimeoutMs} ms`);
    if (/cmsgpack/.test(message)) {
      return storeError(op, "this server's Lua has no cmsgpack library, which the store's scripts need (every Redis since 2.6 and Valkey have it)");
    }
    return storeError(op, message);
  }

  let corked: NodeJS.WritableStream | undefined;
  /** Holds this turn's writes on the connection until process.nextTick, so they leave as one. */
  function batchTurn(): void {
    if (corked) return;
    // A Cluster has one connection per node and no `stream`; its commands go out as issued.
    const stream = (client as { stream?: unknown }).stream as (NodeJS.WritableStream & { cork?: () => void; uncork?: () => void }) | undefined;
    if (!stream || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
    corked = stream;
    stream.cork();
    process.nextTick(() => {
      corked = undefined;
      stream.uncork!();
    });
  }

  /**
   * Sends at once when connected (batched with the rest of this turn) and
   * bounds the wait; `onLate` sees an answer that came after the caller was
   * already told the call failed.
   */
  function run<T>(op: string, send: () => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    const waiting = gate();
    let raw: Promise<T>;
    try {
      if (!waiting) batchTurn();
      raw = waiting ? waiting.then(send) : send();
    } catch (err) {
      raw = Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(storeError(op, `Redis did not answer within ${commandTimeoutMs} ms`));
      }, commandTimeoutMs);
      timer.unref?.();
      raw.then(
        (value) => {
          if (settled) {
            onLate?.(value);
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(value);
          if (pendingReleases.size > releasing.size) flushReleases();
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(translate(op, err));
        },
      );
    });
  }

  /** A claim whose outcome we never learned may hold the key; give it back once Redis answers. */
  function oweRelease(key: string, token: string, leaseMs: number): void {
    if (closed) return;
    const id = `${token}\n${key}`;
    pendingReleases.set(id, { key, token, until: Date.now() + leaseMs });
    while (pendingReleases.size > MAX_PENDING_RELEASES) {
      const oldest = pendingReleases.keys().next().value;
      if (oldest === undefined) break;
      pendingReleases.delete(oldest);
    }
    // Sent at once: on a connection that is alive but slow, it queues right
    // behind the claim and runs the moment Redis gets to it.
    attemptRelease(id);
  }

  function attemptRelease(id: string): void {
    const owed = pendingReleases.get(id);
    if (!owed || releasing.has(id) || closed) return;
    if (owed.until <= Date.now()) {
      // The lease has run out by itself; nothing left to give back.
      pendingReleases.delete(id);
      return;
    }
    releasing.add(id);
    // Token-checked: a no-op unless that very claim still holds the key.
    run('release', () => scripts.release(owed.key, owed.token)).then(
      () => {
        releasing.delete(id);
        pendingReleases.delete(id);
      },
      () => {
        // still owed; tried again on the next answer or reconnect
        releasing.delete(id);
      },
    );
  }

  function flushReleases(): void {
    for (const id of [...pendingReleases.keys()]) attemptRelease(id);
  }

  async function page<T>(
    index: string,
    kind: 'msg' | 'conv' | 'call' | 'dl' | 'tl',
    pageOpts: Page | undefined,
    toItem: (record: unknown) => T,
  ): Promise<PageResult<T>> {
    const limit = pageLimit(pageOpts?.limit);
    const after = pageOpts?.cursor !== undefined ? decodeCursor(pageOpts.cursor) : undefined;
    const reply = await run('page', () =>
      scripts.page(base, index, kind, limit, after ? String(after.ms) : '', after ? after.key : ''),
    );
    const rows = asArray(reply);
    const more = Number(rows[0]) === 1;
    const items: T[] = [];
    let last: { ms: number; key: string } | undefined;
    for (let i = 1; i + 2 < rows.length; i += 3) {
      const member = String(rows[i]);
      const ms = Number(rows[i + 1]);
      items.push(toItem(kind === 'tl' ? { member, record: rows[i + 2] } : rows[i + 2]));
      last = { ms, key: member };
    }
    const result: PageResult<T> = { items };
    if (more && last) result.nextCursor = encodeCursor(last.ms, last.key);
    return result;
  }

  const store: Store = {
    async claim(key, opts): Promise<ClaimResult> {
      const leaseMs = pxMs(opts.leaseMs, 'leaseMs');
      // Made here, not in Lua, so a claim whose answer is lost can still be released.
      const token = randomUUID();
      const k = eventKey(key);
      return run('claim', () => scripts.claim(k, token, leaseMs), (late) => {
        if (late === 'n') oweRelease(k, token, leaseMs);
      }).then(
        (reply): ClaimResult => {
          const v = String(reply);
          if (v === 'n') return { state: 'new', token };
          if (v.startsWith('d')) return { state: 'done', response: JSON.parse(v.slice(1)) as StoredResponse };
          return { state: 'in-flight' };
        },
        (err: unknown) => {
          // A timeout or a connection lost mid-command: the claim may have run.
          if (!(err instanceof Error && unsent.has(err))) oweRelease(k, token, leaseMs);
          throw err;
        },
      );
    },

    async complete(key, token, response, opts): Promise<boolean> {
      const keepMs = pxMs(opts.ttlMs, 'ttlMs');
      const json = JSON.stringify(response);
      return run('complete', () => scripts.complete(eventKey(key), token, json, keepMs)).then((r) => Number(r) === 1);
    },

    async release(key, token): Promise<boolean> {
      return run('release', () => scripts.release(eventKey(key), token)).then((r) => Number(r) === 1);
    },

    async upsertConversation(update: ConversationUpdate): Promise<Conversation> {
      const create = pairs({ id: update.id, provider: update.provider, providerId: update.providerId });
      const given = pairs({ channel: update.channel, rawChannel: update.rawChannel, contactId: update.contactId, contact: update.contact });
      const participants: string[] = [];
      const merged = mergeAddresses([], update.participants ?? []);
      participants.push(String(merged.length));
      for (const a of merged) participants.push(addressField(a), JSON.stringify(a), a.displayName !== undefined ? '1' : '');
      const meta = mapPairs('m:', update.metadata);
      const stateJson = JSON.stringify(update.state ?? null);
      const atJson = JSON.stringify(update.at);
      const args = [
        ttlMs, update.id, ...create, ...given,
        update.state !== undefined ? '1' : '', stateJson,
        timeArg(update.at), atJson, score(update.at),
        ...participants, ...meta,
      ];
      return run('upsertConversation', () => scripts.upsertConversation(base, packArgs(args))).then((reply) =>
        toConversation(
          storedHash(reply, () => {
            // What the script's first-write branch stores.
            const extra = ['f:state', update.state !== undefined ? stateJson : '"active"', 'f:createdAt', atJson, 'f:updatedAt', atJson];
            for (let i = 1, seq = 1; i < participants.length; i += 3, seq++) extra.push(participants[i]!, `${seq} ${participants[i + 1]!}`);
            return createdHash([create, given, meta], extra);
          }).hash,
        ),
      );
    },

    async upsertContact(update: ContactUpdate): Promise<Contact> {
      const given = pairs({
        id: update.id,
        provider: update.provider,
        providerId: update.providerId,
        displayName: update.displayName,
        email: update.email,
        language: update.language,
        externalId: update.externalId,
        addresses: update.addresses ? mergeAddresses([], update.addresses) : undefined,
        deleted: update.deleted,
        mergedInto: update.mergedInto,
      });
      const fresh = pairs({ addresses: update.addresses ? undefined : [] });
      const meta = mapPairs('m:', update.metadata);
      const atJson = JSON.stringify(update.at);
      const args = [ttlMs, update.id, ...given, ...fresh, timeArg(update.at), atJson, ...meta];
      return run('upsertContact', () => scripts.upsertContact(base, packArgs(args))).then((reply) =>
        toContact(storedHash(reply, () => createdHash([given, fresh, meta], ['f:updatedAt', atJson])).hash),
      );
    },

    async appendMessage(message: Message): Promise<{ message: Message; created: boolean }> {
      const { metadata, statusHistory, ...rest } = message;
      const history: string[] = [];
      const seen = new Set<string>();
      for (const h of statusHistory ?? []) {
        const field = `h:${historyKey(h)}`;
        if (seen.has(field)) continue;
        seen.add(field);
        history.push(field, JSON.stringify(h));
      }
      const plain = pairs(rest);
      const meta = mapPairs('m:', metadata);
      const args = [
        ttlMs, message.id, ...plain, ...meta, String(history.length / 2), ...history,
        DELIVERY_RANK[message.status] ?? 0, timeArg(message.updatedAt), score(message.createdAt),
        message.conversationId !== undefined ? '1' : '', message.conversationId ?? '',
        message.from?.value ?? '', message.to?.value ?? '',
      ];
      return run('appendMessage', () => scripts.appendMessage(base, packArgs(args))).then((reply) => {
        const { flag, hash } = storedHash(reply, () => {
          const numbered: string[] = [];
          for (let i = 0; i < history.length; i += 2) numbered.push(history[i]!, `${i / 2 + 1} ${history[i + 1]!}`);
          return createdHash([plain, meta], numbered);
        });
        return { message: toMessage(hash), created: flag === 1 };
      });
    },

    async applyDelivery(update: DeliveryUpdate): Promise<{ message: Message; applied: boolean }> {
      const change = update.change;
      const stub = pairs({
        id: update.messageId,
        provider: update.provider,
        providerId: update.providerId,
        conversationId: update.conversationId,
        direction: 'outbound',
        channel: update.channel ?? 'OTHER',
        rawChannel: update.rawChannel,
        to: update.to,
        media: [],
        kind: 'unknown',
        status: change.status,
        createdAt: change.at,
        updatedAt: change.at,
      });
      const hfield = `h:${historyKey(change)}`;
      const hjson = JSON.stringify(change);
      const args = [
        ttlMs, update.messageId, ...stub,
        hfield, hjson, DELIVERY_RANK[change.status] ?? 0, JSON.stringify(change.status),
        timeArg(change.at), JSON.stringify(change.at), score(change.at),
        update.conversationId !== undefined ? '1' : '', JSON.stringify(update.conversationId ?? null), update.conversationId ?? '',
        update.to !== undefined ? '1' : '', JSON.stringify(update.to ?? null), update.to?.value ?? '',
        update.rawChannel !== undefined ? '1' : '', JSON.stringify(update.rawChannel ?? null),
        update.channel ? '1' : '', JSON.stringify(update.channel ?? null),
      ];
      return run('applyDelivery', () => scripts.applyDelivery(base, packArgs(args))).then((reply) => {
        const { flag, hash } = storedHash(reply, () => createdHash([stub], [hfield, `1 ${hjson}`]));
        return { message: toMessage(hash), applied: flag === 1 };
      });
    },

    async applyCallEvent(update: CallUpdate): Promise<Call> {
      const always = pairs({ id: update.id, provider: update.provider, providerId: update.providerId });
      const given = pairs({
        from: update.from, to: update.to, domain: update.domain, amd: update.amd, result: update.result,
        reason: update.reason, durationSec: update.durationSec, debit: update.debit,
      });
      const newState = update.state ?? 'ringing';
      const newStateJson = JSON.stringify(newState);
      const mr = update.menuResult ? [`mr:${canonical(update.menuResult)}`, JSON.stringify(update.menuResult)] : ['', ''];
      const rc = update.recording ? [`rc:${canonical(update.recording)}`, JSON.stringify(update.recording)] : ['', ''];
      const cookies = mapPairs('ck:', update.cookies);
      const atJson = JSON.stringify(update.at);
      const args = [
        ttlMs, update.id, ...always, ...given,
        update.state !== undefined ? '1' : '', JSON.stringify(update.state ?? null), update.state !== undefined ? CALL_RANK[update.state] : 0,
        newStateJson, CALL_RANK[newState] ?? 0,
        ...mr, ...rc, ...cookies,
        timeArg(update.at), atJson, score(update.at),
        update.from !== undefined ? '1' : '', update.from?.value ?? '',
        update.to !== undefined ? '1' : '', update.to?.value ?? '',
      ];
      return run('applyCallEvent', () => scripts.applyCallEvent(base, packArgs(args))).then((reply) =>
        toCall(
          storedHash(reply, () => {
            const extra = ['f:state', newStateJson, 'f:createdAt', atJson, 'f:updatedAt', atJson];
            let seq = 0;
            if (mr[0]) extra.push(mr[0], `${++seq} ${mr[1]!}`);
            if (rc[0]) extra.push(rc[0], `${++seq} ${rc[1]!}`);
            return createdHash([always, given, cookies], extra);
          }).hash,
        ),
      );
    },

    async getConversation(id) {
      return run('getConversation', () => client.hgetall(`${base}conv:${id}`)).then((h) => (isEmpty(h) ? undefined : toConversation(h)));
    },

    async listConversations(pageOpts) {
      return page('convs', 'conv', pageOpts, toConversation);
    },

    async getMessage(id) {
      return run('getMessage', () => client.hgetall(`${base}msg:${id}`)).then((h) => (isEmpty(h) ? undefined : toMessage(h)));
    },

    async listMessages(conversationId, pageOpts) {
      return page(`cm:${conversationId}`, 'msg', pageOpts, toMessage);
    },

    async getContact(id) {
      return run('getContact', () => client.hgetall(`${base}contact:${id}`)).then((h) => (isEmpty(h) ? undefined : toContact(h)));
    },

    async getCall(id) {
      return run('getCall', () => client.hgetall(`${base}call:${id}`)).then((h) => (isEmpty(h) ? undefined : toCall(h)));
    },

    async listCalls(pageOpts) {
      return page('calls', 'call', pageOpts, toCall);
    },

    async timeline(address, pageOpts): Promise<PageResult<TimelineEntry>> {
      return page(`tl:${address}`, 'tl', pageOpts, (row): TimelineEntry => {
        const { member, record } = row as { member: string; record: unknown };
        if (member.startsWith('m:')) {
          const m = toMessage(record);
          return { type: 'message', at: m.createdAt, provider: m.provider, channel: m.channel, message: m };
        }
        const c = toCall(record);
        return { type: 'call', at: c.createdAt, provider: c.provider, channel: 'VOICE', call: c };
      });
    },

    async deadLetter(entry) {
      await run('deadLetter', () => scripts.deadLetter(base, packArgs([ttlMs, entry.id, JSON.stringify(entry), score(entry.receivedAt)])));
    },

    listDeadLetters(pageOpts) {
      return page('dls', 'dl', pageOpts, (json) => JSON.parse(String(json)) as DeadLetter);
    },

    async close() {
      if (closed) return;
      closed = true;
      pendingReleases.clear();
      client.off('ready', onReady);
      if (!owned) return;
      try {
        if (client.status !== 'end') {
          await Promise.race([
            client.quit(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('quit timed out')), commandTimeoutMs).unref?.()),
          ]);
        }
      } catch {
        client.disconnect();
      } finally {
        client.off('error', onError);
        // Late socket errors after quit must not reach the process as unhandled.
        client.on('error', () => undefined);
      }
    },
  };
  return store;
}

// ── encoding ───────────────────────────────────────────────────────────────

/** `f:<name>`, JSON value, for each defined member. */
function pairs(fields: Record<string, unknown>): string[] {
  const out: string[] = [''];
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined) continue;
    out.push(`f:${name}`, JSON.stringify(value));
  }
  out[0] = String((out.length - 1) / 2);
  return out;
}

/**
 * A write script answers {flag} when it created the record from its arguments
 * alone and {flag, hash} otherwise; `created` rebuilds the first case from the
 * strings that were sent, so both decode the very same bytes.
 */
function storedHash(reply: unknown, created: () => string[]): { flag: number; hash: unknown } {
  const rows = asArray(reply);
  return { flag: Number(rows[0]), hash: rows.length === 1 ? created() : rows[1] };
}

/**
 * The hash HSET leaves after writing each counted list (`pairs`/`mapPairs`
 * output) and then the plain field/value list `last`, in that order: a later
 * write of a field replaces its value, as in Redis.
 */
function createdHash(counted: string[][], last: string[]): string[] {
  const fields = new Map<string, string>();
  for (const list of counted) for (let i = 1; i + 1 < list.length; i += 2) fields.set(list[i]!, list[i + 1]!);
  for (let i = 0; i + 1 < last.length; i += 2) fields.set(last[i]!, last[i + 1]!);
  const flat: string[] = [];
  for (const [field, value] of fields) flat.push(field, value);
  return flat;
}

/** A string map as `<prefix><json key>` → json value, so any key or value survives unchanged. */
function mapPairs(prefix: string, map: Record<string, string> | undefined): string[] {
  const out: string[] = [''];
  if (map) {
    for (const k of Object.keys(map)) {
      const v = map[k];
      if (v === undefined) continue;
      out.push(`${prefix}${JSON.stringify(k)}`, JSON.stringify(v));
    }
  }
  out[0] = String((out.length - 1) / 2);
  return out;
}

function addressField(a: Address): string {
  return `p:${JSON.stringify([a.kind, a.value])}`;
}

/** "<ms>|<as given>"; ms is empty when the string does not parse, as compareAt treats it. */
function timeArg(at: string): string {
  const ms = Date.parse(at);
  return `${Number.isFinite(ms) ? ms : ''}|${at}`;
}

/** Sort position of an ISO 8601 time; unparsable times sort oldest rather than throwing. */
function score(at: string): string {
  const ms = Date.parse(at);
  return String(Number.isFinite(ms) ? ms : 0);
}

// ── decoding ───────────────────────────────────────────────────────────────

interface Item {
  seq: number;
  value: unknown;
}

interface Decoded {
  fields: Record<string, unknown>;
  maps: Record<string, Record<string, string>>;
  lists: Record<string, Item[]>;
}

const MAP_PREFIXES: Record<string, string> = { 'm:': 'metadata', 'ck:': 'cookies' };
const LIST_PREFIXES: Record<string, string> = { 'h:': 'statusHistory', 'p:': 'participants', 'mr:': 'menuResults', 'rc:': 'recordings' };

function decode(raw: unknown): Decoded {
  const out: Decoded = { fields: {}, maps: {}, lists: {} };
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) decodeField(out, String(raw[i]), String(raw[i + 1]));
  } else if (raw && typeof raw === 'object') {
    const hash = raw as Record<string, unknown>;
    for (const k of Object.keys(hash)) decodeField(out, k, String(hash[k]));
  }
  return out;
}

function decodeField(out: Decoded, field: string, value: string): void {
  if (field.startsWith('f:')) {
    out.fields[field.slice(2)] = JSON.parse(value);
    return;
  }
  const colon = field.indexOf(':');
  if (colon === -1) return;
  const prefix = field.slice(0, colon + 1);
  const mapName = MAP_PREFIXES[prefix];
  if (mapName) {
    // A key named "__proto__" stays data, as the memory store keeps it.
    setOwn((out.maps[mapName] ??= {}), JSON.parse(field.slice(colon + 1)) as string, JSON.parse(value) as string);
    return;
  }
  const listName = LIST_PREFIXES[prefix];
  if (listName) {
    const space = value.indexOf(' ');
    (out.lists[listName] ??= []).push({ seq: Number(value.slice(0, space)), value: JSON.parse(value.slice(space + 1)) });
  }
}

/** Arrival order, and by time for lists the memory store keeps sorted by `at` (ties keep arrival order). */
function list<T>(items: Item[] | undefined, byTime: boolean): T[] {
  const sorted = [...(items ?? [])].sort((a, b) => {
    if (byTime) {
      const d = compareAt((a.value as { at: string }).at, (b.value as { at: string }).at);
      if (d !== 0) return d;
    }
    return a.seq - b.seq;
  });
  return sorted.map((i) => i.value as T);
}

function toMessage(raw: unknown): Message {
  const d = decode(raw);
  return {
    ...d.fields,
    metadata: d.maps['metadata'] ?? {},
    statusHistory: list<StatusChange>(d.lists['statusHistory'], true),
  } as Message;
}

function toConversation(raw: unknown): Conversation {
  const d = decode(raw);
  return {
    ...d.fields,
    participants: list<Address>(d.lists['participants'], false),
    metadata: d.maps['metadata'] ?? {},
  } as Conversation;
}

function toContact(raw: unknown): Contact {
  const d = decode(raw);
  return { ...d.fields, metadata: d.maps['metadata'] ?? {} } as Contact;
}

function toCall(raw: unknown): Call {
  const d = decode(raw);
  return {
    ...d.fields,
    menuResults: list<Call['menuResults'][number]>(d.lists['menuResults'], true),
    recordings: list<Call['recordings'][number]>(d.lists['recordings'], true),
    cookies: d.maps['cookies'] ?? {},
  } as Call;
}

function asArray(reply: unknown): unknown[] {
  return Array.isArray(reply) ? reply : [];
}

function isEmpty(h: Record<string, string> | null | undefined): boolean {
  return !h || Object.keys(h).length === 0;
}

// ── shared semantics (kept identical to the memory store) ──────────────────

/** JSON with sorted keys and no undefined members, so equal content compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** PX takes whole milliseconds. */
function pxMs(ms: number, name: string): number {
  return Math.max(1, Math.ceil(positiveDuration(ms, name)));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Validates without ever echoing the URL (it may carry a password) and
 * collects the credentials so error text can be scrubbed of them.
 */
function parseRedisUrl(url: string): { secrets: string[] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError('redisStore: url is not a valid URL; expected redis://[user:password@]host:port[/db] or rediss://…');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RangeError(`redisStore: url must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const secrets: string[] = [];
  if (parsed.password) {
    secrets.push(parsed.password);
    const decoded = safeDecode(parsed.password);
    if (decoded !== parsed.password) secrets.push(decoded);
  }
  return { secrets };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
