import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard, type Message } from '../../src/index.js';
import { signSinchConversation, signSinchVoice, signTwilio, signVoipbin } from '../../src/testing/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const PHONE = '+46732001122';
const VOICE_SECRET = Buffer.from('timeline-voice-secret').toString('base64');

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function makeSwitchboard() {
  return createSwitchboard({
    clock: () => NOW,
    sinchConversation: { secrets: ['sc-secret'] },
    sinchVoice: { applications: [{ key: 'voice-key', secret: VOICE_SECRET }] },
    twilio: { authTokens: ['tw-token'], publicUrl: 'https://hooks.example.com' },
    voipbin: { secrets: ['vb-secret'] },
  });
}

describe.each(ADAPTERS)('one person across four providers (%s)', (adapter) => {
  it('timeline(+46732001122) returns the WhatsApp, SMS, VoIPBIN message and the call, newest first; onMessage fires once per message', async () => {
    const sb = makeSwitchboard();
    const seen: Array<Pick<Message, 'provider' | 'channel' | 'text'> & { from: string | undefined }> = [];
    sb.onMessage((m) => {
      seen.push({ provider: m.provider, channel: m.channel, text: m.text, from: m.from?.value });
    });
    const calls: string[] = [];
    sb.onCall((call) => {
      calls.push(`${call.provider}:${call.state}`);
    });
    server = await serve(adapter, sb);

    // 1. Sinch Conversation: WhatsApp, identity without "+" (10:00).
    const sinch = JSON.stringify({
      app_id: 'APP', project_id: 'P', accepted_time: '2026-11-22T10:00:00Z',
      message: { id: 'sinch-msg-1', direction: 'TO_APP', contact_message: { text_message: { text: 'via WhatsApp' }, reply_to: { message_id: 'earlier-1' } }, channel_identity: { channel: 'WHATSAPP', identity: PHONE.slice(1), app_id: '' }, conversation_id: 'sc-conv', contact_id: 'sc-contact', metadata: '{"ticket":"T-1"}', accept_time: '2026-11-22T10:00:00Z' },
    });
    // 2. Twilio Conversations: SMS (10:05).
    const twilioParams = {
      AccountSid: 'AC00000000000000000000000000000000', EventType: 'onMessageAdded', Source: 'SMS', RetryCount: '0',
      ChatServiceSid: 'IS00000000000000000000000000000000', ConversationSid: 'CH00000000000000000000000000000001',
      MessageSid: 'IM00000000000000000000000000000001', Index: '0', DateCreated: '2026-11-22T10:05:00.000Z',
      Body: 'via SMS', Author: PHONE, ParticipantSid: 'MB00000000000000000000000000000001', Attributes: '{}',
    };
    const tw = signTwilio({ url: `https://hooks.example.com/webhooks/twilio/conversations`, params: twilioParams, authToken: 'tw-token' });
    // 3. VoIPBIN (10:10).
    const vb = JSON.stringify({ type: 'conversation_message_created', data: { id: 'vb-msg-1', customer_id: 'c', conversation_id: 'vb-conv', direction: 'incoming', status: 'done', reference_type: 'message', reference_id: '00000000-0000-0000-0000-000000000000', source: { type: 'tel', target: PHONE }, destination: { type: 'tel', target: '+15551230002' }, text: 'via VoIPBIN', tm_create: '2026-11-22T10:10:00.000000Z', tm_update: null, tm_delete: null } });
    // 4. Sinch Voice: an incoming call (10:15).
    const ice = JSON.stringify({ event: 'ice', callid: 'call-1', timestamp: '2026-11-22T10:15:00Z', version: 1, cli: PHONE.slice(1), to: { type: 'number', endpoint: '+15551000003' }, domain: 'pstn', applicationKey: 'voice-key', originationType: 'PSTN' });

    const answers = [
      await post(`${server.base}/sinch/conversation`, sinch, signSinchConversation({ body: sinch, secret: 'sc-secret', timestamp: NOW / 1000 })),
      await post(`${server.base}/twilio/conversations`, tw.body!, tw.headers),
      await post(`${server.base}/voipbin`, vb, signVoipbin({ body: vb, secret: 'vb-secret' })),
      await post(`${server.base}/sinch/voice`, ice, signSinchVoice({ path: '/webhooks/sinch/voice', body: ice, key: 'voice-key', secret: VOICE_SECRET, timestamp: NOW })),
    ];
    expect(answers.map((a) => a.status), answers.map((a) => a.text).join('\n')).toEqual([200, 200, 200, 200]);

    // A retry of each message changes nothing.
    await post(`${server.base}/sinch/conversation`, sinch, signSinchConversation({ body: sinch, secret: 'sc-secret', timestamp: NOW / 1000 }));
    await post(`${server.base}/voipbin`, vb, signVoipbin({ body: vb, secret: 'vb-secret' }));

    const page = await sb.store.timeline(PHONE);
    expect(page.items.map((e) => [e.type, e.provider, e.channel])).toEqual([
      ['call', 'sinch-voice', 'VOICE'],
      ['message', 'voipbin', 'SMS'],
      ['message', 'twilio-conversations', 'SMS'],
      ['message', 'sinch-conversation', 'WHATSAPP'],
    ]);
    expect(seen).toEqual([
      { provider: 'sinch-conversation', channel: 'WHATSAPP', text: 'via WhatsApp', from: PHONE },
      { provider: 'twilio-conversations', channel: 'SMS', text: 'via SMS', from: PHONE },
      { provider: 'voipbin', channel: 'SMS', text: 'via VoIPBIN', from: PHONE },
    ]);
    expect(calls).toEqual(['sinch-voice:ringing']);
    const whatsapp = page.items[3]!;
    expect(whatsapp.type === 'message' && whatsapp.message).toMatchObject({ quotedMessageId: 'earlier-1', metadata: { ticket: 'T-1' }, from: { kind: 'whatsapp', value: PHONE } });
  });
});
