import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { twilioConversations, type TwilioConversationsOptions } from '../../src/providers/twilio-conversations/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { PUBLIC_ORIGIN, encodeForm, sdkSignedForm, sid } from '../helpers/fake-twilio.js';

const TOKEN = 'pre-action-token-0123456789abcdef';
const TARGET = '/webhooks/twilio/conversations/pre?tenant=acme';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setup(options: Partial<TwilioConversationsOptions> = {}) {
  const twilio = twilioConversations({ authTokens: [TOKEN], publicUrl: PUBLIC_ORIGIN, ...options });
  const sb = createSwitchboard({ providers: [twilio] });
  return { twilio, sb };
}

function messageAdd(over: Record<string, string> = {}): string {
  return encodeForm({
    AccountSid: 'AC9af211329b2fc82e5efe906062c73008',
    EventType: 'onMessageAdd',
    Source: 'SDK',
    RetryCount: '0',
    ClientIdentity: 'agent.alice',
    ConversationSid: sid('CH'),
    Body: 'darn, it ships today',
    Author: 'agent.alice',
    ParticipantSid: sid('MB'),
    Attributes: '{}',
    ...over,
  });
}

function send(body: string, token?: string) {
  const headers = sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN, token ? { 'i-twilio-idempotency-token': token } : {});
  return post(`${server!.url}${TARGET}`, body, headers);
}

describe.each(ADAPTERS)('pre-action answers (%s)', (adapter) => {
  it('a modifying onMessageAdd hook → 200 with the snake_case JSON Twilio reads, attributes as a string', async () => {
    const { twilio, sb } = setup();
    twilio.onMessageAdd((event) => ({ body: event.Body!.replace('darn', '****'), author: 'moderator', attributes: { moderated: true } }));
    server = await serve(adapter, sb);
    const res = await send(messageAdd());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({ body: '****, it ships today', author: 'moderator', attributes: '{"moderated":true}' });
  });

  it('onConversationAdd may rename: { friendlyName } is sent as friendly_name', async () => {
    const { twilio, sb } = setup();
    twilio.onConversationAdd(() => ({ friendlyName: 'Support: +15558675310' }));
    server = await serve(adapter, sb);
    const body = encodeForm({ AccountSid: 'AC1', EventType: 'onConversationAdd', 'MessagingBinding.Address': '+15558675310', 'MessagingBinding.ProxyAddress': '+15017122661', FriendlyName: '' });
    const res = await send(body);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ friendly_name: 'Support: +15558675310' });
  });

  it('a hook that returns nothing, or no hook at all → 200 {} (publish unmodified)', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdd(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const res = await send(messageAdd());
    expect([res.status, res.json()]).toEqual([200, {}]);
    expect(runs).toBe(1);
    const res2 = await send(encodeForm({ AccountSid: 'AC1', EventType: 'onParticipantAdd', ConversationSid: sid('CH'), Identity: 'bob' }));
    expect([res2.status, res2.json()]).toEqual([200, {}]);
  });

  it('ctx.reject(reason) → 403 rejected, so Twilio refuses the action; a custom 4xx is kept', async () => {
    const { twilio, sb } = setup();
    twilio.onMessageAdd((event, ctx) => {
      if (event.Body?.includes('darn')) ctx.reject('profanity');
      return undefined;
    });
    twilio.onParticipantAdd((_e, ctx) => ctx.reject('conversation is full', { status: 422 }));
    server = await serve(adapter, sb);
    const res = await send(messageAdd());
    expect(res.status).toBe(403);
    expect(res.json().error).toEqual({ code: 'rejected', message: 'The onMessageAdd hook rejected the action: profanity' });
    const res2 = await send(encodeForm({ AccountSid: 'AC1', EventType: 'onParticipantAdd', ConversationSid: sid('CH'), Identity: 'bob' }));
    expect(res2.status).toBe(422);
    expect(res2.json().error.code).toBe('rejected');
  });

  it('a hook that swallows the rejection it threw still rejects', async () => {
    const { twilio, sb } = setup();
    twilio.onMessageAdd((_e, ctx) => {
      try {
        ctx.reject('nope');
      } catch {
        // a careless catch-all
      }
      return { body: 'published anyway?' };
    });
    server = await serve(adapter, sb);
    expect((await send(messageAdd())).status).toBe(403);
  });

  it('a slow hook → 200 {} at preActionTimeoutMs, with ctx.signal aborted', async () => {
    const { twilio, sb } = setup({ preActionTimeoutMs: 200 });
    let aborted = false;
    twilio.onMessageAdd(async (_e, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => {
        aborted = true;
        resolve();
      }));
      return { body: 'too late' };
    });
    server = await serve(adapter, sb);
    const started = Date.now();
    const res = await send(messageAdd());
    const elapsed = Date.now() - started;
    expect([res.status, res.json()]).toEqual([200, {}]);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    expect(aborted).toBe(true);
  });

  it('a hook that throws → rejected by default (5xx, claim released); with onPreActionError: publish → 200 {}', async () => {
    const rejecting = setup();
    rejecting.twilio.onMessageAdd(() => {
      throw new Error('moderation service down');
    });
    server = await serve(adapter, rejecting.sb);
    const res = await send(messageAdd());
    expect(res.status).toBe(500);
    expect(res.json().error.code).toBe('hook_failed');
    await server.close();

    const publishing = setup({ onPreActionError: 'publish' });
    publishing.twilio.onMessageAdd(() => {
      throw new Error('moderation service down');
    });
    server = await serve(adapter, publishing.sb);
    const res2 = await send(messageAdd());
    expect([res2.status, res2.json()]).toEqual([200, {}]);
  });

  it('a deliberate 4xx stays a rejection even with onPreActionError: publish', async () => {
    const { twilio, sb } = setup({ onPreActionError: 'publish' });
    twilio.onMessageAdd((_e, ctx) => ctx.reject('spam'));
    server = await serve(adapter, sb);
    expect((await send(messageAdd())).status).toBe(403);
  });
});

