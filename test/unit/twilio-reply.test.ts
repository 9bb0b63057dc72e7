import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchboardError, type SwitchboardError } from '../../src/core/errors.js';
import { TwilioConversationsClient } from '../../src/providers/twilio-conversations/reply.js';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.js';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'rest-auth-token-0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const KEY_SECRET = 'api-key-secret-value';
const CONV = 'CH11111111111111111111111111111111';
const SERVICE_CONV = 'CH22222222222222222222222222222222';
const SERVICE = 'IS33333333333333333333333333333333';

let fake: FakeTwilio;
beforeEach(async () => {
  fake = await startFakeTwilio({
    credentials: [{ username: ACCOUNT, password: TOKEN }, { username: KEY, password: KEY_SECRET }],
    conversations: [{ sid: CONV }, { sid: SERVICE_CONV, serviceSid: SERVICE }],
  });
});
afterEach(async () => {
  await fake.close();
});

async function failure(p: Promise<unknown>): Promise<SwitchboardError> {
  try {
    await p;
  } catch (err) {
    if (isSwitchboardError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('TwilioConversationsClient.sendMessage', () => {
  it('POSTs /v1/Conversations/{sid}/Messages as a form with Basic AccountSid:AuthToken', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    const sent = await client.sendMessage(CONV, { body: 'Hej då 👋 & more', author: 'bot', attributes: { ticket: 42 } });
    expect(sent).toMatchObject({ sid: expect.stringMatching(/^IM[0-9a-f]{32}$/), index: 0, author: 'bot', body: 'Hej då 👋 & more', conversationSid: CONV });
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r).toMatchObject({ kind: 'message', conversationSid: CONV, username: ACCOUNT });
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.headers.accept).toBe('application/json');
    expect(r.headers['x-twilio-webhook-enabled']).toBeUndefined();
    expect(Object.fromEntries(r.form)).toEqual({ Author: 'bot', Body: 'Hej då 👋 & more', Attributes: '{"ticket":42}' });
  });

  it('authenticates with an API key SID and secret', async () => {
    const client = new TwilioConversationsClient({ apiKeySid: KEY, apiKeySecret: KEY_SECRET, baseUrl: fake.url });
    await client.sendMessage(CONV, { body: 'hi' });
    expect(fake.requests[0]!.username).toBe(KEY);
    expect(Object.fromEntries(fake.requests[0]!.form)).toEqual({ Body: 'hi' });
  });

  it('uses the service-scoped path when given a serviceSid; without it such a conversation is not found', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    await client.sendMessage(SERVICE_CONV, { body: 'hi' }, { serviceSid: SERVICE });
    expect(fake.requests[0]).toMatchObject({ serviceSid: SERVICE, conversationSid: SERVICE_CONV });
    const err = await failure(client.sendMessage(SERVICE_CONV, { body: 'hi' }));
    expect(err.code).toBe('reply_failed');
    expect(err.message).toMatch(/serviceSid/);
    expect(err.message).toMatch(/HTTP 404/);
  });

  it('sends X-Twilio-Webhook-Enabled only when asked', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    await client.sendMessage(CONV, { body: 'hi' }, { webhookEnabled: true });
    expect(fake.requests[0]!.headers['x-twilio-webhook-enabled']).toBe('true');
  });

  it('media-only and content-template messages need no body; an empty message is refused before any request', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    await client.sendMessage(CONV, { mediaSid: 'ME0123' });
    await client.sendMessage(CONV, { contentSid: 'HX0123', contentVariables: { 1: 'Ada' } });
    expect(Object.fromEntries(fake.requests[1]!.form)).toEqual({ ContentSid: 'HX0123', ContentVariables: '{"1":"Ada"}' });
    const err = await failure(client.sendMessage(CONV, {}));
    expect(err.code).toBe('misconfigured');
    expect(fake.attempts).toBe(2);
  });

  it('wrong credentials → reply_failed naming the settings, with the echoed Authorization scrubbed', async () => {
    await fake.close();
    fake = await startFakeTwilio({ credentials: [{ username: ACCOUNT, password: TOKEN }], conversations: [{ sid: CONV }], echoAuthInErrors: true });
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: 'wrong-token-value', baseUrl: fake.url });
    const err = await failure(client.sendMessage(CONV, { body: 'hi' }));
    expect(err.code).toBe('reply_failed');
    expect(err.message).toMatch(/rest\.accountSid\/rest\.authToken/);
    expect(err.message).toMatch(/Twilio error 20003/);
    expect(err.message).not.toContain('wrong-token-value');
    expect(err.message).not.toContain(Buffer.from(`${ACCOUNT}:wrong-token-value`).toString('base64'));
    expect(err.message).toContain('[redacted]');
    expect(err.details).toMatchObject({ status: 401, twilioCode: 20003 });
  });

  it.each([
    [400, /as invalid/],
    [429, /rate-limited/],
    [503, /transient/],
  ])('HTTP %i → reply_failed with advice', async (status, advice) => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    fake.failNext(1, status);
    const err = await failure(client.sendMessage(CONV, { body: 'hi' }));
    expect(err.code).toBe('reply_failed');
    expect(err.message).toMatch(advice);
    expect(err.message).toContain(`HTTP ${status}`);
  });

  it('Twilio validation errors come through with their code (body over 1600 characters)', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    const err = await failure(client.sendMessage(CONV, { body: 'x'.repeat(1601) }));
    expect(err.message).toMatch(/Twilio error 50502/);
  });

  it('times out after rest.timeoutMs', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url, timeoutMs: 100 });
    fake.setDelay(1_000);
    const err = await failure(client.sendMessage(CONV, { body: 'hi' }));
    expect(err.message).toMatch(/Timed out after 100 ms/);
  });

  it("a caller's abort rejects with the caller's reason", async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    fake.setDelay(1_000);
    const controller = new AbortController();
    const reason = new Error('hook deadline');
    setTimeout(() => controller.abort(reason), 50);
    await expect(client.sendMessage(CONV, { body: 'hi' }, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('an unreachable base URL → reply_failed naming rest.baseUrl', async () => {
    const url = fake.url;
    await fake.close();
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: url });
    const err = await failure(client.sendMessage(CONV, { body: 'hi' }));
    expect(err.message).toMatch(/Could not reach the Twilio Conversations API.*rest\.baseUrl/);
    fake = await startFakeTwilio({ credentials: [], conversations: [] });
  });
});

