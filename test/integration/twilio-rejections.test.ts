import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { createSwitchboard } from '../../src/index.js';
import { twilioConversations } from '../../src/providers/twilio-conversations/index.js';
import { ADAPTERS, serve, type Running } from '../helpers/servers.js';
import { PUBLIC_ORIGIN, encodeForm, sdkSignedForm, sendRaw, sid } from '../helpers/fake-twilio.js';

const TOKEN = 'rejections-token-0123456789abcdef';
const OLD_TOKEN = 'rotated-out-token-0123456789abcde';
const PATH = '/webhooks/twilio/conversations/post';
const TARGET = `${PATH}?tenant=acme`;

const event = (over: Record<string, string> = {}): string =>
  encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: sid('CH'), MessageSid: sid('IM'), Body: 'Hi', ...over });

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe.each(ADAPTERS)('bad requests get the right code and status, and no hook runs (%s)', (adapter) => {
  const twilio = twilioConversations({ authTokens: [OLD_TOKEN, TOKEN], publicUrl: PUBLIC_ORIGIN });
  let hookCalls = 0;
  twilio.onMessageAdded(() => {
    hookCalls += 1;
  });
  twilio.onUserAdded(() => {
    hookCalls += 1;
  });
  const sb = createSwitchboard({ providers: [twilio] });
  const errors: string[] = [];
  sb.onError((e) => {
    errors.push(e.code);
  });
  let server: Running;
  beforeAll(async () => {
    server = await serve(adapter, sb);
  });
  afterAll(async () => {
    await server.close();
  });

  interface Case {
    name: string;
    status: number;
    code: string;
    make: () => { target?: string; body: string; headers: Record<string, string>; method?: string };
  }
  const cases: Case[] = [
    {
      name: 'tampered parameter',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = event();
        return { body: body.replace('Body=Hi', 'Body=Ho'), headers: sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN) };
      },
    },
    {
      name: 'extra body parameter',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = event();
        return { body: `${body}&Injected=1`, headers: sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN) };
      },
    },
    {
      name: 'extra query parameter',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = event();
        return { target: `${TARGET}&admin=1`, body, headers: sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN) };
      },
    },
    {
      name: 'wrong auth token',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = event();
        return { body, headers: sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, 'not-the-token') };
      },
    },
    {
      name: 'missing X-Twilio-Signature',
      status: 401,
      code: 'missing_signature',
      make: () => {
        const body = event();
        const headers = sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN);
        delete headers['x-twilio-signature'];
        return { body, headers };
      },
    },
    {
      name: 'JSON body with a wrong hash',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = JSON.stringify({ EventType: 'onUserAdded', AccountSid: 'AC1', UserSid: sid('US') });
        const target = `${TARGET}&bodySHA256=${sha256(`${body} `)}`;
        return { target, body, headers: { 'content-type': 'application/json', 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, `${PUBLIC_ORIGIN}${target}`, {}) } };
      },
    },
    {
      name: 'JSON body without bodySHA256',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = JSON.stringify({ EventType: 'onUserAdded', AccountSid: 'AC1', UserSid: sid('US') });
        return { body, headers: { 'content-type': 'application/json', 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, `${PUBLIC_ORIGIN}${TARGET}`, {}) } };
      },
    },
    {
      name: 'GET whose query was changed',
      status: 401,
      code: 'invalid_signature',
      method: 'GET',
      make: () => {
        const target = `${PATH}?EventType=onMessageAdded&AccountSid=AC1&ConversationSid=CH1&MessageSid=IM1&Body=Hi`;
        return { method: 'GET', target: target.replace('Body=Hi', 'Body=Ho'), body: '', headers: { 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, `${PUBLIC_ORIGIN}${target}`, {}) } };
      },
    },
    {
      name: 'wrong content type',
      status: 415,
      code: 'unsupported_media_type',
      make: () => {
        const body = event();
        return { body, headers: { ...sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN), 'content-type': 'text/plain' } };
      },
    },
    { name: 'PUT', status: 405, code: 'method_not_allowed', make: () => ({ method: 'PUT', body: '', headers: {} }) },
  ] as Array<Case & { method?: string }>;

  it.each(cases)('$name → $status $code', async ({ status, code, make }) => {
    const before = hookCalls;
    const { target, body, headers, method } = make();
    const res = await sendRaw(server.url, method ?? 'POST', target ?? TARGET, headers, body);
    expect(res.status, res.text).toBe(status);
    const json = res.json();
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(20);
    expect(res.text).not.toContain(TOKEN);
    expect(res.text).not.toContain(OLD_TOKEN);
    expect(hookCalls).toBe(before);
  });

  it('a request signed with either configured token (rotation) is accepted', async () => {
    for (const token of [OLD_TOKEN, TOKEN]) {
      const body = event();
      const res = await sendRaw(server.url, 'POST', TARGET, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, token), body);
      expect(res.status, res.text).toBe(200);
    }
  });

  it('a JSON body with a matching bodySHA256 is accepted and dispatched', async () => {
    const before = hookCalls;
    const body = JSON.stringify({ EventType: 'onUserAdded', AccountSid: 'AC1', UserSid: sid('US'), Identity: 'ada' });
    const target = `${TARGET}&bodySHA256=${sha256(body)}`;
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': getExpectedTwilioSignature(TOKEN, `${PUBLIC_ORIGIN}${target}`, {}) };
    const res = await sendRaw(server.url, 'POST', target, headers, body);
    expect(res.status, res.text).toBe(200);
    expect(hookCalls).toBe(before + 1);
  });

  it('an authentic payload that breaks its schema → 400 schema_violation naming the path, kept as a dead letter', async () => {
    const body = encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: 'CH-schema', Body: 'no sid' });
    const res = await sendRaw(server.url, 'POST', TARGET, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN), body);
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('schema_violation');
    expect(res.json().error.message).toContain('/MessageSid');
    const dead = await sb.store.listDeadLetters();
    expect(dead.items.some((d) => d.rawBody === body && d.code === 'schema_violation')).toBe(true);
    expect(errors).toContain('schema_violation');
  });
});

describe('configuration', () => {
  it('no auth token → misconfigured, naming where to find it', () => {
    expect(() => twilioConversations({ authTokens: [] })).toThrow(/authTokens is empty.*Auth Token/);
    expect(() => twilioConversations({ authTokens: [''] })).toThrow(/authTokens is empty/);
  });
});
