/**
 * The behaviour every Store must show, as plain async cases so any test
 * runner can drive them (no runtime dependency on one):
 *
 *   for (const c of storeConformanceCases(() => myStore())) it(c.name, c.run);
 *
 * `makeStore` must return an empty store each time (a fresh instance, a
 * flushed database or a new key prefix): listing cases count what they wrote.
 * Ids and addresses are still unique per case, so a leftover record from an
 * earlier case cannot satisfy an assertion by accident.
 *
 * Time: stores judge leases and TTLs with their own clock. Pass `advance` to
 * run the expiry cases; it may move an injected clock or really sleep (the
 * leases used are short, 200 ms, for that reason). Without it those cases
 * only check what holds before expiry.
 */
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { DELIVERY_RANK } from '../model/index.js';
import type { Address, Channel, DeliveryStatus, Message, StatusChange } from '../model/index.js';
import type {
  CallUpdate, ConversationUpdate, DeadLetter, DeliveryUpdate, PageResult, Store,
  StoredResponse,
} from './store.js';

export interface ConformanceCase {
  name: string;
  run: () => Promise<void>;
}

export interface ConformanceOptions {
  /** The store's clock in ms; the cases date their records near it. Default `Date.now`. */
  now?: () => number;
  /** Moves the store's clock forward by `ms` (or waits that long). Enables the expiry cases. */
  advance?: (ms: number) => void | Promise<void>;
}

const LEASE_MS = 200;

