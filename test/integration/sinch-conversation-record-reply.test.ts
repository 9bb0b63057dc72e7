import { afterEach, describe, expect, it } from 'vitest';
import { post, serve, type Running } from '../helpers/servers.js';
import { inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';
import { startFakeSinch, type FakeSinch } from '../helpers/fake-sinch.js';
import { loadVectors } from '../helpers/vectors.js';

let server: Running | undefined;
let fake: FakeSinch | undefined;
afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

function deliveryBody(messageId: string, status: string, eventTime: string, channel = 'WHATSAPP'): string {
  return JSON.stringify({
    app_id: '01EB37HMH1M6SV18ABNS3G135H',
    accepted_time: eventTime,
    event_time: eventTime,
    project_id: 'p',
    message_delivery_report: {
      message_id: messageId,
      conversation_id: 'conv-dlr',
      status,
      channel_identity: { channel, identity: '46732001122', app_id: '' },
      contact_id: 'contact-1',
      ...(status === 'FAILED' || status === 'SWITCHING_CHANNEL' ? { reason: { code: 'RECIPIENT_NOT_REACHABLE', description: 'unreachable', sub_code: 'UNSPECIFIED_SUB_CODE' } } : {}),
      metadata: 'ticket-42',
    },
  });
}

describe('ctx.reply() answers through the Conversation API', () => {
  it('sends messages:send with an OAuth2 token to the configured base URL and records the outbound message', async () => {
    fake = await startFakeSinch({ keyId: 'key-id', keySecret: 'key-secret', projectIds: ['proj-1'] });
    const sb = makeSwitchboard({
      sinchConversation: { rest: { projectId: 'proj-1', keyId: 'key-id', keySecret: 'key-secret', baseUrl: fake.url, authUrl: fake.authUrl } },
    });
    const replies: string[] = [];
    sb.sinchConversation.onMessageInbound(async (event, ctx) => {
      const sent = await ctx.reply({ text_message: { text: `You said: ${event.message.contact_message && 'text_message' in event.message.contact_message ? event.message.contact_message.text_message?.text : ''}` } }, { message_metadata: 'ticket-42' });
      replies.push(sent.message_id);
    });
    server = await serve('express5', sb);
    for (const text of ['first', 'second']) {
      const body = inboundBody({ text, conversationId: 'conv-reply', channel: 'MESSENGER', identity: '2742085512340733' });
      expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    }
    expect(fake.tokenRequests).toBe(1);
    expect(fake.requests).toHaveLength(2);
    const sent = fake.requests[0]!;
    expect(sent.projectId).toBe('proj-1');
    expect(sent.body).toMatchObject({
      app_id: '01EB37HMH1M6SV18ABNS3G135H',
      recipient: { identified_by: { channel_identities: [{ channel: 'MESSENGER', identity: '2742085512340733' }] } },
      message: { text_message: { text: 'You said: first' } },
      message_metadata: 'ticket-42',
    });
    const page = await sb.store.listMessages('sinch-conversation:conv-reply');
    expect(page.items.map((m) => m.direction).sort()).toEqual(['inbound', 'inbound', 'outbound', 'outbound']);
    const outbound = await sb.store.getMessage(`sinch-conversation:${replies[0]}`);
    expect(outbound).toMatchObject({ direction: 'outbound', text: 'You said: first', status: 'queued', channel: 'MESSENGER' });
  });

  it('without REST credentials ctx.reply() fails the hook with a message naming the missing setting', async () => {
    const sb = makeSwitchboard();
    sb.sinchConversation.onMessageInbound(async (_e, ctx) => {
      await ctx.reply('hello');
    });
    const reported: string[] = [];
    sb.onError((e) => {
      reported.push(e.message);
    });
    server = await serve('koa', sb);
    const body = inboundBody();
    const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(res.status).toBe(500);
    expect(reported.join(' ')).toContain('sinchConversation.rest');
  });
});

describe('recording', () => {
  it('delivery reports apply monotonically, out of order, with SWITCHING_CHANNEL kept in history', async () => {
    const sb = makeSwitchboard();
    server = await serve('node', sb);
    const send = async (status: string, at: string, channel?: string) => {
      const body = deliveryBody('msg-dlr-1', status, at, channel);
      const res = await post(`${server!.base}/sinch/conversation`, body, signed(body));
      expect(res.status).toBe(200);
      return (await sb.store.getMessage('sinch-conversation:msg-dlr-1'))!;
    };
    expect((await send('SWITCHING_CHANNEL', '2026-11-22T11:00:01Z', 'RCS')).status).toBe('sent');
    expect((await send('READ', '2026-11-22T11:00:05Z')).status).toBe('read');
    expect((await send('DELIVERED', '2026-11-22T11:00:03Z')).status).toBe('read');
    expect((await send('QUEUED_ON_CHANNEL', '2026-11-22T11:00:02Z')).status).toBe('read');
    const final = await send('FAILED', '2026-11-22T11:00:06Z');
    expect(final.status).toBe('read');
    expect(final.statusHistory.map((h) => h.rawStatus)).toEqual(['SWITCHING_CHANNEL', 'QUEUED_ON_CHANNEL', 'DELIVERED', 'READ', 'FAILED']);
  });

  it('FAILED is terminal before delivery: a late QUEUED_ON_CHANNEL does not revive the message', async () => {
    const sb = makeSwitchboard();
    server = await serve('node', sb);
    for (const [status, at] of [['FAILED', '2026-11-22T11:00:05Z'], ['QUEUED_ON_CHANNEL', '2026-11-22T11:00:01Z']] as const) {
      const body = deliveryBody('msg-dlr-2', status, at);
      expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    }
    const m = (await sb.store.getMessage('sinch-conversation:msg-dlr-2'))!;
    expect(m.status).toBe('failed');
    expect(m.statusHistory.find((h) => h.rawStatus === 'FAILED')?.reason?.code).toBe('RECIPIENT_NOT_REACHABLE');
  });

  it('inbound messages are normalized: every contact_message shape, quoting, metadata, E.164 identity', async () => {
    const shapes = loadVectors<{ contact_message_shapes: Record<string, { payload: Record<string, unknown> }> }>('sinch-conversation-events.json').contact_message_shapes;
    const sb = makeSwitchboard();
    server = await serve('express4', sb);
    const expectations: Record<string, (m: Record<string, any>) => void> = { // eslint-disable-line @typescript-eslint/no-explicit-any
      Text: (m) => expect(m).toMatchObject({ kind: 'text', text: 'This is a text message.' }),
      Media: (m) => expect(m).toMatchObject({ kind: 'media', media: [{ url: 'an url value', thumbnailUrl: 'another url', filename: 'filename override value' }] }),
      Location: (m) => expect(m).toMatchObject({ kind: 'location', location: { latitude: 47.6279809, longitude: -2.8229159, title: 'title value', label: 'label value' } }),
      ChoiceResponse: (m) => expect(m).toMatchObject({ kind: 'choice', choice: { messageId: 'message id value', postbackData: 'postback data value' } }),
      MediaCard: (m) => expect(m).toMatchObject({ kind: 'media', text: 'caption value', media: [{ url: 'an url value', caption: 'caption value' }] }),
      Fallback: (m) => expect(m).toMatchObject({ kind: 'fallback', text: 'raw message value' }),
      ProductResponse: (m) => expect(m).toMatchObject({ kind: 'product', text: 'a product response message title value' }),
      ChannelSpecificNfmReply: (m) => expect(m).toMatchObject({ kind: 'channel_specific', text: 'nfm reply body value' }),
    };
    expect(Object.keys(shapes).sort()).toEqual(Object.keys(expectations).sort());
    for (const [name, shape] of Object.entries(shapes)) {
      const body = JSON.stringify({
        app_id: 'app', project_id: 'p', message_metadata: 'order-7', accepted_time: '2026-11-22T11:00:00Z',
        message: {
          id: `shape-${name}`, direction: 'TO_APP', contact_message: shape.payload,
          channel_identity: { channel: 'WHATSAPP', identity: '46732001122', app_id: '' },
          conversation_id: 'conv-shapes', contact_id: 'contact-9', metadata: 'm-1', accept_time: '2026-11-22T11:00:00Z',
        },
      });
      expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
      const m = (await sb.store.getMessage(`sinch-conversation:shape-${name}`))!;
      expectations[name]!(m);
      expect(m).toMatchObject({
        direction: 'inbound', channel: 'WHATSAPP', rawChannel: 'WHATSAPP', provider: 'sinch-conversation',
        from: { kind: 'whatsapp', value: '+46732001122' }, quotedMessageId: 'message id value',
        conversationId: 'sinch-conversation:conv-shapes', metadata: { metadata: 'm-1', message_metadata: 'order-7' },
      });
    }
    const conv = await sb.store.getConversation('sinch-conversation:conv-shapes');
    expect(conv).toMatchObject({ state: 'active', channel: 'WHATSAPP', contact: { kind: 'whatsapp', value: '+46732001122' } });
  });

  it('conversations move start → stop → delete, and contacts keep names and identities', async () => {
    const sb = makeSwitchboard();
    server = await serve('koa', sb);
    const conv = { id: 'conv-life', app_id: 'app', contact_id: 'c-1', active_channel: 'SMS', active: true, metadata: '' };
    const states: string[] = [];
    for (const key of ['conversation_start_notification', 'conversation_stop_notification', 'conversation_delete_notification']) {
      const body = JSON.stringify({ app_id: 'app', project_id: 'p', [key]: { conversation: conv } });
      expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
      states.push((await sb.store.getConversation('sinch-conversation:conv-life'))!.state);
    }
    expect(states).toEqual(['active', 'closed', 'deleted']);

    const contact = { id: 'c-77', channel_identities: [{ channel: 'SMS', identity: '46732001122' }], display_name: 'Ada Lovelace', email: 'ada@example.com', language: 'EN_US' };
    const body = JSON.stringify({ app_id: 'app', project_id: 'p', contact_create_notification: { contact } });
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    expect(await sb.store.getContact('sinch-conversation:c-77')).toMatchObject({
      displayName: 'Ada Lovelace', email: 'ada@example.com', addresses: [{ kind: 'tel', value: '+46732001122' }],
    });
  });
});
