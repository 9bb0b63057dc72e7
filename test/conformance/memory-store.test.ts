import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/index.js';
import { storeConformanceCases } from '../../src/store/conformance.js';
import { memoryStore, memoryStoreStats } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2025, 2, 3, 14, 0, 0);

describe('memoryStore conformance', () => {
  let clock = T0;
  const cases = storeConformanceCases(() => memoryStore({ now: () => clock }), {
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
  });
  for (const c of cases) it(c.name, c.run);
});

describe('memoryStore conformance with the real clock', () => {
  // No `advance`: the expiry cases check only what holds before expiry.
  for (const c of storeConformanceCases(() => memoryStore())) it(c.name, c.run);
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function message(i: number, over: Partial<Message> = {}): Message {
  const providerId = `01JMEM${String(i).padStart(6, '0')}`;
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

function stats(store: Store) {
  const s = memoryStoreStats(store);
  if (!s) throw new Error('not a memory store');
  return s;
}

describe('memoryStore bounds', () => {
  it('keeps at most maxMessages and drops evicted ids from the indexes', async () => {
    const store = memoryStore({ maxMessages: 10 });
    for (let i = 0; i < 50; i++) await store.appendMessage(message(i));

    const readable: string[] = [];
    for (let i = 0; i < 50; i++) if (await store.getMessage(message(i).id)) readable.push(message(i).id);
    expect(readable.length).toBeLessThanOrEqual(10);
    expect(readable).toEqual(Array.from({ length: 10 }, (_, k) => message(40 + k).id));

    const listed = await store.listMessages('sinch-conversation:CONV1', { limit: 500 });
    expect(listed.items.map((m) => m.id)).toEqual([...readable].reverse());
    const timeline = await store.timeline('+15550100001', { limit: 500 });
    expect(timeline.items).toHaveLength(10);

    const s = stats(store);
    expect(s.messages).toBe(10);
    expect(s.conversationMessageRefs).toBe(10);
    // Each message sits under its from and its to address.
    expect(s.timelineRefs).toBe(20);
    expect(s.timelineAddresses).toBe(2);
    await store.close?.();
  });

  it('bounds stubs, calls and dedupe keys too', async () => {
    const store = memoryStore({ maxMessages: 5, maxCalls: 3, maxEvents: 4 });
    for (let i = 0; i < 20; i++) {
      await store.applyDelivery({
        messageId: `sinch-conversation:STUB${i}`, provider: 'sinch-conversation', providerId: `STUB${i}`,
        to: { kind: 'tel', value: `+1555020${String(i).padStart(4, '0')}` },
        change: { status: 'delivered', rawStatus: 'DELIVERED', at: iso(T0 + i) },
      });
      await store.applyCallEvent({
        id: `sinch-voice:CALL${i}`, provider: 'sinch-voice', providerId: `CALL${i}`,
        from: { kind: 'tel', value: '+15550300000' }, state: 'ringing', at: iso(T0 + i),
      });
      await store.claim(`evt-${i}`, { leaseMs: 60_000 });
    }
    const s = stats(store);
    expect(s).toMatchObject({ messages: 5, calls: 3, events: 4, timelineRefs: 5 + 3, timelineAddresses: 5 + 1 });
    expect((await store.listCalls()).items.map((c) => c.id)).toEqual(['sinch-voice:CALL19', 'sinch-voice:CALL18', 'sinch-voice:CALL17']);
    // The oldest key was evicted, so it reads as new again.
    expect(await store.claim('evt-0', { leaseMs: 60_000 })).toMatchObject({ state: 'new' });
  });

  it('caps a page at 500 items', async () => {
    const store = memoryStore();
    for (let i = 0; i < 600; i++) await store.appendMessage(message(i));
    const first = await store.listMessages('sinch-conversation:CONV1', { limit: 10_000 });
    expect(first.items).toHaveLength(500);
    const second = await store.listMessages('sinch-conversation:CONV1', { limit: 10_000, cursor: first.nextCursor });
    expect(second.items).toHaveLength(100);
    expect(second.nextCursor).toBeUndefined();
  });

  it('rejects a malformed cursor and bad options', async () => {
    const store = memoryStore();
    await expect(store.listCalls({ cursor: 'not-a-cursor' })).rejects.toThrow(RangeError);
    expect(() => memoryStore({ maxMessages: 0 })).toThrow(RangeError);
    expect(() => memoryStore({ ttlMs: -1 })).toThrow(RangeError);
    await expect(store.claim('k', { leaseMs: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describe('memoryStore TTL with an injected clock', () => {
  it('expires records ttlMs after their last write and cleans the indexes', async () => {
    let clock = T0;
    const store = memoryStore({ ttlMs: 1000, now: () => clock });
    const m = message(1);
    await store.appendMessage(m);
    await store.applyCallEvent({
      id: 'sinch-voice:CALL1', provider: 'sinch-voice', providerId: 'CALL1',
      to: { kind: 'tel', value: '+15550100001' }, state: 'ringing', at: iso(T0),
    });
    await store.upsertConversation({ id: 'sinch-conversation:CONV1', provider: 'sinch-conversation', providerId: 'CONV1', at: iso(T0) });
    await store.upsertContact({ id: 'sinch-conversation:C1', provider: 'sinch-conversation', providerId: 'C1', at: iso(T0) });
    await store.deadLetter({
      id: 'dl1', provider: 'voipbin', code: 'schema_violation', reason: 'x', receivedAt: iso(T0), rawBody: '{}', headers: {},
    });

    clock += 600;
    // A write refreshes the call's TTL.
    await store.applyCallEvent({ id: 'sinch-voice:CALL1', provider: 'sinch-voice', providerId: 'CALL1', state: 'answered', at: iso(T0 + 600) });
    clock += 399;
    expect(await store.getMessage(m.id)).toBeDefined();
    expect((await store.timeline('+15550100001')).items).toHaveLength(2);

    clock += 2;
    expect(await store.getMessage(m.id)).toBeUndefined();
    expect(await store.getConversation('sinch-conversation:CONV1')).toBeUndefined();
    expect(await store.getContact('sinch-conversation:C1')).toBeUndefined();
    expect((await store.listDeadLetters()).items).toEqual([]);
    expect((await store.listMessages('sinch-conversation:CONV1')).items).toEqual([]);
    const timeline = await store.timeline('+15550100001');
    expect(timeline.items.map((e) => e.type)).toEqual(['call']);
    expect(stats(store).conversationMessageRefs).toBe(0);

    clock += 600;
    expect((await store.timeline('+15550100001')).items).toEqual([]);
    expect(stats(store).timelineRefs).toBe(0);
  });

  it('ends a lease exactly leaseMs after the claim and a done entry exactly ttlMs after complete', async () => {
    let clock = T0;
    const store = memoryStore({ now: () => clock });
    expect(await store.claim('k', { leaseMs: 100 })).toMatchObject({ state: 'new' });
    clock += 99;
    expect(await store.claim('k', { leaseMs: 100 })).toEqual({ state: 'in-flight' });
    clock += 1;
    const retry = await store.claim('k', { leaseMs: 100 });
    expect(retry.state).toBe('new');

    const response = { status: 204, headers: {}, body: '' };
    await store.complete('k', retry.state === 'new' ? retry.token : '', response, { ttlMs: 50 });
    clock += 49;
    expect(await store.claim('k', { leaseMs: 100 })).toEqual({ state: 'done', response });
    clock += 1;
    expect(await store.claim('k', { leaseMs: 100 })).toMatchObject({ state: 'new' });
  });

  it('expires records even when the injected clock starts at 0', async () => {
    let clock = 0;
    const store = memoryStore({ ttlMs: 10, now: () => clock });
    await store.appendMessage(message(1));
    clock += 11;
    expect(await store.getMessage(message(1).id)).toBeUndefined();
  });
});

describe('memoryStore conversation state', () => {
  it('does not let a late report undo a newer state', async () => {
    const store = memoryStore();
    const base = { id: 'sinch-conversation:CONV9', provider: 'sinch-conversation', providerId: 'CONV9' };
    await store.upsertConversation({ ...base, state: 'active', at: iso(T0) });
    await store.upsertConversation({ ...base, state: 'closed', at: iso(T0 + 60_000) });
    const late = await store.upsertConversation({ ...base, state: 'active', metadata: { late: 'yes' }, at: iso(T0 + 1000) });
    expect(late.state).toBe('closed');
    expect(late.metadata).toEqual({ late: 'yes' });
    expect(late.createdAt).toBe(iso(T0));
    expect(late.updatedAt).toBe(iso(T0 + 60_000));
  });
});