export function storeConformanceCases(
  makeStore: () => Store | Promise<Store>,
  opts: ConformanceOptions = {},
): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const define = (name: string, body: (store: Store, f: Factory) => Promise<void>): void => {
    cases.push({
      name,
      run: async () => {
        const store = await makeStore();
        try {
          await body(store, new Factory((opts.now ?? Date.now)()));
        } finally {
          await store.close?.();
        }
      },
    });
  };
  const advance = opts.advance;

  // ── idempotency keys ────────────────────────────────────────────────────

  define('complete: an expired claim nobody took over is still completed by its owner', async (store, f) => {
    const key = f.key('sinch-voice');
    const token = await newClaim(store, key, LEASE_MS);
    if (advance) await advance(LEASE_MS * 1.5);
    const response = f.response();
    assert.equal(await store.complete(key, token, response, { ttlMs: 60_000 }), true);
    assert.deepEqual(await store.claim(key, { leaseMs: LEASE_MS }), { state: 'done', response });
  });

  define('claim: new, then in-flight, then done with the identical response after complete', async (store, f) => {
    const key = f.key('sinch-conversation');
    const claim = await store.claim(key, { leaseMs: 30_000 });
    assert.equal(claim.state, 'new');
    assert.ok(claim.state === 'new' && typeof claim.token === 'string' && claim.token.length > 0, 'a new claim carries an owner token');
    assert.deepEqual(await store.claim(key, { leaseMs: 30_000 }), { state: 'in-flight' });
    const response = f.response();
    assert.equal(await store.complete(key, claim.token, response, { ttlMs: 60_000 }), true);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await store.claim(key, { leaseMs: 30_000 }), { state: 'done', response });
    }
  });

  define('claim: keys are independent', async (store, f) => {
    const a = f.key('twilio-conversations');
    const b = f.key('twilio-conversations');
    const ca = await newClaim(store, a, 30_000);
    await newClaim(store, b, 30_000);
    await store.complete(a, ca, f.response(), { ttlMs: 60_000 });
    assert.equal((await store.claim(b, { leaseMs: 30_000 })).state, 'in-flight');
  });

  define('release: the owner can give a key back; a done key stays done', async (store, f) => {
    const key = f.key('voipbin');
    const first = await newClaim(store, key, 30_000);
    assert.equal(await store.release(key, first), true);
    const second = await newClaim(store, key, 30_000);
    await store.complete(key, second, f.response(), { ttlMs: 60_000 });
    // A done key is not in flight: releasing it changes nothing.
    assert.equal(await store.release(key, second), false);
    assert.equal((await store.claim(key, { leaseMs: 30_000 })).state, 'done');
    // Releasing a key nobody holds is harmless.
    assert.equal(await store.release(f.key('voipbin'), 'no-such-token'), false);
  });

  define('claim: 20 concurrent claims of one key give exactly one new', async (store, f) => {
    const key = f.key('sinch-voice');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, { leaseMs: 30_000 })));
    assert.equal(results.filter((r) => r.state === 'new').length, 1);
    assert.equal(results.filter((r) => r.state === 'in-flight').length, 19);
  });

  define('claim: an expired lease lets a retry take over', async (store, f) => {
    const key = f.key('sinch-conversation');
    const crashed = await newClaim(store, key, LEASE_MS);
    assert.equal((await store.claim(key, { leaseMs: LEASE_MS })).state, 'in-flight');
    if (!advance) return;
    await advance(LEASE_MS / 4);
    assert.equal((await store.claim(key, { leaseMs: LEASE_MS })).state, 'in-flight', 'lease still running');
    await advance(LEASE_MS * 1.5);
    const retry = await newClaim(store, key, LEASE_MS);
    assert.equal((await store.claim(key, { leaseMs: LEASE_MS })).state, 'in-flight', 'the new owner holds it');
    // The first owner wakes up late: it must not release or complete the new owner's claim.
    assert.equal(await store.release(key, crashed), false);
    assert.equal(await store.complete(key, crashed, f.response(), { ttlMs: 60_000 }), false);
    assert.equal((await store.claim(key, { leaseMs: LEASE_MS })).state, 'in-flight', 'still the new owner');
    const response = f.response();
    assert.equal(await store.complete(key, retry, response, { ttlMs: 60_000 }), true);
    assert.deepEqual(await store.claim(key, { leaseMs: LEASE_MS }), { state: 'done', response });
  });

  define('complete: the stored response expires after ttlMs', async (store, f) => {
    const key = f.key('twilio-conversations');
    const token = await newClaim(store, key, 30_000);
    const response = f.response();
    await store.complete(key, token, response, { ttlMs: LEASE_MS });
    assert.deepEqual(await store.claim(key, { leaseMs: 30_000 }), { state: 'done', response });
    if (!advance) return;
    await advance(LEASE_MS * 1.5);
    assert.equal((await store.claim(key, { leaseMs: 30_000 })).state, 'new');
  });

  // ── messages ────────────────────────────────────────────────────────────

  define('appendMessage: idempotent by id', async (store, f) => {
    const message = f.inbound({ text: 'Hi, where is my order?' });
    const first = await store.appendMessage(message);
    assert.equal(first.created, true);
    assert.deepEqual(first.message, message);
    const retry = await store.appendMessage({ ...message, text: 'changed on retry', createdAt: f.at(99) });
    assert.equal(retry.created, false);
    assert.deepEqual(retry.message, message, 'a second append returns the stored message unchanged');
    assert.deepEqual(await store.getMessage(message.id), message);
    const listed = await store.listMessages(message.conversationId!);
    assert.deepEqual(listed.items.map((m) => m.id), [message.id]);
  });

  define('appendMessage: concurrent appends of one message create it once', async (store, f) => {
    const message = f.inbound({ text: 'double delivery' });
    const results = await Promise.all(Array.from({ length: 10 }, () => store.appendMessage(message)));
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal((await store.listMessages(message.conversationId!)).items.length, 1);
  });

  define('applyDelivery: QUEUED_ON_CHANNEL < DELIVERED < READ ends read in every arrival order', async (store, f) => {
    const reports = [
      sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(1)),
      sinchStatus('delivered', 'DELIVERED', f.at(2)),
      sinchStatus('read', 'READ', f.at(3)),
    ];
    for (const order of permutations(reports)) {
      const message = f.outbound();
      await store.appendMessage(message);
      let best: DeliveryStatus = message.status;
      for (const change of order) {
        const { applied, message: after } = await store.applyDelivery(f.delivery(message, change));
        const expected = DELIVERY_RANK[change.status] > DELIVERY_RANK[best];
        if (expected) best = change.status;
        const label = order.map((c) => c.rawStatus).join(' → ');
        assert.equal(applied, expected, `${label}: applied for ${change.rawStatus}`);
        assert.equal(after.status, best, `${label}: status after ${change.rawStatus}`);
      }
      const stored = await store.getMessage(message.id);
      assert.equal(stored?.status, 'read');
      assert.deepEqual(stored.statusHistory, reports, 'every report kept, sorted by time');
    }
  });

  define('applyDelivery: concurrent reports still end at the highest status', async (store, f) => {
    const message = f.outbound();
    await store.appendMessage(message);
    await Promise.all([
      store.applyDelivery(f.delivery(message, sinchStatus('read', 'READ', f.at(3)))),
      store.applyDelivery(f.delivery(message, sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(1)))),
      store.applyDelivery(f.delivery(message, sinchStatus('delivered', 'DELIVERED', f.at(2)))),
    ]);
    const stored = await store.getMessage(message.id);
    assert.equal(stored?.status, 'read');
    assert.deepEqual(stored.statusHistory.map((h) => h.rawStatus), ['QUEUED_ON_CHANNEL', 'DELIVERED', 'READ']);
  });

  define('applyDelivery: FAILED applies before delivery, never after it', async (store, f) => {
    const failed = sinchStatus('failed', 'FAILED', f.at(5), {
      code: 'RECIPIENT_NOT_REACHABLE', description: 'The recipient could not be reached',
    });

    // Sent, then failed: the failure is news.
    const a = f.outbound();
    await store.appendMessage(a);
    await store.applyDelivery(f.delivery(a, sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(1))));
    const aFailed = await store.applyDelivery(f.delivery(a, failed));
    assert.equal(aFailed.applied, true);
    assert.equal(aFailed.message.status, 'failed');
    assert.deepEqual(aFailed.message.statusHistory.at(-1)?.reason, failed.reason);
    const aLate = await store.applyDelivery(f.delivery(a, sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(0))));
    assert.equal(aLate.applied, false, 'a late queued report does not revive a failed message');
    assert.equal(aLate.message.status, 'failed');

    // Delivered, then a FAILED report: delivery stands.
    const b = f.outbound();
    await store.appendMessage(b);
    await store.applyDelivery(f.delivery(b, sinchStatus('delivered', 'DELIVERED', f.at(2))));
    const bFailed = await store.applyDelivery(f.delivery(b, failed));
    assert.equal(bFailed.applied, false);
    assert.equal(bFailed.message.status, 'delivered');
    assert.deepEqual(bFailed.message.statusHistory.map((h) => h.rawStatus), ['DELIVERED', 'FAILED']);

    // FAILED arrives first, DELIVERED later: delivered outranks failed.
    const c = f.outbound();
    await store.appendMessage(c);
    await store.applyDelivery(f.delivery(c, failed));
    const cDelivered = await store.applyDelivery(f.delivery(c, sinchStatus('delivered', 'DELIVERED', f.at(6))));
    assert.equal(cDelivered.applied, true);
    assert.equal(cDelivered.message.status, 'delivered');
  });

  define('applyDelivery: SWITCHING_CHANNEL is kept in history without lowering the status', async (store, f) => {
    const message = f.outbound();
    await store.appendMessage(message);
    await store.applyDelivery(f.delivery(message, sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(1))));
    const switching = await store.applyDelivery(f.delivery(message, sinchStatus('queued', 'SWITCHING_CHANNEL', f.at(2))));
    assert.equal(switching.applied, false);
    assert.equal(switching.message.status, 'sent');
    await store.applyDelivery(f.delivery(message, sinchStatus('sent', 'QUEUED_ON_CHANNEL', f.at(3))));
    await store.applyDelivery(f.delivery(message, sinchStatus('delivered', 'DELIVERED', f.at(4))));
    const stored = await store.getMessage(message.id);
    assert.equal(stored?.status, 'delivered');
    assert.deepEqual(
      stored.statusHistory.map((h) => h.rawStatus),
      ['QUEUED_ON_CHANNEL', 'SWITCHING_CHANNEL', 'QUEUED_ON_CHANNEL', 'DELIVERED'],
    );
  });

  define('applyDelivery: READ before DELIVERED stays read', async (store, f) => {
    const message = f.outbound();
    await store.appendMessage(message);
    const read = await store.applyDelivery(f.delivery(message, sinchStatus('read', 'READ', f.at(3))));
    assert.equal(read.applied, true);
    const delivered = await store.applyDelivery(f.delivery(message, sinchStatus('delivered', 'DELIVERED', f.at(2))));
    assert.equal(delivered.applied, false);
    assert.equal(delivered.message.status, 'read');
    assert.deepEqual(delivered.message.statusHistory.map((h) => h.rawStatus), ['DELIVERED', 'READ']);
  });

  define('applyDelivery: a repeated report is kept once; per-recipient reports are kept apart', async (store, f) => {
    const message = f.outbound();
    await store.appendMessage(message);
    const delivered = sinchStatus('delivered', 'DELIVERED', f.at(2));
    assert.equal((await store.applyDelivery(f.delivery(message, delivered))).applied, true);
    const again = await store.applyDelivery(f.delivery(message, { ...delivered }));
    assert.equal(again.applied, false);
    assert.equal(again.message.statusHistory.length, 1);

    // Twilio group MMS: one report per participant, same status and time.
    const group = f.outbound({ provider: 'twilio-conversations', channel: 'MMS', rawChannel: 'sms' });
    await store.appendMessage(group);
    const alice = f.phone();
    const bob = f.phone();
    const at = f.at(4);
    await store.applyDelivery(f.delivery(group, { status: 'delivered', rawStatus: 'delivered', at, recipient: alice }));
    await store.applyDelivery(f.delivery(group, { status: 'delivered', rawStatus: 'delivered', at, recipient: bob }));
    await store.applyDelivery(f.delivery(group, { status: 'delivered', rawStatus: 'delivered', at, recipient: bob }));
    const read = await store.applyDelivery(
      f.delivery(group, { status: 'read', rawStatus: 'read', at: f.at(5), recipient: alice }),
    );
    assert.equal(read.applied, true);
    assert.equal(read.message.status, 'read', 'the overall status is the highest any recipient reached');
    assert.deepEqual(
      read.message.statusHistory.map((h) => [h.rawStatus, h.recipient]),
      [['delivered', alice], ['delivered', bob], ['read', alice]],
    );
  });

  define('applyDelivery: an unknown message gets a stub that the later append fills in', async (store, f) => {
    const real = f.outbound({ text: 'Your parcel ships today', createdAt: f.at(0), updatedAt: f.at(0) });
    const delivered = sinchStatus('delivered', 'DELIVERED', f.at(2));
    const early = await store.applyDelivery(f.delivery(real, delivered));
    assert.equal(early.applied, true);
    const stub = early.message;
    assert.equal(stub.id, real.id);
    assert.equal(stub.provider, real.provider);
    assert.equal(stub.providerId, real.providerId);
    assert.equal(stub.conversationId, real.conversationId);
    assert.equal(stub.direction, 'outbound');
    assert.equal(stub.kind, 'unknown');
    assert.deepEqual(stub.media, []);
    assert.deepEqual(stub.metadata, {});
    assert.equal(stub.status, 'delivered');
    assert.deepEqual(stub.statusHistory, [delivered]);
    assert.equal(stub.createdAt, delivered.at);
    assert.deepEqual(stub.to, real.to);
    assert.deepEqual(await store.getMessage(real.id), stub);

    const read = sinchStatus('read', 'READ', f.at(3));
    assert.equal((await store.applyDelivery(f.delivery(real, read))).applied, true);

    const appended = await store.appendMessage(real);
    assert.equal(appended.created, true, 'the first append creates the message even after a stub');
    const merged = appended.message;
    assert.equal(merged.text, 'Your parcel ships today');
    assert.equal(merged.kind, 'text');
    assert.equal(merged.createdAt, real.createdAt);
    assert.equal(merged.status, 'read', 'the append does not lower what reports already reached');
    assert.deepEqual(merged.statusHistory, [delivered, read]);
    assert.deepEqual(await store.getMessage(real.id), merged);

    const retry = await store.appendMessage(real);
    assert.equal(retry.created, false);
    assert.deepEqual(retry.message, merged);
    const listed = await store.listMessages(real.conversationId!);
    assert.deepEqual(listed.items.map((m) => m.id), [real.id]);
  });

  // ── conversations, contacts, calls ──────────────────────────────────────

  define('upsertConversation: merges participants and metadata, follows state changes', async (store, f) => {
    const customer: Address = { kind: 'whatsapp', value: f.phone() };
    const agent: Address = { kind: 'whatsapp', value: f.phone() };
    const id = f.id('sinch-conversation', 'CONV');
    const base = { id, provider: 'sinch-conversation', providerId: id.split(':')[1]! };

    const started = await store.upsertConversation({
      ...base, channel: 'WHATSAPP', rawChannel: 'WHATSAPP', participants: [customer],
      state: 'active', metadata: { app_id: 'APP1' }, at: f.at(0),
    });
    assert.equal(started.state, 'active');
    assert.equal(started.createdAt, f.at(0));
    assert.equal(started.updatedAt, f.at(0));
    assert.deepEqual(started.participants, [customer]);

    const joined = await store.upsertConversation({
      ...base, contactId: 'sinch-conversation:CONTACT1', contact: customer,
      participants: [{ ...customer }, agent], metadata: { topic: 'billing' }, at: f.at(10),
    });
    assert.deepEqual(joined.participants, [customer, agent], 'no duplicate by kind+value');
    assert.deepEqual(joined.metadata, { app_id: 'APP1', topic: 'billing' });
    assert.equal(joined.state, 'active', 'state kept when not given');
    assert.equal(joined.channel, 'WHATSAPP', 'fields kept when not given');
    assert.equal(joined.contactId, 'sinch-conversation:CONTACT1');
    assert.deepEqual(joined.contact, customer);
    assert.equal(joined.createdAt, f.at(0));
    assert.equal(joined.updatedAt, f.at(10));

    const closed = await store.upsertConversation({ ...base, state: 'closed', metadata: { topic: 'refund' }, at: f.at(20) });
    assert.equal(closed.state, 'closed');
    assert.deepEqual(closed.metadata, { app_id: 'APP1', topic: 'refund' });
    const reopened = await store.upsertConversation({ ...base, state: 'active', at: f.at(30) });
    assert.equal(reopened.state, 'active');
    assert.equal(reopened.updatedAt, f.at(30));
    assert.equal(reopened.createdAt, f.at(0));
    assert.deepEqual(await store.getConversation(id), reopened);
  });

  define('upsertContact: merges fields and metadata, replaces addresses only when given', async (store, f) => {
    const id = f.id('sinch-conversation', 'CONTACT');
    const base = { id, provider: 'sinch-conversation', providerId: id.split(':')[1]! };
    const phone: Address = { kind: 'tel', value: f.phone() };
    const wa: Address = { kind: 'whatsapp', value: phone.value };

    const created = await store.upsertContact({
      ...base, displayName: 'Ada Lovelace', addresses: [phone], metadata: { tier: 'gold' }, at: f.at(0),
    });
    assert.equal(created.displayName, 'Ada Lovelace');
    assert.deepEqual(created.addresses, [phone]);
    assert.equal(created.updatedAt, f.at(0));

    const more = await store.upsertContact({
      ...base, email: 'ada@example.com', language: 'en-GB', metadata: { crm: '42' }, at: f.at(10),
    });
    assert.equal(more.displayName, 'Ada Lovelace');
    assert.equal(more.email, 'ada@example.com');
    assert.equal(more.language, 'en-GB');
    assert.deepEqual(more.addresses, [phone], 'addresses kept when not given');
    assert.deepEqual(more.metadata, { tier: 'gold', crm: '42' });
    assert.equal(more.updatedAt, f.at(10));

    const replaced = await store.upsertContact({ ...base, addresses: [phone, wa], at: f.at(20) });
    assert.deepEqual(replaced.addresses, [phone, wa]);
    const merged = await store.upsertContact({
      ...base, addresses: [wa], deleted: true, mergedInto: 'sinch-conversation:OTHER', at: f.at(30),
    });
    assert.deepEqual(merged.addresses, [wa]);
    assert.equal(merged.deleted, true);
    assert.equal(merged.mergedInto, 'sinch-conversation:OTHER');
    assert.deepEqual(await store.getContact(id), merged);
  });

  define('applyCallEvent: state only moves forward; menu results and recordings are appended once', async (store, f) => {
    const caller: Address = { kind: 'tel', value: f.phone() };
    const callee: Address = { kind: 'tel', value: f.phone() };
    const id = f.id('sinch-voice', 'CALL');
    const base = { id, provider: 'sinch-voice', providerId: id.split(':')[1]! };

    const ice = await store.applyCallEvent({
      ...base, from: caller, to: callee, domain: 'pstn', state: 'ringing', cookies: { lang: 'en' }, at: f.at(0),
    });
    assert.equal(ice.state, 'ringing');
    assert.deepEqual(ice.menuResults, []);
    assert.deepEqual(ice.recordings, []);
    assert.equal(ice.createdAt, f.at(0));

    await store.applyCallEvent({
      ...base, state: 'answered', amd: { status: 'human', reason: 'longgreeting', duration: 2 }, at: f.at(5),
    });
    const menu = { menuId: 'main', type: 'sequence', value: 'sales', inputMethod: 'dtmf', at: f.at(10) };
    await store.applyCallEvent({ ...base, menuResult: menu, cookies: { step: 'menu' }, at: f.at(10) });
    await store.applyCallEvent({ ...base, menuResult: { ...menu }, at: f.at(10) });
    const second = { menuId: 'sales', type: 'sequence', value: '2', inputMethod: 'voice', at: f.at(15) };
    await store.applyCallEvent({ ...base, menuResult: second, at: f.at(15) });

    const ended = await store.applyCallEvent({
      ...base, state: 'ended', result: 'COMPLETED', reason: 'CALLERHUNGUP', durationSec: 55,
      debit: { amount: 0.0475, currencyId: 'USD' }, at: f.at(60),
    });
    assert.equal(ended.state, 'ended');

    const lateAnswer = await store.applyCallEvent({ ...base, state: 'answered', at: f.at(5) });
    assert.equal(lateAnswer.state, 'ended');
    const lateRing = await store.applyCallEvent({ ...base, state: 'ringing', at: f.at(1) });
    assert.equal(lateRing.state, 'ended');

    const recording = { id: 'REC1', url: 'https://recordings.example.com/REC1.mp3', at: f.at(61) };
    await store.applyCallEvent({ ...base, recording, at: f.at(61) });
    const call = await store.applyCallEvent({ ...base, recording: { ...recording }, at: f.at(61) });

    assert.equal(call.state, 'ended');
    assert.deepEqual(call.from, caller);
    assert.deepEqual(call.to, callee);
    assert.equal(call.domain, 'pstn');
    assert.deepEqual(call.menuResults, [menu, second]);
    assert.deepEqual(call.recordings, [recording]);
    assert.deepEqual(call.cookies, { lang: 'en', step: 'menu' });
    assert.deepEqual(call.amd, { status: 'human', reason: 'longgreeting', duration: 2 });
    assert.equal(call.result, 'COMPLETED');
    assert.equal(call.reason, 'CALLERHUNGUP');
    assert.equal(call.durationSec, 55);
    assert.deepEqual(call.debit, { amount: 0.0475, currencyId: 'USD' });
    assert.equal(call.createdAt, f.at(0));
    assert.equal(call.updatedAt, f.at(61));
    assert.deepEqual(await store.getCall(id), call);
  });

  // ── reading ─────────────────────────────────────────────────────────────

  define('unknown ids read as undefined and empty pages', async (store, f) => {
    assert.equal(await store.getMessage(f.id('sinch-conversation', 'NOPE')), undefined);
    assert.equal(await store.getConversation(f.id('sinch-conversation', 'NOPE')), undefined);
    assert.equal(await store.getContact(f.id('sinch-conversation', 'NOPE')), undefined);
    assert.equal(await store.getCall(f.id('sinch-voice', 'NOPE')), undefined);
    assert.deepEqual(await store.listMessages(f.id('sinch-conversation', 'NOPE')), { items: [] });
    assert.deepEqual(await store.timeline(f.phone()), { items: [] });
  });

  define('listMessages: newest first over 3 pages, no duplicates, no misses', async (store, f) => {
    const conversationId = f.id('sinch-conversation', 'CONV');
    const written = shuffle(
      Array.from({ length: 25 }, (_, i) => f.inbound({ conversationId, text: `message ${i}`, createdAt: f.at(i), updatedAt: f.at(i) })),
    );
    for (const m of written) await store.appendMessage(m);
    await store.appendMessage(f.inbound({ text: 'another conversation' }));

    const pages = await readAll((cursor) => store.listMessages(conversationId, { limit: 10, cursor }));
    assert.deepEqual(pages.map((p) => p.items.length), [10, 10, 5]);
    const ids = pages.flatMap((p) => p.items.map((m) => m.id));
    assert.deepEqual(ids, sortNewestFirst(written).map((m) => m.id));
    const whole = await store.listMessages(conversationId, { limit: 25 });
    assert.equal(whole.items.length, 25);
    assert.equal(whole.nextCursor, undefined, 'no cursor when nothing follows');
  });

  define('listMessages: default page size 50', async (store, f) => {
    const conversationId = f.id('sinch-conversation', 'CONV');
    for (let i = 0; i < 55; i++) {
      await store.appendMessage(f.inbound({ conversationId, createdAt: f.at(i), updatedAt: f.at(i) }));
    }
    const first = await store.listMessages(conversationId);
    assert.equal(first.items.length, 50);
    assert.ok(first.nextCursor);
    const second = await store.listMessages(conversationId, { cursor: first.nextCursor });
    assert.equal(second.items.length, 5);
    assert.equal(second.nextCursor, undefined);
  });

  define('listConversations: newest update first, paged', async (store, f) => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = f.id('sinch-conversation', 'CONV');
      ids.push(id);
      await store.upsertConversation({ ...conversationOf(id), at: f.at(i) });
    }
    // An update moves the oldest conversation to the front.
    await store.upsertConversation({ ...conversationOf(ids[0]!), state: 'closed', at: f.at(100) });
    const pages = await readAll((cursor) => store.listConversations({ limit: 3, cursor }));
    assert.deepEqual(pages.map((p) => p.items.length), [3, 3, 1]);
    const expected = [ids[0]!, ...ids.slice(1).reverse()];
    assert.deepEqual(pages.flatMap((p) => p.items.map((c) => c.id)), expected);
  });

  define('listCalls: newest first, paged; no cursor when the last page is exactly full', async (store, f) => {
    const ids: string[] = [];
    for (const i of shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8])) {
      const id = f.id('sinch-voice', `CALL${i}`);
      ids[i] = id;
      await store.applyCallEvent(f.callUpdate(id, { from: { kind: 'tel', value: f.phone() }, at: f.at(i) }));
    }
    const pages = await readAll((cursor) => store.listCalls({ limit: 3, cursor }));
    assert.deepEqual(pages.map((p) => p.items.length), [3, 3, 3]);
    assert.deepEqual(pages.flatMap((p) => p.items.map((c) => c.id)), [...ids].reverse());
    assert.equal((await store.listCalls({ limit: 9 })).nextCursor, undefined);
  });

  define('timeline: joins messages from two providers and a call for one address, newest first', async (store, f) => {
    const customer = f.phone();
    const sinchIn = f.inbound({
      from: { kind: 'whatsapp', value: customer }, text: 'Can you call me?', createdAt: f.at(10), updatedAt: f.at(10),
    });
    const twilioOut = f.outbound({
      provider: 'twilio-conversations', channel: 'SMS', rawChannel: 'sms',
      to: { kind: 'tel', value: customer }, text: 'Calling you in 5 minutes', createdAt: f.at(30), updatedAt: f.at(30),
    });
    const someoneElse = f.inbound({ text: 'unrelated', createdAt: f.at(20), updatedAt: f.at(20) });
    const callId = f.id('sinch-voice', 'CALL');
    await store.appendMessage(sinchIn);
    await store.appendMessage(twilioOut);
    await store.appendMessage(someoneElse);
    await store.applyCallEvent(f.callUpdate(callId, {
      from: { kind: 'tel', value: f.business }, to: { kind: 'tel', value: customer }, state: 'ringing', at: f.at(40),
    }));
    await store.applyCallEvent(f.callUpdate(callId, { state: 'ended', at: f.at(100) }));

    const all = await store.timeline(customer);
    assert.equal(all.nextCursor, undefined);
    assert.deepEqual(
      all.items.map((e) => [e.type, e.provider, e.channel, e.at]),
      [
        ['call', 'sinch-voice', 'VOICE', f.at(40)],
        ['message', 'twilio-conversations', 'SMS', f.at(30)],
        ['message', 'sinch-conversation', 'WHATSAPP', f.at(10)],
      ],
    );
    const [call, twilio, sinch] = all.items;
    assert.equal(call?.type === 'call' && call.call.id, callId);
    assert.equal(call?.type === 'call' && call.call.state, 'ended');
    assert.deepEqual(twilio?.type === 'message' && twilio.message, twilioOut);
    assert.deepEqual(sinch?.type === 'message' && sinch.message, sinchIn);

    const pages = await readAll((cursor) => store.timeline(customer, { limit: 2, cursor }));
    assert.deepEqual(pages.map((p) => p.items.length), [2, 1]);
    assert.deepEqual(pages.flatMap((p) => p.items), all.items);
  });

  define('deadLetter: listed newest first, paged', async (store, f) => {
    const letters: DeadLetter[] = [0, 2, 1].map((i) => ({
      id: f.id('dlq', `DL${i}`),
      provider: 'sinch-conversation',
      code: 'schema_violation',
      reason: `/message/contact_message must have required property 'text_message' (#${i})`,
      receivedAt: f.at(i),
      rawBody: JSON.stringify({ app_id: 'APP1', message: { contact_message: {} } }),
      headers: { 'content-type': 'application/json', 'x-sinch-webhook-signature-nonce': `nonce-${i}` },
    }));
    for (const letter of letters) await store.deadLetter(letter);
    const pages = await readAll((cursor) => store.listDeadLetters({ limit: 2, cursor }));
    assert.deepEqual(pages.map((p) => p.items.length), [2, 1]);
    assert.deepEqual(pages.flatMap((p) => p.items), [letters[1], letters[2], letters[0]]);
  });

  define('returned objects are copies', async (store, f) => {
    const message = f.inbound({ text: 'original', metadata: { tag: 'a' } });
    const { message: returned } = await store.appendMessage(message);
    returned.text = 'mutated';
    message.text = 'mutated input';
    message.metadata.tag = 'mutated input';
    const got = await store.getMessage(message.id);
    assert.equal(got?.text, 'original');
    assert.equal(got.metadata.tag, 'a');
    got.statusHistory.push(sinchStatus('read', 'READ', f.at(9)));
    (await store.listMessages(message.conversationId!)).items[0]!.media.push({ url: 'https://example.com/x.png' });
    const timelineEntry = (await store.timeline(message.from!.value)).items[0];
    if (timelineEntry?.type === 'message') timelineEntry.message.text = 'mutated via timeline';
    const again = await store.getMessage(message.id);
    assert.equal(again?.text, 'original');
    assert.deepEqual(again.statusHistory, []);
    assert.deepEqual(again.media, []);

    const key = f.key('sinch-conversation');
    const token = await newClaim(store, key, 30_000);
    const response = f.response();
    await store.complete(key, token, response, { ttlMs: 60_000 });
    response.headers['x-mutated'] = '1';
    const done = await store.claim(key, { leaseMs: 30_000 });
    assert.ok(done.state === 'done');
    assert.equal(done.response.headers['x-mutated'], undefined);
    done.response.body = 'mutated';
    const doneAgain = await store.claim(key, { leaseMs: 30_000 });
    assert.ok(doneAgain.state === 'done');
    assert.notEqual(doneAgain.response.body, 'mutated');

    const convId = f.id('sinch-conversation', 'CONV');
    const conversation = await store.upsertConversation({ ...conversationOf(convId), metadata: { a: '1' }, at: f.at(0) });
    conversation.metadata.a = 'mutated';
    conversation.participants.push({ kind: 'tel', value: '+15550000000' });
    const storedConversation = await store.getConversation(convId);
    assert.deepEqual(storedConversation?.metadata, { a: '1' });
    assert.deepEqual(storedConversation.participants, []);

    const callId = f.id('sinch-voice', 'CALL');
    const call = await store.applyCallEvent(f.callUpdate(callId, { cookies: { a: '1' }, at: f.at(0) }));
    call.cookies.a = 'mutated';
    call.state = 'ended';
    const storedCall = await store.getCall(callId);
    assert.deepEqual(storedCall?.cookies, { a: '1' });
    assert.equal(storedCall.state, 'ringing');
  });

  return cases;
}

