import { afterEach, describe, expect, it } from 'vitest';
import { signSinchConversation } from '../../src/testing/index.js';
import { startExample, type ExampleApp } from '../helpers/example-app.js';
import { startFakeSinch, type FakeSinch } from '../helpers/fake-sinch.js';
import { inboundBody } from '../helpers/sinch.js';

let app: ExampleApp | undefined;
let fake: FakeSinch | undefined;
afterEach(async () => {
  await app?.stop();
  await fake?.close();
  app = undefined;
  fake = undefined;
});

const SECRET = 'example-secret';

describe.each(['express', 'koa'] as const)('example app (%s)', (which) => {
  it('verifies, records, replies through ctx.reply and serves the read-only API', async () => {
    fake = await startFakeSinch({ keyId: 'kid', keySecret: 'ksecret', projectIds: ['proj'] });
    app = await startExample(which, {
      SINCH_CONVERSATION_SECRET: SECRET,
      SINCH_PROJECT_ID: 'proj', SINCH_KEY_ID: 'kid', SINCH_KEY_SECRET: 'ksecret',
      SINCH_BASE_URL: fake.url, SINCH_AUTH_URL: fake.authUrl,
    });
    // A real "now": the example runs with the system clock.
    const body = inboundBody({ text: 'Where is my order?', conversationId: 'conv-example' });
    const res = await fetch(`${app.url}/webhooks/sinch/conversation`, {
      method: 'POST', body, headers: signSinchConversation({ body, secret: SECRET }),
    });
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({ message: { text_message: { text: 'Thanks, we got: "Where is my order?"' } } });

    const forged = await fetch(`${app.url}/webhooks/sinch/conversation`, {
      method: 'POST', body, headers: signSinchConversation({ body, secret: 'wrong' }),
    });
    expect(forged.status).toBe(401);

    const conversations = (await (await fetch(`${app.url}/api/conversations`)).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(conversations.items.map((c: { id: string }) => c.id)).toContain('sinch-conversation:conv-example');
    const messages = (await (await fetch(`${app.url}/api/conversations/sinch-conversation:conv-example/messages`)).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(messages.items.map((m: { direction: string }) => m.direction).sort()).toEqual(['inbound', 'outbound']);
    const timeline = (await (await fetch(`${app.url}/api/contacts/${encodeURIComponent('+46732001122')}/timeline`)).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(timeline.items.length).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${app.url}/api/dead-letters`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/calls`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/conversations/nope`)).status).toBe(404);
  });

  it('without secrets or REST keys it starts on labelled demo values and logs instead of replying', async () => {
    app = await startExample(which, { SINCH_CONVERSATION_SECRET: '' });
    expect(app.output()).toMatch(/DEMO value/);
    const body = inboundBody({ text: 'hello' });
    const res = await fetch(`${app.url}/webhooks/sinch/conversation`, {
      method: 'POST', body, headers: signSinchConversation({ body, secret: 'demo-sinch-conversation-secret' }),
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(app.output()).toContain('inbound message');
  });
});
