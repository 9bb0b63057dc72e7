/**
 * Two example-app processes (the built package, REDIS_URL set) sharing one
 * real redis-server: a duplicate delivered to both at the same moment runs
 * its hook exactly once. Needs `npm run build` first (pretest does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSinchConversation } from '../../src/testing/index.js';
import { startExample, type ExampleApp } from '../helpers/example-app.js';
import { redisAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { inboundBody } from '../helpers/sinch.js';

const available = redisAvailable();
const SECRET = 'two-instances-secret';
/** The example's inbound hook logs this once per run when no REST keys are set. */
const HOOK_LINE = 'inbound message (set SINCH_PROJECT_ID';

describe.skipIf(!available)('two app instances sharing one Redis', () => {
  let redis: RedisServer;
  const apps: ExampleApp[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, SINCH_CONVERSATION_SECRET: SECRET };
    apps.push(...(await Promise.all([startExample('express', env), startExample('express', env)])));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await redis?.stop();
  });

  const hookRuns = (text: string): number =>
    apps.reduce((n, app) => n + app.output().split('\n').filter((l) => l.includes(HOOK_LINE) && l.includes(text)).length, 0);

  it('50 concurrent deliveries of one signed event split across both → one hook run, one message, no 5xx', async () => {
    const text = `exactly once ${Date.now()}`;
    const body = inboundBody({ text, conversationId: 'conv-two-instances' });
    // Signed once: every delivery carries the very same bytes and headers, as a provider retry storm would.
    const headers = signSinchConversation({ body, secret: SECRET });
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${apps[i % 2]!.url}/webhooks/sinch/conversation`, { method: 'POST', body, headers });
        return { status: res.status, body: await res.text() };
      }),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    for (const a of answers) {
      expect([200, 409]).toContain(a.status);
      if (a.status === 409) expect(JSON.parse(a.body).error.code).toBe('duplicate_in_flight');
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    console.log(`[two instances] 50 deliveries: ${statuses.filter((s) => s === 200).length}×200, ${statuses.filter((s) => s === 409).length}×409`);

    // Logs are flushed asynchronously by the child processes.
    await waitFor(() => hookRuns(text) >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(hookRuns(text)).toBe(1);

    for (const app of apps) {
      const messages = (await (await fetch(`${app.url}/api/conversations/sinch-conversation:conv-two-instances/messages`)).json()) as {
        items: Array<{ text: string }>;
      };
      expect(messages.items.filter((m) => m.text === text)).toHaveLength(1);
    }

    // A later retry on either instance replays the stored answer without running the hook.
    for (const app of apps) {
      const res = await fetch(`${app.url}/webhooks/sinch/conversation`, { method: 'POST', body, headers });
      expect(res.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(hookRuns(text)).toBe(1);
  });

  it('both instances read the same records', async () => {
    const text = `shared ${Date.now()}`;
    const body = inboundBody({ text, conversationId: 'conv-shared' });
    const res = await fetch(`${apps[0]!.url}/webhooks/sinch/conversation`, { method: 'POST', body, headers: signSinchConversation({ body, secret: SECRET }) });
    expect(res.status).toBe(200);
    const viaOther = (await (await fetch(`${apps[1]!.url}/api/conversations/sinch-conversation:conv-shared/messages`)).json()) as {
      items: Array<{ text: string }>;
    };
    expect(viaOther.items.map((m) => m.text)).toEqual([text]);
    const conversations = (await (await fetch(`${apps[1]!.url}/api/conversations`)).json()) as { items: Array<{ id: string }> };
    expect(conversations.items.map((c) => c.id)).toContain('sinch-conversation:conv-shared');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
