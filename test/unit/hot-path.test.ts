// The shortcuts the request hot path takes (cached ISO formatting, string
// comparison of canonical times, cached HMAC keys, a copy that drops
// undefined, a lazily created ctx.signal, no timer for the memory store, one
// form decode per Twilio request, cached candidate URLs, an answer that does
// not wait for its event to be marked done) must
// give exactly what the slow, obvious way gives.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore, type Store } from '../../src/index.js';
import { hmac } from '../../src/core/crypto.js';
import { firstIsoTime, isoFromMs, isoTime } from '../../src/model/time.js';
import { compareAt, copyRecord } from '../../src/store/records.js';
import { serve, post, type Running } from '../helpers/servers.js';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import type { WebhookRequest } from '../../src/core/types.js';
import { candidateUrls, parsePublicUrl, twilioSignature, verifyTwilioRequest } from '../../src/providers/twilio-conversations/verify.js';
import { decodeForm, parseTwilioConversations } from '../../src/providers/twilio-conversations/events.js';
import { encodeForm } from '../helpers/fake-twilio.js';
import { inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

const YEAR_9999_END = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('ISO times', () => {
  it('isoFromMs prints what toISOString prints, for any instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const ms of [0, 999, 1000, YEAR_9999_END, YEAR_9999_END + 1, -1]) expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
  });

  it('isoFromMs stays right when many seconds go through its cache', () => {
    const start = Date.UTC(2026, 10, 22);
    for (let ms = start; ms < start + 600_000; ms += 997) expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
  });

  it('isoTime normalises what Date reads and refuses the rest', () => {
    expect(isoTime('2026-11-22T12:00:00Z')).toBe('2026-11-22T12:00:00.000Z');
    expect(isoTime('2020-11-17T16:05:51.724083Z')).toBe('2020-11-17T16:05:51.724Z');
    expect(isoTime('2026-11-22T13:00:00+01:00')).toBe('2026-11-22T12:00:00.000Z');
    for (const bad of ['', 'yesterday', undefined, null, 42, {}]) expect(isoTime(bad)).toBeUndefined();
    expect(firstIsoTime(['nope', undefined, '2026-11-22T12:00:00Z'], 0)).toBe('2026-11-22T12:00:00.000Z');
    expect(firstIsoTime(['nope'], Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('compareAt orders canonical strings exactly as it orders the instants', () => {
    const instant = fc.integer({ min: 0, max: YEAR_9999_END });
    fc.assert(
      fc.property(instant, instant, (x, y) => {
        const a = new Date(x).toISOString();
        const b = new Date(y).toISOString();
        expect(Math.sign(compareAt(a, b))).toBe(Math.sign(x - y));
      }),
      { numRuns: 20_000 },
    );
    // Mixed precisions and offsets still compare as instants.
    expect(compareAt('2026-11-22T13:00:00+01:00', '2026-11-22T12:00:00.001Z')).toBeLessThan(0);
    expect(compareAt('2026-11-22T12:00:00Z', '2026-11-22T12:00:00.000Z')).not.toBe(0); // same instant: falls back to string order
  });
});

describe('hmac()', () => {
  it('gives the bytes createHmac gives, for either algorithm and key encoding', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('sha1', 'sha256'), (secret, data, algo) => {
        const body = Buffer.from(data);
        expect(hmac(algo as 'sha1' | 'sha256', secret).update(body).digest('base64')).toBe(createHmac(algo, secret).update(body).digest('base64'));
        expect(hmac(algo as 'sha1' | 'sha256', secret, 'base64').update(body).digest('hex')).toBe(
          createHmac(algo, Buffer.from(secret, 'base64')).update(body).digest('hex'),
        );
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('copyRecord()', () => {
  it('deep-copies, drops undefined members like a JSON round trip, and keeps __proto__ as data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyRecord(value);
        // Same text (JSON also turns -0 into 0, which a copy need not do), never the same objects.
        expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
        if (value !== null && typeof value === 'object') expect(copy).not.toBe(value);
      }),
      { numRuns: 2_000 },
    );
    const source = { a: 1, b: undefined, nested: { c: undefined, d: [1, { e: 2 }] } };
    const copy = copyRecord(source);
    expect(Object.keys(copy)).toEqual(['a', 'nested']);
    expect(Object.keys(copy.nested)).toEqual(['d']);
    copy.nested.d.push(3);
    expect(source.nested.d).toHaveLength(2);
    const hostile = copyRecord(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(hostile)).toEqual(['__proto__']);
  });
});

describe('hook context and store deadlines', () => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('ctx.signal is the same live signal however often it is read, and aborts at the deadline', async () => {
    const sb = makeSwitchboard({ sinchConversation: { hookTimeoutMs: 150 } });
    const seen: AbortSignal[] = [];
    let abortedWith: unknown;
    sb.sinchConversation.onMessageInbound(async (_event, ctx) => {
      seen.push(ctx.signal, ctx.signal);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      abortedWith = ctx.signal.reason;
    });
    server = await serve('node', sb);
    const body = inboundBody();
    const res = await post(`${server.base}/sinch/conversation`, body, { 'content-type': 'application/json', ...signed(body) });
    expect(res.status).toBe(503);
    expect(res.json().error.code).toBe('hook_timeout');
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]!.aborted).toBe(true);
    expect((abortedWith as { code?: string }).code).toBe('hook_timeout');
  });

  it('a store built by spreading memoryStore() is still bounded by storeTimeoutMs', async () => {
    const hanging: Store = { ...memoryStore(), claim: () => new Promise(() => undefined) };
    const sb = makeSwitchboard({ store: hanging, storeTimeoutMs: 200 });
    let hookRan = false;
    sb.sinchConversation.onMessageInbound(() => {
      hookRan = true;
    });
    server = await serve('express5', sb);
    const body = inboundBody();
    const started = Date.now();
    const res = await post(`${server.base}/sinch/conversation`, body, { 'content-type': 'application/json', ...signed(body) });
    expect(res.status).toBe(503);
    expect(res.json().error.code).toBe('store_unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(hookRan).toBe(false);
  });
});

describe('marking an event done does not hold its answer back', () => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A memory store whose complete() lands only when the test says so. */
  function gatedStore() {
    const inner = memoryStore();
    const gates: Array<() => void> = [];
    const store: Store = {
      ...inner,
      complete: (key, token, response, opts) =>
        new Promise<void>((resolve) => gates.push(resolve)).then(() => inner.complete(key, token, response, opts)),
    };
    return { store, open: (n = gates.length) => gates.splice(0, n).forEach((g) => g()), waiting: () => gates.length };
  }

  it('answers before complete() lands; close() waits for it; the retry then gets the stored answer', async () => {
    const { store, open, waiting } = gatedStore();
    // A long store deadline: an answer that waited for complete() would not arrive before open().
    const sb = makeSwitchboard({ store, storeTimeoutMs: 60_000 });
    let hooks = 0;
    sb.sinchConversation.onMessageInbound(() => {
      hooks += 1;
    });
    server = await serve('node', sb);
    const body = inboundBody();
    const headers = { 'content-type': 'application/json', ...signed(body) };
    const first = await post(`${server.base}/sinch/conversation`, body, headers);
    expect(first.status).toBe(200);
    expect(waiting()).toBe(1);
    // Not marked done yet: a duplicate now finds the claim in flight, and no hook runs twice.
    const early = await post(`${server.base}/sinch/conversation`, body, headers);
    expect(early.status).toBe(409);
    expect(early.json().error.code).toBe('duplicate_in_flight');

    open();
    await new Promise((r) => setTimeout(r, 20));
    const retry = await post(`${server.base}/sinch/conversation`, body, headers);
    expect(retry.status).toBe(200);
    expect(hooks).toBe(1);

    // close() lets an outstanding complete() land before it returns.
    const other = inboundBody();
    expect((await post(`${server.base}/sinch/conversation`, other, { 'content-type': 'application/json', ...signed(other) })).status).toBe(200);
    expect(waiting()).toBe(1);
    let closed = false;
    const closing = sb.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    open();
    await closing;
    expect(closed).toBe(true);
    expect(hooks).toBe(2);
  });

  it('drain() waits for the marks of events answered before it, not for later ones', async () => {
    const { store, open, waiting } = gatedStore();
    const sb = makeSwitchboard({ store, storeTimeoutMs: 60_000 });
    sb.sinchConversation.onMessageInbound(() => undefined);
    server = await serve('node', sb);
    const send = async () => {
      const body = inboundBody();
      expect((await post(`${server!.base}/sinch/conversation`, body, { 'content-type': 'application/json', ...signed(body) })).status).toBe(200);
    };
    await send();
    let drained = false;
    const draining = sb.drain().then(() => {
      drained = true;
    });
    await send();
    expect(waiting()).toBe(2);
    open(1);
    await draining;
    expect(drained).toBe(true);
    expect(waiting()).toBe(1);
    open();
    await sb.drain();
  });

  it('a logger that throws while reporting a failed complete() takes nothing down', async () => {
    const logger = { debug() {}, info() {}, warn() {}, error: () => { throw new Error('log sink down'); } };
    const store: Store = { ...memoryStore(), complete: () => Promise.reject(new Error('disk full')) };
    const sb = makeSwitchboard({ store, logger });
    sb.sinchConversation.onMessageInbound(() => undefined);
    server = await serve('node', sb);
    for (let i = 0; i < 3; i++) {
      const body = inboundBody();
      expect((await post(`${server.base}/sinch/conversation`, body, { 'content-type': 'application/json', ...signed(body) })).status).toBe(200);
    }
    await sb.drain();
  });

  it('a complete() that fails is logged, the answer stands, and close() still returns', async () => {
    const logged: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_o: unknown, msg?: string) => void logged.push(msg ?? '') };
    const store: Store = { ...memoryStore(), complete: () => Promise.reject(new Error('disk full')) };
    const sb = makeSwitchboard({ store, logger });
    sb.sinchConversation.onMessageInbound(() => undefined);
    server = await serve('koa', sb);
    const body = inboundBody();
    const res = await post(`${server.base}/sinch/conversation`, body, { 'content-type': 'application/json', ...signed(body) });
    expect(res.status).toBe(200);
    await sb.close();
    expect(logged.some((m) => m.includes('could not mark the event done'))).toBe(true);
  });
});