// ── factories ─────────────────────────────────────────────────────────────

/** Builds realistic records with ids and phone numbers unique to one case. */
class Factory {
  readonly #tag = randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();
  readonly #base: number;
  #seq = 0;
  readonly business: string;
  readonly customer: string;

  constructor(nowMs: number) {
    // An hour back so every `at(…)` a case uses lies in the store's past.
    this.#base = Math.floor(nowMs / 1000) * 1000 - 3_600_000;
    this.business = this.phone();
    this.customer = this.phone();
  }

  at(seconds: number): string {
    return new Date(this.#base + seconds * 1000).toISOString();
  }

  /** E.164 in the fictional +1 555 area, random so cases do not share timelines. */
  phone(): string {
    return `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
  }

  id(provider: string, prefix: string): string {
    return `${provider}:${prefix}${this.#tag}${String(++this.#seq).padStart(4, '0')}`;
  }

  key(provider: string): string {
    return `${provider}:evt:${this.#tag}:${++this.#seq}`;
  }

  response(): StoredResponse {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ok: true, seq: ++this.#seq }),
    };
  }

  inbound(over: Partial<Message> = {}): Message {
    return this.message('inbound', over);
  }

  outbound(over: Partial<Message> = {}): Message {
    return this.message('outbound', over);
  }

  message(direction: 'inbound' | 'outbound', over: Partial<Message>): Message {
    const provider = over.provider ?? 'sinch-conversation';
    const id = this.id(provider, '01J');
    const channel: Channel = over.channel ?? 'WHATSAPP';
    const kind = channel === 'WHATSAPP' ? 'whatsapp' : 'tel';
    const customer: Address = { kind, value: this.customer };
    const business: Address = { kind, value: this.business };
    const at = this.at(0);
    return {
      id,
      provider,
      providerId: id.slice(provider.length + 1),
      conversationId: `${provider}:CONV${this.#tag}`,
      direction,
      channel,
      rawChannel: channel,
      from: direction === 'inbound' ? customer : business,
      to: direction === 'inbound' ? business : customer,
      text: direction === 'inbound' ? 'Hello, I need help with my order' : 'Thanks, we are on it',
      media: [],
      kind: 'text',
      metadata: {},
      status: direction === 'inbound' ? 'received' : 'queued',
      statusHistory: [],
      createdAt: at,
      updatedAt: at,
      ...over,
    };
  }

  delivery(message: Message, change: StatusChange): DeliveryUpdate {
    const update: DeliveryUpdate = {
      messageId: message.id,
      provider: message.provider,
      providerId: message.providerId,
      channel: message.channel,
      change: { ...change },
    };
    if (message.conversationId !== undefined) update.conversationId = message.conversationId;
    if (message.rawChannel !== undefined) update.rawChannel = message.rawChannel;
    if (message.to !== undefined) update.to = message.to;
    return update;
  }

  callUpdate(id: string, over: Partial<CallUpdate> = {}): CallUpdate {
    const provider = id.slice(0, id.indexOf(':'));
    return {
      id,
      provider,
      providerId: id.slice(provider.length + 1),
      at: this.at(0),
      ...over,
    };
  }
}

function sinchStatus(
  status: DeliveryStatus, rawStatus: string, at: string, reason?: StatusChange['reason'],
): StatusChange {
  return reason ? { status, rawStatus, at, reason } : { status, rawStatus, at };
}

function conversationOf(id: string): Omit<ConversationUpdate, 'at'> {
  const provider = id.slice(0, id.indexOf(':'));
  return { id, provider, providerId: id.slice(provider.length + 1), channel: 'WHATSAPP', rawChannel: 'WHATSAPP' };
}

/** Follows nextCursor to the end; stops on a loop so a broken cursor fails instead of hanging. */
async function readAll<T>(read: (cursor: string | undefined) => Promise<PageResult<T>>): Promise<Array<PageResult<T>>> {
  const pages: Array<PageResult<T>> = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    pages.push(page);
    assert.notEqual(page.nextCursor, cursor, 'nextCursor must advance');
    cursor = page.nextCursor;
    assert.ok(pages.length <= 100, 'too many pages');
  } while (cursor !== undefined);
  return pages;
}

function sortNewestFirst(messages: Message[]): Message[] {
  return [...messages].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Claims a key that must be new and returns its owner token. */
async function newClaim(store: Store, key: string, leaseMs: number): Promise<string> {
  const claim = await store.claim(key, { leaseMs });
  assert.equal(claim.state, 'new', `expected ${key} to be new`);
  return claim.state === 'new' ? claim.token : '';
}
