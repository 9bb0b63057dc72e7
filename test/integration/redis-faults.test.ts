/**
 * The example app (built package, REDIS_URL set) while its Redis fails under
 * traffic. Every event is sent by a provider-like loop that retries until it
 * gets a 2xx, so the tests see what a provider would: 503s while Redis is
 * gone, then success once it is back, without restarting the app.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signSinchConversation } from '../../src/testing/index.js';
import { startExample, type ExampleApp } from '../helpers/example-app.js';
import { redisAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { inboundBody } from '../helpers/sinch.js';

const available = redisAvailable();
const SECRET = 'fault-secret';
const HOOK_LINE = 'inbound message (set SINCH_PROJECT_ID';
/** The engine's default storeTimeoutMs plus room for a busy test machine. */
const BOUND_MS = 2_000 + 1_000;

interface Attempt {
  event: number;
  sent: number;
  answered: number;
  status: number;
  code?: string;
}

interface Traffic {
  attempts: Attempt[];
  /** When each event got its first 2xx. */
  ackedAt: Map<number, number>;
  done: Promise<void>;
}

/**
 * Sends `count` distinct events, one every `spacingMs`, each retried every
 * `retryMs` until answered 2xx. Bounded: at most 120 attempts per event and
 * `deadlineMs` overall.
 */
function traffic(app: ExampleApp, conversationId: string, texts: string[], opts: { spacingMs: number; retryMs: number; deadlineMs: number }): Traffic {
  const attempts: Attempt[] = [];
  const ackedAt = new Map<number, number>();
  const deadline = Date.now() + opts.deadlineMs;
  const one = async (event: number): Promise<void> => {
    await sleep(event * opts.spacingMs);
    const body = inboundBody({ text: texts[event]!, conversationId });
    for (let n = 0; n < 120 && Date.now() < deadline; n++) {
      const sent = Date.now();
      let status = 0;
      let code: string | undefined;
      try {
        // A provider re-signs each retry (new nonce and timestamp); the event is the same.
        const res = await fetch(`${app.url}/webhooks/sinch/conversation`, { method: 'POST', body, headers: signSinchConversation({ body, secret: SECRET }) });
        status = res.status;
        const text = await res.text();
        if (status >= 400) code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        status = -1; // connection-level failure: the app itself must never cause one
      }
      const answered = Date.now();
      attempts.push({ event, sent, answered, status, ...(code ? { code } : {}) });
      if (status >= 200 && status < 300) {
        ackedAt.set(event, answered);
        return;
      }
      await sleep(opts.retryMs);
    }
  };
  return { attempts, ackedAt, done: Promise.all(texts.map((_, i) => one(i))).then(() => undefined) };
}

function hookRuns(app: ExampleApp, text: string): number {
  return app.output().split('\n').filter((l) => l.includes(HOOK_LINE) && l.includes(`"text":"${text}"`)).length;
}

async function recordedTexts(app: ExampleApp, conversationId: string): Promise<string[]> {
  const res = await fetch(`${app.url}/api/conversations/sinch-conversation:${conversationId}/messages?limit=500`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<{ text: string }> }).items.map((m) => m.text);
}

