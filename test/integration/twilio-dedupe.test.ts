import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { twilioConversations, type TwilioConversationsOptions } from '../../src/providers/twilio-conversations/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { PUBLIC_ORIGIN, encodeForm, sdkSignedForm, sid } from '../helpers/fake-twilio.js';

const TOKEN = 'dedupe-token-0123456789abcdef0123';
const TARGET = '/webhooks/twilio/conversations/post';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setup(options: Partial<TwilioConversationsOptions> = {}) {
  const twilio = twilioConversations({ authTokens: [TOKEN], publicUrl: PUBLIC_ORIGIN, ...options });
  return { twilio, sb: createSwitchboard({ providers: [twilio] }) };
}

function added(conversationSid: string, messageSid = sid('IM'), retry = '0'): string {
  return encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', RetryCount: retry, ConversationSid: conversationSid, MessageSid: messageSid, Index: '0', Author: '+15558675310', Body: 'Hi' });
}

function send(body: string, token?: string) {
  return post(`${server!.url}${TARGET}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN, token ? { 'i-twilio-idempotency-token': token } : {}));
}

describe.each(ADAPTERS)('duplicate deliveries run hooks once (%s)', (adapter) => {
  it('the same delivery 5 times (same idempotency token) → hook once, one message, every answer 200', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdded(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const conv = sid('CH');
    const body = added(conv);
    for (let i = 0; i < 5; i++) expect((await send(body, 'a0f3c1f2-3d4e-4f50-8a6b-7c8d9e0f1a2b')).status).toBe(200);
    expect(runs).toBe(1);
    expect((await sb.store.listMessages(`twilio-conversations:${conv}`)).items).toHaveLength(1);
  });

  it('a retry with the same token and a bumped RetryCount is still the same delivery', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdded(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const conv = sid('CH');
    const msg = sid('IM');
    expect((await send(added(conv, msg, '0'), 'tok-retry')).status).toBe(200);
    expect((await send(added(conv, msg, '1'), 'tok-retry')).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('without a token, the event identity (MessageSid + event) dedupes, RetryCount aside', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdded(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const conv = sid('CH');
    const msg = sid('IM');
    expect((await send(added(conv, msg, '0'))).status).toBe(200);
    expect((await send(added(conv, msg, '1'))).status).toBe(200);
    expect((await send(added(conv, msg, '2'))).status).toBe(200);
    expect(runs).toBe(1);
    expect((await send(added(conv))).status).toBe(200);
    expect(runs).toBe(2);
  });

  it('sent 5 times concurrently → hook once; each answer 200 or 409 duplicate_in_flight', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdded(async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 100));
    });
    server = await serve(adapter, sb);
    const body = added(sid('CH'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(body, 'tok-parallel')));
    for (const a of answers) {
      expect([200, 409]).toContain(a.status);
      if (a.status === 409) expect(a.json().error.code).toBe('duplicate_in_flight');
    }
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(1);
  });

  it('a post-action hook that throws → 500 hook_failed, the claim is released, and the retry runs it again', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdded(() => {
      runs += 1;
      if (runs === 1) throw new Error('database down');
    });
    server = await serve(adapter, sb);
    const conv = sid('CH');
    const body = added(conv);
    const first = await send(body, 'tok-throw');
    expect(first.status).toBe(500);
    expect(first.text).not.toContain('database down');
    expect((await send(body, 'tok-throw')).status).toBe(200);
    expect(runs).toBe(2);
    expect((await sb.store.listMessages(`twilio-conversations:${conv}`)).items).toHaveLength(1);
  });

  it('a post-action hook past hookTimeoutMs → 503 hook_timeout with ctx.signal aborted; the retry can run', async () => {
    const { twilio, sb } = setup({ hookTimeoutMs: 150 });
    let aborted = false;
    let runs = 0;
    twilio.onMessageAdded(async (_e, ctx) => {
      runs += 1;
      if (runs > 1) return;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => {
        aborted = true;
        resolve();
      }));
    });
    server = await serve(adapter, sb);
    const body = added(sid('CH'));
    const first = await send(body, 'tok-slow');
    expect(first.status).toBe(503);
    expect(first.json().error.code).toBe('hook_timeout');
    expect(aborted).toBe(true);
    expect((await send(body, 'tok-slow')).status).toBe(200);
    expect(runs).toBe(2);
  });
});
