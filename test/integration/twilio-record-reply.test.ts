import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import {
  participantDeliveryStatuses, twilioConversations, type TwilioConversationsOptions, type TwilioMessageResource,
} from '../../src/providers/twilio-conversations/index.js';
import { post, serve, type Running } from '../helpers/servers.js';
import {
  PUBLIC_ORIGIN, encodeForm, sdkSignedForm, sid, startFakeTwilio, twilioVectors, type FakeTwilio,
} from '../helpers/fake-twilio.js';

const TOKEN = 'record-token-0123456789abcdef0123';
const TARGET = '/webhooks/twilio/conversations/post';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const REST_TOKEN = 'rest-token-0123456789abcdef012345';

let server: Running | undefined;
let fake: FakeTwilio | undefined;
afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

async function start(options: Partial<TwilioConversationsOptions> = {}) {
  const twilio = twilioConversations({ authTokens: [TOKEN], publicUrl: PUBLIC_ORIGIN, ...options });
  const sb = createSwitchboard({ providers: [twilio] });
  server = await serve('express5', sb);
  return { twilio, sb };
}

async function deliver(params: Record<string, string | string[]>, token?: string) {
  const body = encodeForm({ AccountSid: 'AC9af211329b2fc82e5efe906062c73008', RetryCount: '0', ...params });
  const res = await post(`${server!.url}${TARGET}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN, token ? { 'i-twilio-idempotency-token': token } : {}));
  expect(res.status, res.text).toBe(200);
  return res;
}

describe('recording conversations and participants', () => {
  it('a WhatsApp conversation: binding and proxy addresses, participants of every type, states over time', async () => {
    const { sb } = await start();
    const conv = sid('CH');
    const id = `twilio-conversations:${conv}`;
    await deliver({
      EventType: 'onConversationAdded', Source: 'WHATSAPP', ConversationSid: conv, DateCreated: '2026-03-04T10:00:00.000Z', DateUpdated: '2026-03-04T10:00:00.000Z',
      FriendlyName: 'Order 42', Attributes: '{"tier":"gold"}', State: 'active',
      'MessagingBinding.Address': 'whatsapp:+15558675310', 'MessagingBinding.ProxyAddress': 'whatsapp:+15017122661',
    });
    expect(await sb.store.getConversation(id)).toMatchObject({
      provider: 'twilio-conversations', providerId: conv, state: 'active', channel: 'WHATSAPP',
      contact: { kind: 'whatsapp', value: '+15558675310' },
      participants: [{ kind: 'whatsapp', value: '+15558675310' }],
      metadata: { friendly_name: 'Order 42', attributes: '{"tier":"gold"}', proxy_address: '+15017122661' },
    });

    const [whatsapp, sms, chat] = [sid('MB'), sid('MB'), sid('MB')];
    await deliver({
      EventType: 'onParticipantAdded', ConversationSid: conv, ParticipantSid: whatsapp, DateCreated: '2026-03-04T10:00:01.000Z',
      'MessagingBinding.Address': 'whatsapp:+15558675310', 'MessagingBinding.ProxyAddress': 'whatsapp:+15017122661', 'MessagingBinding.Type': 'WHATSAPP',
    });
    await deliver({
      EventType: 'onParticipantAdded', ConversationSid: conv, ParticipantSid: sms, DateCreated: '2026-03-04T10:00:02.000Z',
      'MessagingBinding.Address': '+15558675311', 'MessagingBinding.ProxyAddress': '+15017122662', 'MessagingBinding.Type': 'SMS',
    });
    await deliver({ EventType: 'onParticipantAdded', ConversationSid: conv, ParticipantSid: chat, DateCreated: '2026-03-04T10:00:03.000Z', Identity: 'agent.alice', RoleSid: 'RL1' });

    expect(await sb.store.getContact(`twilio-conversations:${whatsapp}`)).toMatchObject({
      addresses: [{ kind: 'whatsapp', value: '+15558675310' }],
      metadata: { conversation_sid: conv, binding_type: 'WHATSAPP', proxy_address: '+15017122661' },
    });
    expect(await sb.store.getContact(`twilio-conversations:${sms}`)).toMatchObject({
      addresses: [{ kind: 'tel', value: '+15558675311' }],
      metadata: { binding_type: 'SMS', proxy_address: '+15017122662' },
    });
    expect(await sb.store.getContact(`twilio-conversations:${chat}`)).toMatchObject({
      addresses: [{ kind: 'chat', value: 'agent.alice' }],
      metadata: { binding_type: 'CHAT', identity: 'agent.alice', role_sid: 'RL1' },
    });
    const withParticipants = await sb.store.getConversation(id);
    expect(withParticipants!.participants).toEqual(expect.arrayContaining([
      { kind: 'whatsapp', value: '+15558675310' }, { kind: 'tel', value: '+15558675311' }, { kind: 'chat', value: 'agent.alice' },
    ]));

    const state = async (from: string, to: string, at: string) => {
      await deliver({ EventType: 'onConversationStateUpdated', Source: 'API', ConversationSid: conv, StateFrom: from, StateTo: to, StateUpdated: at, Reason: 'TIMER' });
      return (await sb.store.getConversation(id))!.state;
    };
    expect(await state('active', 'inactive', '2026-03-04T11:00:00.000Z')).toBe('inactive');
    expect(await state('inactive', 'closed', '2026-03-04T12:00:00.000Z')).toBe('closed');
    // A late, older report cannot reopen it.
    expect(await state('inactive', 'active', '2026-03-04T11:30:00.000Z')).toBe('closed');

    await deliver({ EventType: 'onParticipantRemoved', ConversationSid: conv, ParticipantSid: sms, DateRemoved: '2026-03-04T12:30:00.000Z' });
    expect((await sb.store.getContact(`twilio-conversations:${sms}`))!.deleted).toBe(true);
  });

  it('a user: identity, friendly name and attributes', async () => {
    const { sb } = await start();
    const user = sid('US');
    await deliver({ EventType: 'onUserAdded', UserSid: user, Identity: 'agent.bob', FriendlyName: 'Bob', Attributes: '{"team":"support"}', DateCreated: '2026-03-04T09:00:00Z' });
    await deliver({ EventType: 'onUserUpdated', UserSid: user, Identity: 'agent.bob', FriendlyName: 'Bob B.', isOnline: 'true', DateUpdated: '2026-03-04T09:05:00Z' });
    expect(await sb.store.getContact(`twilio-conversations:${user}`)).toMatchObject({
      displayName: 'Bob B.', addresses: [{ kind: 'chat', value: 'agent.bob' }], metadata: { attributes: '{"team":"support"}', is_online: 'true' },
    });
  });

  it('pre-action events record nothing: the action may yet be rejected', async () => {
    const { twilio, sb } = await start();
    twilio.onConversationAdd((_e, ctx) => ctx.reject('no'));
    const conv = sid('CH');
    const body = encodeForm({ AccountSid: 'AC1', EventType: 'onConversationUpdate', ConversationSid: conv, FriendlyName: 'x' });
    await post(`${server!.url}${TARGET}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN));
    expect(await sb.store.getConversation(`twilio-conversations:${conv}`)).toBeUndefined();
  });
});

