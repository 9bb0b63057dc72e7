import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/index.js';
import { storeConformanceCases } from '../../src/store/conformance.js';
import { memoryStore } from '../../src/store/memory.js';
import { packArgs } from '../../src/store/pack-args.js';
import { redisStore } from '../../src/store/redis.js';
import type { PageResult, Store } from '../../src/store/store.js';
import { freePort, redisAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisAvailable();

let server: RedisServer;
let client: Redis;
beforeAll(async () => {
  if (!available) return;
  server = await startRedisServer();
  client = new Redis(server.url, { enableAutoPipelining: true });
});
afterAll(async () => {
  if (!available) return;
  await client.quit();
  await server.stop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A fresh prefix per store: the suite wants an empty store each time, and this keeps one server. */
const fresh = () => `t${randomUUID().slice(0, 8)}:`;

describe.skipIf(!available)('redisStore conformance (shared client, real clock)', () => {
  const cases = storeConformanceCases(() => redisStore({ client, keyPrefix: fresh() }), {
    // The store judges leases by the Redis clock, so time can only pass for real.
    advance: (ms) => sleep(ms),
  });
  for (const c of cases) it(c.name, c.run);
});

describe.skipIf(!available)('redisStore conformance (own connection from url)', () => {
  // Fewer cases: enough to show a url-made client (offline queue off, auto-pipelining on) behaves the same.
  const picked = storeConformanceCases(() => redisStore({ url: server.url, keyPrefix: fresh() }), { advance: (ms) => sleep(ms) })
    .filter((c) => /concurrent|stub|timeline|expired lease/.test(c.name));
  for (const c of picked) it(c.name, c.run);
});

// ── Redis specifics ────────────────────────────────────────────────────────

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function message(i: number, over: Partial<Message> = {}): Message {
  const providerId = `01JRED${String(i).padStart(6, '0')}`;
  return {
    id: `sinch-conversation:${providerId}`,
    provider: 'sinch-conversation',
    providerId,
    conversationId: 'sinch-conversation:CONV1',
    direction: 'inbound',
    channel: 'WHATSAPP',
    from: { kind: 'whatsapp', value: '+15550100001' },
    to: { kind: 'whatsapp', value: '+15550100002' },
    text: `message ${i}`,
    media: [],
    kind: 'text',
    metadata: {},
    status: 'received',
    statusHistory: [],
    createdAt: iso(T0 + i * 1000),
    updatedAt: iso(T0 + i * 1000),
    ...over,
  };
}

/** Writes one of everything the store keeps. */
async function writeEverything(store: Store): Promise<void> {
  await store.claim('sinch-conversation:evt:1', { leaseMs: 60_000 });
  const done = await store.claim('sinch-conversation:evt:2', { leaseMs: 60_000 });
  if (done.state === 'new') await store.complete('sinch-conversation:evt:2', done.token, { status: 200, headers: {}, body: '' }, { ttlMs: 60_000 });
  await store.appendMessage(message(1));
  await store.applyDelivery({
    messageId: 'sinch-conversation:STUB1', provider: 'sinch-conversation', providerId: 'STUB1', conversationId: 'sinch-conversation:CONV2',
    to: { kind: 'tel', value: '+15550200000' }, change: { status: 'delivered', rawStatus: 'DELIVERED', at: iso(T0) },
  });
  await store.upsertConversation({ id: 'sinch-conversation:CONV1', provider: 'sinch-conversation', providerId: 'CONV1', participants: [{ kind: 'tel', value: '+15550100001' }], at: iso(T0) });
  await store.upsertContact({ id: 'sinch-conversation:C1', provider: 'sinch-conversation', providerId: 'C1', at: iso(T0) });
  await store.applyCallEvent({
    id: 'sinch-voice:CALL1', provider: 'sinch-voice', providerId: 'CALL1', from: { kind: 'tel', value: '+15550300000' },
    to: { kind: 'tel', value: '+15550100001' }, state: 'ringing', at: iso(T0),
  });
  await store.deadLetter({ id: 'dl1', provider: 'voipbin', code: 'schema_violation', reason: 'x', receivedAt: iso(T0), rawBody: '{}', headers: {} });
}

async function keysOf(prefix: string): Promise<string[]> {
  // KEYS only in the test, to audit what the store wrote; the store itself never scans.
  return (await client.keys(`${prefix}*`)).sort();
}

describe.skipIf(!available)('redisStore key layout', () => {
  it('prefixes every key, tags data keys with one slot and claims with their own', async () => {
    const prefix = fresh();
    const store = redisStore({ client, keyPrefix: prefix });
    await writeEverything(store);
    const keys = await keysOf(prefix);
    expect(keys.length).toBeGreaterThan(10);
    const dataTag = `${prefix}data`;
    for (const key of keys) {
      expect(key.startsWith(prefix)).toBe(true);
      const tag = hashTag(key);
      if (key.startsWith(`${prefix}evt:`)) expect(tag).toMatch(/^sinch-conversation:evt:\d$/);
      else expect(tag).toBe(dataTag);
    }
    const slots = new Set(keys.filter((k) => !k.startsWith(`${prefix}evt:`)).map(keySlot));
    expect(slots.size).toBe(1);
    // Different prefixes land on different slots, so tenants spread over a cluster.
    expect(keySlot(`a:{a:data}:x`)).not.toBe(keySlot(`b:{b:data}:x`));
    await store.close?.();
  });

  it('gives every key an explicit TTL no longer than ttlMs', async () => {
    const prefix = fresh();
    const ttlMs = 3_600_000;
    const store = redisStore({ client, keyPrefix: prefix, ttlMs });
    await writeEverything(store);
    const keys = await keysOf(prefix);
    for (const key of keys) {
      const pttl = await client.pttl(key);
      expect(pttl, key).toBeGreaterThan(0);
      expect(pttl, key).toBeLessThanOrEqual(ttlMs);
    }
    await store.close?.();
  });

  it('expires records ttlMs after their last write; the next write prunes their index entries', async () => {
    const prefix = fresh();
    const store = redisStore({ client, keyPrefix: prefix, ttlMs: 400 });
    for (let i = 0; i < 5; i++) await store.appendMessage(message(i));
    await store.applyCallEvent({ id: 'sinch-voice:CALL1', provider: 'sinch-voice', providerId: 'CALL1', to: { kind: 'tel', value: '+15550100001' }, at: iso(T0) });
    await sleep(250);
    // A write refreshes the call's TTL.
    await store.applyCallEvent({ id: 'sinch-voice:CALL1', provider: 'sinch-voice', providerId: 'CALL1', state: 'answered', at: iso(T0 + 600) });
    await sleep(250);
    expect(await store.getMessage(message(1).id)).toBeUndefined();
    expect((await store.listMessages('sinch-conversation:CONV1')).items).toEqual([]);
    expect((await store.timeline('+15550100001')).items.map((e) => e.type)).toEqual(['call']);
    // The message entries still sit in the indexes until a write prunes them.
    const base = `${prefix}{${prefix}data}:`;
    expect(await client.zcard(`${base}tl:+15550100001`)).toBe(6);
    await store.deadLetter({ id: 'dl-prune', provider: 'voipbin', code: 'x', reason: 'x', receivedAt: iso(T0), rawBody: '', headers: {} });
    expect(await client.zcard(`${base}tl:+15550100001`)).toBe(1);
    expect(await client.exists(`${base}cm:sinch-conversation:CONV1`)).toBe(0);
    await sleep(450);
    expect((await store.timeline('+15550100001')).items).toEqual([]);
    expect(await keysOf(prefix)).toEqual([]);
    await store.close?.();
  });

  it('keeps exact values Lua never parses: empty arrays, long numbers, odd strings', async () => {
    const store = redisStore({ client, keyPrefix: fresh() });
    const odd = message(7, {
      text: 'emoji 🎉, quote ", slash /, lone \ud800 surrogate, newline\n, brace }{',
      location: { latitude: 59.329323499999995, longitude: 18.068580800000001 },
      metadata: { '': 'empty key', 'a.b': '', '{x}': '\u0000' },
      media: [],
    });
    const { message: stored } = await store.appendMessage(odd);
    expect(stored).toEqual(odd);
    expect(await store.getMessage(odd.id)).toEqual(odd);
    const call = await store.applyCallEvent({
      id: 'sinch-voice:CALLX', provider: 'sinch-voice', providerId: 'CALLX', debit: { amount: 0.1 + 0.2 }, durationSec: 2 ** 53 - 1, at: iso(T0),
    });
    expect(call.debit).toEqual({ amount: 0.30000000000000004 });
    expect(call.durationSec).toBe(2 ** 53 - 1);
    expect(call.menuResults).toEqual([]);
    expect(call.recordings).toEqual([]);
    await store.close?.();
  });

  it('pages with keyset cursors that survive ties and writes between pages', async () => {
    const store = redisStore({ client, keyPrefix: fresh() });
    const at = iso(T0);
    // Same createdAt for all: the order falls back to the id, newest id first.
    for (let i = 0; i < 12; i++) await store.appendMessage(message(i, { createdAt: at, updatedAt: at }));
    const first = await store.listMessages('sinch-conversation:CONV1', { limit: 5 });
    await store.appendMessage(message(99, { createdAt: iso(T0 + 10_000) }));
    const second = await store.listMessages('sinch-conversation:CONV1', { limit: 5, cursor: first.nextCursor });
    const third = await store.listMessages('sinch-conversation:CONV1', { limit: 5, cursor: second.nextCursor });
    const ids = [...first.items, ...second.items, ...third.items].map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => message(11 - i).id));
    expect(third.nextCursor).toBeUndefined();
    await expect(store.listCalls({ cursor: 'not-a-cursor' })).rejects.toThrow(RangeError);
    await store.close?.();
  });

  it('caps a page at 500 items', async () => {
    const store = redisStore({ client, keyPrefix: fresh() });
    await Promise.all(Array.from({ length: 600 }, (_, i) => store.appendMessage(message(i))));
    const first = await store.listMessages('sinch-conversation:CONV1', { limit: 10_000 });
    expect(first.items).toHaveLength(500);
    const second = await store.listMessages('sinch-conversation:CONV1', { limit: 10_000, cursor: first.nextCursor });
    expect(second.items).toHaveLength(100);
    expect(second.nextCursor).toBeUndefined();
    await store.close?.();
  });

  it('a claim left by a crashed process expires after its lease, seen from another connection', async () => {
    const prefix = fresh();
    const crashed = redisStore({ url: server.url, keyPrefix: prefix });
    const other = redisStore({ url: server.url, keyPrefix: prefix });
    expect((await crashed.claim('evt-crash', { leaseMs: 300 })).state).toBe('new');
    await crashed.close?.(); // the process is gone; nobody completes or releases
    expect(await other.claim('evt-crash', { leaseMs: 300 })).toEqual({ state: 'in-flight' });
    await sleep(400);
    expect((await other.claim('evt-crash', { leaseMs: 300 })).state).toBe('new');
    await other.close?.();
  });

  it('closes a client it made, never one it was given', async () => {
    const owned = redisStore({ url: server.url, keyPrefix: fresh() });
    await owned.getMessage('x');
    await owned.close?.();
    await expect(owned.getMessage('x')).rejects.toThrow(/closed/);
    const given = redisStore({ client, keyPrefix: fresh() });
    await given.close?.();
    expect(await client.ping()).toBe('PONG');
  });

  it('rejects bad options without echoing the URL', async () => {
    expect(() => redisStore({ client, keyPrefix: 'a{b}' })).toThrow(RangeError);
    expect(() => redisStore({ client, ttlMs: 0 })).toThrow(RangeError);
    expect(() => redisStore({ client, commandTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => redisStore({} as never)).toThrow(TypeError);
    const bad = (() => {
      try {
        redisStore({ url: 'http://user:hunter2@[bad' });
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(bad).toBeInstanceOf(RangeError);
    expect(bad?.message).not.toContain('hunter2');
    expect(() => redisStore({ url: 'http://user:hunter2@localhost:1' })).toThrow(/redis:\/\//);
    const store = redisStore({ client });
    await expect(store.claim('k', { leaseMs: Number.NaN })).rejects.toThrow(RangeError);
    await store.close?.();
  });

  it('fails fast when Redis is unreachable, with the password kept out of every error', async () => {
    const port = await freePort();
    const errors: Error[] = [];
    const store = redisStore({
      url: `redis://app:s3cr3t-pw@127.0.0.1:${port}/0`, commandTimeoutMs: 300, onConnectionError: (e) => errors.push(e),
    });
    for (const op of [() => store.claim('k', { leaseMs: 1000 }), () => store.getConversation('c'), () => store.listConversations()]) {
      const t0 = Date.now();
      const err = await op().then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(err?.message).toMatch(/redisStore \w+ failed/);
      expect(err?.message).not.toContain('s3cr3t');
    }
    await sleep(200);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).not.toContain('s3cr3t');
    await store.close?.();
  });
});

describe.skipIf(!available)('records a write created are answered without reading them back', () => {
  // The scripts answer {1} for a record they created and the store rebuilds it
  // from what it sent; a later read decodes the hash Redis really holds.
  const hgetalls = async () => Number(/cmdstat_hgetall:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);

  it('reads a created record once (to learn it is new) and never reads it back', async () => {
    const store = redisStore({ client, keyPrefix: fresh() });
    const before = await hgetalls();
    await store.appendMessage(message(8));
    await store.upsertConversation({ id: 'sinch-conversation:CNT', provider: 'sinch-conversation', providerId: 'CNT', at: iso(T0) });
    await store.upsertContact({ id: 'sinch-conversation:KNT', provider: 'sinch-conversation', providerId: 'KNT', at: iso(T0) });
    await store.applyCallEvent({ id: 'sinch-voice:CALLNT', provider: 'sinch-voice', providerId: 'CALLNT', at: iso(T0) });
    await store.applyDelivery({
      messageId: 'sinch-conversation:STUBNT', provider: 'sinch-conversation', providerId: 'STUBNT', change: { status: 'sent', rawStatus: 'SENT', at: iso(T0) },
    });
    expect((await hgetalls()) - before).toBe(5);
    // An update still answers with the stored hash.
    const mid = await hgetalls();
    await store.upsertConversation({ id: 'sinch-conversation:CNT', provider: 'sinch-conversation', providerId: 'CNT', at: iso(T0 + 1000) });
    expect((await hgetalls()) - mid).toBe(2);
    await store.close?.();
  });

  it('gives what a read of the stored hash gives, for every kind of record', async () => {
    const store = redisStore({ client, keyPrefix: fresh() });
    // An own "__proto__" key (as JSON.parse makes one), which must survive as data.
    const meta: Record<string, string> = { 'clé "1"': 'välue\n2', empty: '', ...(JSON.parse('{"__proto__":"x"}') as Record<string, string>) };
    const change = (status: 'sent' | 'delivered', s: number) => ({ status, rawStatus: status.toUpperCase(), at: iso(T0 + s * 1000), recipient: 'r1' });
    const m = await store.appendMessage(message(7, {
      metadata: meta, media: [{ url: 'https://x.test/a.png', type: 'image/png' }], text: 'héllo 😀',
      status: 'delivered', statusHistory: [change('delivered', 3), change('sent', 1), change('sent', 1)],
    }));
    expect(m.created).toBe(true);
    expect(m.message).toEqual(await store.getMessage(m.message.id));
    expect(m.message.statusHistory.map((h) => h.status)).toEqual(['sent', 'delivered']);
    expect(Object.keys(m.message.metadata)).toContain('__proto__');
    expect(Object.keys((await store.getMessage(m.message.id))!.metadata)).toContain('__proto__');

    const c = await store.upsertConversation({
      id: 'sinch-conversation:NEWCONV', provider: 'sinch-conversation', providerId: 'NEWCONV', channel: 'SMS', rawChannel: 'sms',
      contactId: 'sinch-conversation:K', participants: [{ kind: 'tel', value: '+1555' }, { kind: 'tel', value: '+1555', displayName: 'Ada' }, { kind: 'email', value: 'a@b.test' }],
      metadata: meta, at: iso(T0),
    });
    expect(c).toEqual(await store.getConversation(c.id));
    expect(c.state).toBe('active');
    const closed = await store.upsertConversation({ id: 'sinch-conversation:NEWCONV2', provider: 'sinch-conversation', providerId: 'NEWCONV2', state: 'closed', at: iso(T0) });
    expect(closed).toEqual(await store.getConversation(closed.id));

    const k = await store.upsertContact({ id: 'sinch-conversation:NEWK', provider: 'sinch-conversation', providerId: 'NEWK', displayName: 'Ada', metadata: meta, at: iso(T0) });
    expect(k).toEqual(await store.getContact(k.id));
    expect(k.addresses).toEqual([]);

    const call = await store.applyCallEvent({
      id: 'sinch-voice:NEWCALL', provider: 'sinch-voice', providerId: 'NEWCALL', from: { kind: 'tel', value: '+1' }, to: { kind: 'tel', value: '+2' },
      menuResult: { menuId: 'main', value: '1', at: iso(T0 + 2000) }, recording: { id: 'R1', at: iso(T0 + 1000) }, cookies: meta, durationSec: 0, at: iso(T0),
    });
    expect(call).toEqual(await store.getCall(call.id));
    expect(call.state).toBe('ringing');

    const stub = await store.applyDelivery({
      messageId: 'sinch-conversation:NEWSTUB', provider: 'sinch-conversation', providerId: 'NEWSTUB', rawChannel: 'sms',
      to: { kind: 'tel', value: '+3' }, change: change('delivered', 5),
    });
    expect(stub.applied).toBe(true);
    expect(stub.message).toEqual(await store.getMessage(stub.message.id));
    await store.close?.();
  });
});

describe.skipIf(!available)('packArgs: one MessagePack argument carries exactly what separate arguments would', () => {
  // Redis's own cmsgpack unpacks; the reference is the same strings sent the ordinary way, one ARGV each.
  // A client without auto-pipelining: ioredis drops the command name of callBuffer() when it pipelines.
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    await raw.quit();
  });
  async function both(args: string[]): Promise<[Buffer[], Buffer[]]> {
    const packed = (await raw.callBuffer('EVAL', 'return cmsgpack.unpack(ARGV[1])', 0, packArgs(args))) as Buffer[];
    const plain = args.length === 0 ? [] : ((await raw.callBuffer('EVAL', 'return ARGV', 0, ...args)) as Buffer[]);
    return [packed, plain];
  }

  it('at every length boundary of the string and array headers', async () => {
    const sizes = [0, 1, 31, 32, 255, 256, 65_535, 65_536, 70_000];
    const args = sizes.map((n) => 'x'.repeat(n));
    const [packed, plain] = await both(args);
    expect(packed.map((b) => b.length)).toEqual(sizes);
    expect(packed).toEqual(plain);
    for (const count of [0, 1, 15, 16, 65_535, 65_536]) {
      const many = Array.from({ length: count }, (_, i) => String(i));
      const unpacked = (await raw.eval('return cmsgpack.unpack(ARGV[1])', 0, packArgs(many))) as string[];
      expect(unpacked.length).toBe(count);
      expect(unpacked[count - 1]).toBe(many[count - 1]);
    }
  });

  it('keeps multi-byte text, NUL bytes, numbers and lone surrogates byte for byte', async () => {
    const args = ['', 'héllo', '😀 emoji', 'a\u0000b', '\ud800', 'x\udfffy', '"quoted" \\ json', '\r\n', 'ä'.repeat(40)];
    const [packed, plain] = await both(args);
    expect(packed).toEqual(plain);
    const [nums] = await both([String(604_800_000), String(-1), String(1.5)]);
    expect(nums.map(String)).toEqual(['604800000', '-1', '1.5']);
    expect(packArgs([604_800_000, 'a'])).toEqual(packArgs(['604800000', 'a']));
  });

  it('agrees with separate arguments on any strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 40 }), async (args) => {
        const [packed, plain] = await both(args);
        assert.deepStrictEqual(packed, plain);
      }),
      { numRuns: 300 },
    );
  });
});