describe('TwilioConversationsClient.updateConversation', () => {
  it('closes a conversation with State=closed; closed is final', async () => {
    const client = new TwilioConversationsClient({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: fake.url });
    const res = await client.updateConversation(CONV, { state: 'closed', timersClosed: 'PT10M' });
    expect(res).toMatchObject({ sid: CONV, state: 'closed' });
    expect(Object.fromEntries(fake.requests[0]!.form)).toEqual({ State: 'closed', 'Timers.Closed': 'PT10M' });
    const err = await failure(client.updateConversation(CONV, { state: 'active' }));
    expect(err.message).toMatch(/Twilio error 50377/);
  });
});

describe('TwilioConversationsClient configuration', () => {
  it.each([
    ['no credentials', {}],
    ['both pairs', { accountSid: ACCOUNT, authToken: TOKEN, apiKeySid: KEY, apiKeySecret: KEY_SECRET }],
    ['a token without an account', { authToken: TOKEN }],
    ['a key without its secret', { apiKeySid: KEY }],
    ['a base URL that is not http(s)', { accountSid: ACCOUNT, authToken: TOKEN, baseUrl: 'ftp://x' }],
    ['a non-positive timeout', { accountSid: ACCOUNT, authToken: TOKEN, timeoutMs: 0 }],
  ])('refuses %s with a misconfigured error that shows no secret', (_name, opts) => {
    try {
      new TwilioConversationsClient(opts);
      expect.unreachable();
    } catch (err) {
      expect(isSwitchboardError(err) && err.code).toBe('misconfigured');
      expect((err as Error).message).not.toContain(TOKEN);
      expect((err as Error).message).not.toContain(KEY_SECRET);
    }
  });
});