describe('recording messages and receipts', () => {
  it('a message: index, author, body and media (served by the Media Content Service)', async () => {
    const { sb } = await start();
    const withMedia = twilioVectors().conversations.reconstructed.find((r) => r.variant)!;
    await deliver(withMedia.params);
    const m = await sb.store.getMessage('twilio-conversations:IM4b661dc4ebfa5594e3b67106dc58fb00');
    expect(m).toMatchObject({
      conversationId: 'twilio-conversations:CH8b34dbc2c05eb4d7e25d48efeace8245',
      direction: 'inbound',
      channel: 'SMS',
      author: '+15558675310',
      from: { kind: 'tel', value: '+15558675310' },
      text: '',
      kind: 'media',
      media: [{ url: 'https://mcs.us1.twilio.com/v1/Services/IS8d2fce17ddec53fe8115edfd65c88949/Media/ME721c9525ade2ea8903d343ef25cf68b9', type: 'image/jpeg', filename: 'IMG_0042.jpg' }],
      metadata: { index: '4', participant_sid: 'MB70d6051b9ce170e80ba6b98a91e390d7', source: 'SMS' },
      status: 'received',
      createdAt: '2026-03-04T10:16:02.456Z',
    });
    const chat = twilioVectors().conversations.captured[0]!;
    await deliver({ ...chat.decoded, AccountSid: 'AC9af211329b2fc82e5efe906062c73008' });
    expect(await sb.store.getMessage('twilio-conversations:IM8d613ccb9016450fa29faecfaa7bb6f4')).toMatchObject({
      channel: 'CHAT', from: { kind: 'chat', value: 'dave' }, text: 'two', metadata: { index: '35', client_identity: 'dave' },
    });
  });

  it('receipts apply per participant and monotonically, whatever order they arrive in', async () => {
    const { sb } = await start();
    const conv = sid('CH');
    const msg = sid('IM');
    const [alice, bob] = [sid('MB'), sid('MB')];
    const receipt = (participant: string, status: string, at: string, errorCode = '0') =>
      deliver({
        EventType: 'onDeliveryUpdated', Source: 'API', ConversationSid: conv, MessageSid: msg, DeliveryReceiptSid: `DY${participant.slice(2)}`,
        ChannelMessageSid: sid('SM'), ParticipantSid: participant, Status: status, ErrorCode: errorCode, DateCreated: '2026-03-04T10:00:00Z', DateUpdated: at,
      });
    await receipt(alice, 'read', '2026-03-04T10:00:05Z');
    await receipt(bob, 'sent', '2026-03-04T10:00:01Z');
    await receipt(alice, 'delivered', '2026-03-04T10:00:03Z');
    await receipt(bob, 'undelivered', '2026-03-04T10:00:04Z', '30008');
    await receipt(alice, 'read', '2026-03-04T10:00:05Z'); // a repeat is kept once
    const m = (await sb.store.getMessage(`twilio-conversations:${msg}`))!;
    expect(m.status).toBe('read');
    expect(m.channel).toBe('SMS');
    expect(participantDeliveryStatuses(m)).toEqual({ [alice]: 'read', [bob]: 'failed' });
    expect(m.statusHistory.map((h) => [h.recipient, h.rawStatus])).toEqual([[bob, 'sent'], [alice, 'delivered'], [bob, 'undelivered'], [alice, 'read']]);
    expect(m.statusHistory.find((h) => h.rawStatus === 'undelivered')!.reason).toEqual({ code: '30008' });
  });
});