function summary(attempts: Attempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts) {
    const k = `${a.status}${a.code ? ` ${a.code}` : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const slowest503 = Math.max(0, ...attempts.filter((a) => a.status === 503).map((a) => a.answered - a.sent));
  return `${[...counts].map(([k, n]) => `${n}×${k}`).join(', ')}; slowest 503 ${slowest503} ms`;
}

function expectOnlyStoreUnavailable(attempts: Attempt[], allowed: number[]): void {
  for (const a of attempts) {
    expect(allowed, JSON.stringify(a)).toContain(a.status);
    if (a.status >= 500) {
      expect(a.status).toBe(503);
      expect(a.code).toBe('store_unavailable');
      expect(a.answered - a.sent, 'a 503 comes within the store time bound').toBeLessThan(BOUND_MS);
    }
  }
}

const tag = () => Math.random().toString(36).slice(2, 8);

describe.skipIf(!available)('Redis faults under traffic (example app, REDIS_URL)', () => {
  let redis: RedisServer;
  let app: ExampleApp | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('Redis killed and restarted: 503s meanwhile, no 2xx during the outage, then every event once', { timeout: 60_000 }, async () => {
    app = await startExample('express', { REDIS_URL: redis.url, SINCH_CONVERSATION_SECRET: SECRET });
    const conversationId = `conv-kill-${tag()}`;
    const texts = Array.from({ length: 24 }, (_, i) => `kill-${tag()}-${i}`);
    const t = traffic(app, conversationId, texts, { spacingMs: 40, retryMs: 150, deadlineMs: 40_000 });

    await sleep(300);
    await redis.kill(); // by PID, SIGKILL: a crash, nothing saved
    const down = Date.now();
    await sleep(1_500);
    const restarting = Date.now();
    await redis.restart(); // same port, fresh process
    const up = Date.now();
    await t.done;
    console.log(`[fault: kill] ${summary(t.attempts)}; outage ${restarting - down} ms`);

    expect(t.ackedAt.size, 'every event is acknowledged in the end').toBe(texts.length);
    expectOnlyStoreUnavailable(t.attempts, [200, 503]);
    const during = t.attempts.filter((a) => a.sent >= down && a.answered <= restarting);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((a) => a.status < 300), 'no 2xx while Redis is gone').toEqual([]);
    expect(t.attempts.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    // Recovery without restarting the app: acknowledged soon after Redis returned.
    const acked = [...t.ackedAt.values()];
    for (const at of acked.filter((at) => at > restarting)) expect(at - up).toBeLessThan(5_000);

    // The restarted Redis is empty (no persistence): what it holds now was
    // recorded after the restart, each once; the hook ran once per event overall.
    const recorded = await recordedTexts(app, conversationId);
    const afterRestart = texts.filter((_, i) => t.ackedAt.get(i)! > restarting);
    expect(afterRestart.length).toBeGreaterThan(0);
    for (const text of afterRestart) expect(recorded.filter((r) => r === text), text).toHaveLength(1);
    expect(new Set(recorded).size).toBe(recorded.length);
    await sleep(200);
    for (const text of texts) expect(hookRuns(app, text), text).toBe(1);
  });

  it('Redis hung (SIGSTOP): 503s within the bound, only recorded events acknowledged, retries succeed long before the claim lease', { timeout: 60_000 }, async () => {
    app = await startExample('express', { REDIS_URL: redis.url, SINCH_CONVERSATION_SECRET: SECRET });
    const conversationId = `conv-hang-${tag()}`;
    const texts = Array.from({ length: 24 }, (_, i) => `hang-${tag()}-${i}`);
    const t = traffic(app, conversationId, texts, { spacingMs: 40, retryMs: 150, deadlineMs: 40_000 });

    await sleep(300);
    redis.pause();
    const paused = Date.now();
    await sleep(2_500);
    const resuming = Date.now();
    redis.resume();
    await t.done;
    console.log(`[fault: hang] ${summary(t.attempts)}; hung ${resuming - paused} ms`);

    expect(t.ackedAt.size, 'every event is acknowledged in the end').toBe(texts.length);
    // 409: a claim that ran while its caller had already given up holds the key until the store releases it.
    expectOnlyStoreUnavailable(t.attempts, [200, 409, 503]);
    const during = t.attempts.filter((a) => a.sent >= paused && a.answered <= resuming);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((a) => a.status < 300), 'no 2xx while Redis hangs').toEqual([]);
    expect(t.attempts.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    // The claim lease is 60 s: success within seconds means lost claims were released, not waited out.
    for (const at of t.ackedAt.values()) expect(at - resuming).toBeLessThan(5_000);

    // Redis kept its data: every acknowledged event is recorded, exactly once, and its hook ran once.
    const recorded = await recordedTexts(app, conversationId);
    for (const text of texts) expect(recorded.filter((r) => r === text), text).toHaveLength(1);
    expect(recorded).toHaveLength(texts.length);
    await sleep(200);
    for (const text of texts) expect(hookRuns(app, text), text).toBe(1);
  });

  it('a claim whose answer was lost is given back as soon as Redis answers again', { timeout: 30_000 }, async () => {
    const { redisStore } = await import('../../src/store/redis.js');
    const store = redisStore({ url: redis.url, keyPrefix: `lost-${tag()}:`, commandTimeoutMs: 300 });
    await store.getMessage('warm-up');
    redis.pause();
    const lost = await store.claim('evt-lost', { leaseMs: 60_000 }).then(() => 'answered', (e: Error) => e.message);
    expect(lost).toMatch(/did not answer within 300 ms/);
    redis.resume();
    // The claim did run once Redis woke up; without the release the key would be blocked for the 60 s lease.
    let state = '';
    for (let i = 0; i < 20 && state !== 'new'; i++) {
      state = (await store.claim('evt-lost', { leaseMs: 60_000 })).state;
      if (state !== 'new') await sleep(50);
    }
    expect(state).toBe('new');
    await store.close?.();
  });

  it('Redis down when the app starts: 503 at once, then the app connects by itself', { timeout: 60_000 }, async () => {
    await redis.kill();
    app = await startExample('express', { REDIS_URL: redis.url, SINCH_CONVERSATION_SECRET: SECRET });
    const body = inboundBody({ text: `late-${tag()}`, conversationId: `conv-late-${tag()}` });
    const send = async () => {
      const sent = Date.now();
      const res = await fetch(`${app!.url}/webhooks/sinch/conversation`, { method: 'POST', body, headers: signSinchConversation({ body, secret: SECRET }) });
      return { status: res.status, ms: Date.now() - sent, body: await res.text() };
    };
    const first = await send();
    expect(first.status).toBe(503);
    expect(JSON.parse(first.body).error.code).toBe('store_unavailable');
    expect(first.ms).toBeLessThan(BOUND_MS);
    expect(first.body).not.toContain('redis://');

    await redis.restart();
    let last = first;
    for (let i = 0; i < 40 && last.status !== 200; i++) {
      await sleep(150);
      last = await send();
    }
    expect(last.status).toBe(200);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