/** The part of a key Redis Cluster hashes. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/** CRC16/XMODEM mod 16384, as Redis Cluster assigns slots. */
function keySlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(hashTag(key), 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

// ── differential: the same random operations on memory and Redis ───────────

describe.skipIf(!available)('redisStore matches memoryStore on random operation sequences', () => {
  const phones = ['+15550000001', '+15550000002', '+15550000003'];
  const at = fc.integer({ min: 0, max: 4 }).map((k) => iso(T0 + k * 1000));
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const address = fc.record(
    { kind: fc.constantFrom('tel' as const, 'whatsapp' as const), value: fc.constantFrom(...phones), displayName: fc.constantFrom('Ada', 'Bob') },
    { requiredKeys: ['kind', 'value'] },
  );
  const meta = fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), fc.constantFrom('1', '2', ''), { maxKeys: 2 });
  const status = fc.constantFrom('received' as const, 'queued' as const, 'sent' as const, 'failed' as const, 'delivered' as const, 'read' as const);
  const change = fc.record(
    { status, rawStatus: fc.constantFrom('QUEUED', 'DELIVERED', 'READ', 'FAILED'), at, recipient: fc.constantFrom('r1', 'r2') },
    { requiredKeys: ['status', 'rawStatus', 'at'] },
  );
  const msgId = fc.constantFrom('M1', 'M2', 'M3', 'M4');
  const convId = fc.constantFrom('sinch-conversation:C1', 'sinch-conversation:C2');
  const callId = fc.constantFrom('K1', 'K2');

  const op = fc.oneof(
    fc.record({
      op: fc.constant('appendMessage' as const), id: msgId, conversationId: maybe(convId), direction: fc.constantFrom('inbound' as const, 'outbound' as const),
      from: maybe(address), to: maybe(address), text: fc.constantFrom('hi', 'hello'), status, history: fc.array(change, { maxLength: 2 }),
      createdAt: at, updatedAt: at, metadata: meta,
    }),
    fc.record({
      op: fc.constant('applyDelivery' as const), id: msgId, conversationId: maybe(convId), channel: maybe(fc.constantFrom('SMS' as const, 'WHATSAPP' as const)),
      rawChannel: maybe(fc.constantFrom('sms')), to: maybe(address), change,
    }),
    fc.record({
      op: fc.constant('upsertConversation' as const), id: convId, channel: maybe(fc.constantFrom('SMS' as const)), contactId: maybe(fc.constantFrom('X1', 'X2')),
      contact: maybe(address), participants: maybe(fc.array(address, { maxLength: 3 })),
      state: maybe(fc.constantFrom('active' as const, 'closed' as const, 'inactive' as const)), metadata: maybe(meta), at,
    }),
    fc.record({
      op: fc.constant('upsertContact' as const), id: fc.constantFrom('X1', 'X2'), displayName: maybe(fc.constantFrom('Ada', 'Bob')),
      addresses: maybe(fc.array(address, { maxLength: 3 })), deleted: maybe(fc.boolean()), metadata: maybe(meta), at,
    }),
    fc.record({
      op: fc.constant('applyCallEvent' as const), id: callId, from: maybe(address), to: maybe(address),
      state: maybe(fc.constantFrom('ringing' as const, 'answered' as const, 'ended' as const)),
      menuResult: maybe(fc.record({ menuId: fc.constantFrom('main'), value: fc.constantFrom('1', '2'), at })),
      recording: maybe(fc.record({ id: fc.constantFrom('R1', 'R2'), at })), cookies: maybe(meta), durationSec: maybe(fc.integer({ min: 0, max: 9 })), at,
    }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  // Plain JSON objects: fast-check builds some records without a prototype, and undefined members are noise here.
  const def = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

  async function apply(store: Store, o: Op): Promise<unknown> {
    switch (o.op) {
      case 'appendMessage':
        return store.appendMessage(def({
          id: `sinch-conversation:${o.id}`, provider: 'sinch-conversation', providerId: o.id, conversationId: o.conversationId,
          direction: o.direction, channel: 'WHATSAPP' as const, rawChannel: 'WHATSAPP', from: o.from, to: o.to, text: o.text, media: [], kind: 'text',
          metadata: o.metadata, status: o.status, statusHistory: o.history.map((h) => def(h)), createdAt: o.createdAt, updatedAt: o.updatedAt,
        }));
      case 'applyDelivery':
        return store.applyDelivery(def({
          messageId: `sinch-conversation:${o.id}`, provider: 'sinch-conversation', providerId: o.id, conversationId: o.conversationId,
          channel: o.channel, rawChannel: o.rawChannel, to: o.to, change: def(o.change),
        }));
      case 'upsertConversation':
        return store.upsertConversation(def({
          id: o.id, provider: 'sinch-conversation', providerId: o.id.slice(19), channel: o.channel, contactId: o.contactId, contact: o.contact,
          participants: o.participants, state: o.state, metadata: o.metadata, at: o.at,
        }));
      case 'upsertContact':
        return store.upsertContact(def({
          id: `sinch-conversation:${o.id}`, provider: 'sinch-conversation', providerId: o.id, displayName: o.displayName, addresses: o.addresses,
          deleted: o.deleted, metadata: o.metadata, at: o.at,
        }));
      case 'applyCallEvent':
        return store.applyCallEvent(def({
          id: `sinch-voice:${o.id}`, provider: 'sinch-voice', providerId: o.id, from: o.from, to: o.to, state: o.state,
          menuResult: o.menuResult, recording: o.recording, cookies: o.cookies, durationSec: o.durationSec, at: o.at,
        }));
    }
  }

  async function everything(store: Store): Promise<unknown> {
    const all = async <T>(read: (cursor?: string) => Promise<PageResult<T>>) => {
      const out: T[][] = [];
      let cursor: string | undefined;
      do {
        const p = await read(cursor);
        out.push(p.items);
        cursor = p.nextCursor;
      } while (cursor !== undefined && out.length < 50);
      return out;
    };
    return {
      messages: await Promise.all(['M1', 'M2', 'M3', 'M4'].map((id) => store.getMessage(`sinch-conversation:${id}`))),
      calls: await Promise.all(['K1', 'K2'].map((id) => store.getCall(`sinch-voice:${id}`))),
      contacts: await Promise.all(['X1', 'X2'].map((id) => store.getContact(`sinch-conversation:${id}`))),
      conversations: await all((cursor) => store.listConversations({ limit: 1, cursor })),
      callList: await all((cursor) => store.listCalls({ limit: 1, cursor })),
      byConversation: await Promise.all(['sinch-conversation:C1', 'sinch-conversation:C2'].map((c) => all((cursor) => store.listMessages(c, { limit: 2, cursor })))),
      timelines: await Promise.all(phones.map((p) => all((cursor) => store.timeline(p, { limit: 2, cursor })))),
    };
  }

  it('every result and every read agree', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const memory = memoryStore();
        const redis = redisStore({ client, keyPrefix: fresh() });
        try {
          for (const o of ops) assert.deepStrictEqual(await apply(redis, o), await apply(memory, o), JSON.stringify(o));
          assert.deepStrictEqual(await everything(redis), await everything(memory));
        } finally {
          await redis.close?.();
        }
      }),
      { numRuns: Number(process.env['SB_FUZZ_RUNS'] ?? 150) },
    );
  });
});