describe('pre-action answers: edge cases', () => {
  it('with the default preActionTimeoutMs a slow hook is answered 200 {} after 4 s and before Twilio\'s 5 s', async () => {
    const { twilio, sb } = setup();
    twilio.onMessageAdd(async (_e, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    });
    server = await serve('express5', sb);
    const started = Date.now();
    const res = await send(messageAdd());
    const elapsed = Date.now() - started;
    expect([res.status, res.json()]).toEqual([200, {}]);
    expect(elapsed).toBeGreaterThanOrEqual(3_990);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('a hookTimeoutMs below preActionTimeoutMs also answers 200 {} (the engine deadline comes first)', async () => {
    const { twilio, sb } = setup({ hookTimeoutMs: 150, preActionTimeoutMs: 3_000 });
    twilio.onMessageAdd(async (_e, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    });
    server = await serve('koa', sb);
    const started = Date.now();
    const res = await send(messageAdd());
    expect([res.status, res.json()]).toEqual([200, {}]);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    ['onMessageRemove returning a body', 'onMessageRemove', { body: 'x' }],
    ['onConversationAdd returning a body', 'onConversationAdd', { body: 'x' }],
    ['onMessageAdd returning friendlyName', 'onMessageAdd', { friendlyName: 'x' }],
    ['onMessageAdd returning a number body', 'onMessageAdd', { body: 42 }],
    ['onMessageAdd returning a string', 'onMessageAdd', 'x'],
  ])('%s is a bug: answered as a hook failure (rejected), not sent to Twilio', async (_name, type, value) => {
    const { twilio, sb } = setup();
    const errors: string[] = [];
    sb.onError((e) => {
      errors.push(e.message);
    });
    (twilio as unknown as Record<string, (h: () => unknown) => void>)[type]!(() => value);
    server = await serve('node', sb);
    const params: Record<string, string> = { AccountSid: 'AC1', EventType: type, ConversationSid: sid('CH'), MessageSid: sid('IM') };
    const res = await send(encodeForm(params));
    expect(res.status).toBe(500);
    expect(res.json().error.code).toBe('hook_failed');
    expect(errors.join(' ')).toMatch(/may change only|can only let the action through|returned string|Twilio takes a string/);
  });

  it('a delivery retried with the same idempotency token gets the stored answer; the hook runs once', async () => {
    const { twilio, sb } = setup();
    let runs = 0;
    twilio.onMessageAdd(() => {
      runs += 1;
      return { body: `modified ${runs}` };
    });
    server = await serve('express4', sb);
    const body = messageAdd();
    const first = await send(body, 'tok-pre-1');
    const second = await send(body.replace('RetryCount=0', 'RetryCount=1'), 'tok-pre-1');
    expect(first.json()).toEqual({ body: 'modified 1' });
    expect(second.json()).toEqual({ body: 'modified 1' });
    expect(runs).toBe(1);
  });

  it('post-action events are answered 200 {} whatever the hook returns', async () => {
    const { twilio, sb } = setup();
    (twilio.onMessageAdded as (h: () => unknown) => void)(() => ({ body: 'ignored' }));
    server = await serve('node', sb);
    const res = await send(encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: sid('CH'), MessageSid: sid('IM'), Body: 'hi' }));
    expect([res.status, res.json()]).toEqual([200, {}]);
  });

  it.each([[5_000], [0], [-1], [Number.NaN]])('preActionTimeoutMs %s is refused at construction', (ms) => {
    expect(() => twilioConversations({ authTokens: [TOKEN], preActionTimeoutMs: ms })).toThrow(/preActionTimeoutMs/);
  });
});