describe('Twilio: one decode per request, cached candidate URLs', () => {
  const TOKEN = 'hot-path-token';
  const ORIGIN = 'https://hooks.example.com';
  const target = '/twilio/conversations/post';
  const opts = { authTokens: [TOKEN], publicBases: parsePublicUrl(ORIGIN), trustProxy: false };
  const formRequest = (body: string, signature: string): WebhookRequest => ({
    method: 'POST', url: target, routePath: target, receivedAt: 0, rawBody: Buffer.from(body),
    headers: { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
  });

  it('the signed string built once for every candidate gives what twilio-node computes', () => {
    const key = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }))), (params) => {
        const url = `${ORIGIN}${target}`;
        expect(twilioSignature(TOKEN, url, params)).toBe(getExpectedTwilioSignature(TOKEN, url, params));
      }),
      { numRuns: 2_000 },
    );
  });

  it('verify then parse decode the body once, and parsing leaves nothing that breaks a second verify', () => {
    const params = { EventType: 'onMessageAdded', ConversationSid: 'CH1', MessageSid: 'IM1', Index: '0', Body: 'a+b %2B', Attributes: '{"k":1}', Author: '+15558675310' };
    const req = formRequest(encodeForm(params), getExpectedTwilioSignature(TOKEN, `${ORIGIN}${target}`, params));
    verifyTwilioRequest(req, opts);
    const event = parseTwilioConversations(req);
    expect(event.payload).toMatchObject({ ...params, attributes: { k: 1 } });
    expect(() => verifyTwilioRequest(req, opts)).not.toThrow();
    // Parsed without a verify first: decodes by itself.
    expect(parseTwilioConversations(formRequest(encodeForm(params), 'x')).payload).toMatchObject(params);
  });

  it('a caller mutating candidateUrls() output cannot change what later requests are checked against', () => {
    const url = `${ORIGIN}${target}`;
    const list = candidateUrls(url);
    list.splice(0, list.length, 'https://attacker.example/');
    expect(candidateUrls(url)).toEqual([url, `https://hooks.example.com:443${target}`]);
    const params = { EventType: 'onMessageAdded' };
    expect(() => verifyTwilioRequest(formRequest(encodeForm(params), getExpectedTwilioSignature(TOKEN, url, params)), opts)).not.toThrow();
  });

  it('form keys named __proto__ and constructor stay own data and pollute nothing', () => {
    const form = decodeForm('__proto__=x&constructor=y&__proto__=z&a=1');
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(form)).toEqual(['__proto__', 'constructor', 'a']);
    expect(Object.getOwnPropertyDescriptor(form, '__proto__')?.value).toEqual(['x', 'z']);
    expect(form['constructor']).toBe('y');
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
  });
});