describe('ctx.reply() posts into the conversation through the REST API', () => {
  async function withFake(rest: TwilioConversationsOptions['rest'] extends infer R ? Partial<NonNullable<R>> : never, options: Partial<TwilioConversationsOptions> = {}) {
    fake = await startFakeTwilio({
      credentials: [{ username: ACCOUNT, password: REST_TOKEN }, { username: 'SK0123', password: 'key-secret' }],
      conversations: [{ sid: 'CHreply0000000000000000000000000a' }, { sid: 'CHreply0000000000000000000000000b', serviceSid: 'IS0000000000000000000000000000001' }],
    });
    return start({ botIdentity: 'support-bot', rest: { baseUrl: fake.url, ...rest }, ...options });
  }

  it('answers an inbound message authored by the bot identity, records it, and never answers its own message', async () => {
    const { twilio, sb } = await withFake({ accountSid: ACCOUNT, authToken: REST_TOKEN });
    const replies: Array<TwilioMessageResource | undefined> = [];
    const flags: boolean[] = [];
    twilio.onMessageAdded(async (event, ctx) => {
      flags.push(ctx.authoredByBot);
      replies.push(await ctx.reply(`You said: ${event.Body ?? ''}`, { attributes: { auto: true } }));
    });
    const conv = 'CHreply0000000000000000000000000a';
    await deliver({ EventType: 'onMessageAdded', Source: 'SMS', ConversationSid: conv, MessageSid: sid('IM'), Index: '0', Author: '+15558675310', Body: 'Where is my order?', DateCreated: '2026-03-04T10:00:00Z' });

    expect(fake!.requests).toHaveLength(1);
    const sent = fake!.requests[0]!;
    expect(sent).toMatchObject({ kind: 'message', conversationSid: conv, username: ACCOUNT });
    expect(Object.fromEntries(sent.form)).toEqual({ Author: 'support-bot', Body: 'You said: Where is my order?', Attributes: '{"auto":true}' });
    expect(sent.headers['x-twilio-webhook-enabled']).toBeUndefined();
    const reply = replies[0]!;
    expect(reply.sid).toMatch(/^IM/);
    expect(await sb.store.getMessage(`twilio-conversations:${reply.sid}`)).toMatchObject({
      direction: 'outbound', author: 'support-bot', text: 'You said: Where is my order?', conversationId: `twilio-conversations:${conv}`,
      channel: 'SMS', to: { kind: 'tel', value: '+15558675310' }, status: 'queued', metadata: { index: '0' },
    });

    // Our own reply comes back as a webhook (e.g. sent with webhookEnabled): no answer to it.
    await deliver({ EventType: 'onMessageAdded', Source: 'API', ConversationSid: conv, MessageSid: reply.sid, Index: '0', Author: 'support-bot', Body: reply.body ?? '' });
    expect(flags).toEqual([false, true]);
    expect(replies[1]).toBeUndefined();
    expect(fake!.requests).toHaveLength(1);
    expect((await sb.store.getMessage(`twilio-conversations:${reply.sid}`))!.direction).toBe('outbound');
  });

  it('with an API key, to a conversation of another service, asking Twilio to fire webhooks', async () => {
    const { twilio } = await withFake({ apiKeySid: 'SK0123', apiKeySecret: 'key-secret' });
    twilio.onMessageAdded(async (_e, ctx) => {
      await ctx.reply('ok', { serviceSid: 'IS0000000000000000000000000000001', webhookEnabled: true });
    });
    await deliver({ EventType: 'onMessageAdded', ConversationSid: 'CHreply0000000000000000000000000b', MessageSid: sid('IM'), Author: 'dave', Body: 'hi' });
    expect(fake!.requests[0]).toMatchObject({ username: 'SK0123', serviceSid: 'IS0000000000000000000000000000001' });
    expect(fake!.requests[0]!.headers['x-twilio-webhook-enabled']).toBe('true');
  });

  it('a failing reply fails the hook with reply_failed (released, so Twilio may retry)', async () => {
    const { twilio, sb } = await withFake({ accountSid: ACCOUNT, authToken: 'wrong-rest-token' });
    const errors: string[] = [];
    sb.onError((e) => {
      errors.push(e.message);
    });
    twilio.onMessageAdded(async (_e, ctx) => {
      await ctx.reply('hi');
    });
    const body = encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: 'CHreply0000000000000000000000000a', MessageSid: sid('IM'), Author: 'dave', Body: 'x' });
    const res = await post(`${server!.url}${TARGET}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('wrong-rest-token');
    expect(errors.join(' ')).toMatch(/rest\.accountSid\/rest\.authToken/);
  });

  it('without rest credentials ctx.reply() fails the hook with a message naming the setting', async () => {
    const { twilio, sb } = await start();
    twilio.onMessageAdded(async (_e, ctx) => {
      await ctx.reply('hello');
    });
    const reported: string[] = [];
    sb.onError((e) => {
      reported.push(e.message);
    });
    const body = encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: sid('CH'), MessageSid: sid('IM'), Body: 'x' });
    const res = await post(`${server!.url}${TARGET}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${TARGET}`, body, TOKEN));
    expect(res.status).toBe(500);
    expect(reported.join(' ')).toContain('twilio.rest');
  });
});
