import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard, type Logger } from '../../src/index.js';
import { signVoipbin } from '../../src/testing/index.js';
import { voipbinTime } from '../../src/providers/voipbin/record.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { startFakeVoipbin, type FakeVoipbin } from '../helpers/fake-voipbin.js';
import { loadVectors } from '../helpers/vectors.js';

const SECRET = 'fake_voipbin_webhook_secret_0001';
let server: Running | undefined;
let fake: FakeVoipbin | undefined;
afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

const v4 = loadVectors<{ vectors: Array<{ name: string; body: string; expected_header?: string }> }>('voipbin.json').vectors.find((v) => v.name.startsWith('V4_'))!;

function message(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'conversation_message_created',
    data: {
      id: 'msg-1', customer_id: 'cust', conversation_id: 'conv-1', direction: 'outgoing', status: 'progressing',
      reference_type: 'message', reference_id: '00000000-0000-0000-0000-000000000000',
      source: { type: 'tel', target: '+15551230002' }, destination: { type: 'tel', target: '+46732001122' },
      text: 'Your order shipped', tm_create: '2026-11-22T10:00:00.000000Z', tm_update: null, tm_delete: null,
      ...over,
    },
  });
}

const make = (extra: Record<string, unknown> = {}) => createSwitchboard({ voipbin: { secrets: [SECRET], ...extra } });
const send = (body: string, headers = signVoipbin({ body, secret: SECRET })) => post(`${server!.base}/voipbin`, body, headers);

describe.each(ADAPTERS)('VoIPBIN router over HTTP (%s)', (adapter) => {
  it('the Go-escaped V4 body verifies on its raw bytes and reaches onConversationMessageCreated; the reserialised body is refused', async () => {
    const sb = make();
    const seen: unknown[] = [];
    sb.voipbin.onConversationMessageCreated((event) => {
      seen.push(event.data.text);
    });
    server = await serve(adapter, sb);
    expect((await send(v4.body, { 'content-type': 'application/json', 'x-voipbin-signature': v4.expected_header! })).status).toBe(200);
    expect(seen).toEqual(['Hello <world> & thanks']);
    const reserialised = JSON.stringify(JSON.parse(v4.body));
    const res = await send(reserialised, { 'content-type': 'application/json', 'x-voipbin-signature': v4.expected_header! });
    expect(res.status).toBe(401);
    expect(res.json().error.code).toBe('invalid_signature');
    const m = await sb.store.getMessage('voipbin:cc46341b-f00a-452f-b527-19c85d030eaf');
    expect(m).toMatchObject({ direction: 'inbound', channel: 'SMS', from: { kind: 'tel', value: '+15551230001' }, status: 'received' });
  });

  it('every conversation event type reaches its hook; other types → 200 onUnknown; no header → 401', async () => {
    const sb = make();
    const hooks: string[] = [];
    for (const name of ['onConversationCreated', 'onConversationUpdated', 'onConversationDeleted', 'onConversationMessageCreated', 'onConversationMessageUpdated', 'onConversationMessageDeleted'] as const) {
      sb.voipbin[name]((_e: unknown, ctx: { type: string }) => {
        hooks.push(`${name}:${ctx.type}`);
      });
    }
    sb.voipbin.onUnknown((e) => {
      hooks.push(`onUnknown:${e.type}`);
    });
    server = await serve(adapter, sb);
    const conv = (type: string) => JSON.stringify({ type, data: { id: 'conv-9', customer_id: 'c', type: 'line', self: { type: 'line', target: 'Uself' }, peer: { type: 'line', target: 'Upeer', target_name: 'Mina' }, tm_create: '2022-06-23 05:05:40.950834', tm_update: '9999-01-01 00:00:00.000000', tm_delete: '9999-01-01 00:00:00.000000' } });
    for (const type of ['conversation_created', 'conversation_updated', 'conversation_deleted']) expect((await send(conv(type))).status).toBe(200);
    for (const type of ['conversation_message_created', 'conversation_message_updated', 'conversation_message_deleted']) {
      expect((await send(message({ id: `m-${type}` }).replace('conversation_message_created', type))).status).toBe(200);
    }
    expect((await send(JSON.stringify({ type: 'call_updated', data: { id: 'call-1' } }))).status).toBe(200);
    expect(hooks).toEqual([
      'onConversationCreated:conversation_created', 'onConversationUpdated:conversation_updated', 'onConversationDeleted:conversation_deleted',
      'onConversationMessageCreated:conversation_message_created', 'onConversationMessageUpdated:conversation_message_updated',
      'onConversationMessageDeleted:conversation_message_deleted', 'onUnknown:call_updated',
    ]);
    const c = await sb.store.getConversation('voipbin:conv-9');
    expect(c).toMatchObject({ channel: 'LINE', state: 'deleted', contact: { kind: 'line', value: 'Upeer', displayName: 'Mina' } });
    const body = message({ id: 'unsigned' });
    const res = await post(`${server.base}/voipbin`, body, { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(res.json().error.code).toBe('missing_signature');
  });

  it('dedupes on the body hash, and _updated(done) before _created(progressing) leaves the message done', async () => {
    const sb = make();
    let runs = 0;
    sb.voipbin.onConversationMessageUpdated(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const updated = message({ id: 'ooo', status: 'done', tm_update: '2026-11-22T10:00:05.123456Z' }).replace('conversation_message_created', 'conversation_message_updated');
    for (let i = 0; i < 3; i++) expect((await send(updated)).status).toBe(200);
    expect(runs).toBe(1);
    expect((await send(message({ id: 'ooo', status: 'progressing' }))).status).toBe(200);
    const m = (await sb.store.getMessage('voipbin:ooo'))!;
    expect(m.status).toBe('sent');
    expect(m.text).toBe('Your order shipped');
    expect(m.statusHistory.map((h) => h.rawStatus)).toEqual(['progressing', 'done']);
  });
});

describe('VoIPBIN configuration and reply', () => {
  it('refuses to start without a secret unless allowUnsigned, which warns at start-up', () => {
    expect(() => createSwitchboard({ voipbin: {} })).toThrow(/voipbin.secrets/);
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (o: unknown, m?: string) => void warnings.push(typeof o === 'string' ? o : String(m)) };
    createSwitchboard({ logger, voipbin: { allowUnsigned: true } });
    expect(warnings.join('\n')).toMatch(/allowUnsigned/);
  });

  it('ctx.reply posts to /v1.0/conversations/{id}/messages with the token, to a local fake VoIPBIN, and records the reply', async () => {
    fake = await startFakeVoipbin({ token: 'vb-token', conversations: ['conv-r'] });
    const sb = make({ rest: { token: 'vb-token', baseUrl: fake.url } });
    sb.voipbin.onConversationMessageCreated(async (event, ctx) => {
      if (event.data.direction === 'incoming') await ctx.reply(`Echo: ${event.data.text}`, [{ type: 'image', url: 'https://x/y.png' }]);
    });
    server = await serve('express5', sb);
    const inbound = message({ id: 'in-1', conversation_id: 'conv-r', direction: 'incoming', status: 'done', source: { type: 'tel', target: '+46732001122' }, destination: { type: 'tel', target: '+15551230002' }, text: 'hi' });
    expect((await send(inbound)).status).toBe(200);
    expect(fake.requests).toEqual([{ conversationId: 'conv-r', body: { text: 'Echo: hi', medias: [{ type: 'image', url: 'https://x/y.png' }] } }]);
    const page = await sb.store.listMessages('voipbin:conv-r');
    expect(page.items.map((m) => m.direction).sort()).toEqual(['inbound', 'outbound']);
  });

  it('a wrong token → the hook fails with reply_failed naming the fix, without the token', async () => {
    fake = await startFakeVoipbin({ token: 'right', conversations: ['conv-r'] });
    const sb = make({ rest: { token: 'wrong-token-value', baseUrl: fake.url } });
    sb.voipbin.onConversationMessageCreated(async (_e, ctx) => {
      await ctx.reply('x');
    });
    const errors: string[] = [];
    sb.onError((e) => {
      errors.push(e.message);
    });
    server = await serve('node', sb);
    const res = await send(message({ conversation_id: 'conv-r' }));
    expect(res.status).toBe(500);
    expect(errors.join(' ')).toContain('voipbin.rest.token');
    expect(res.text).not.toContain('wrong-token-value');
    expect(errors.join(' ')).not.toContain('wrong-token-value');
  });
});

describe('VoIPBIN timestamps in all three eras', () => {
  it.each([
    ['2022-06-23 05:05:40.950834', '2022-06-23T05:05:40.950Z'],
    ['2026-01-15T09:30:00.000000Z', '2026-01-15T09:30:00.000Z'],
    ['2026-01-15T09:30:00.123456789Z', '2026-01-15T09:30:00.123Z'],
    ['2026-01-15T11:30:00+02:00', '2026-01-15T09:30:00.000Z'],
    ['9999-01-01 00:00:00.000000', undefined],
    ['9999-01-01T00:00:00.000000Z', undefined],
    [null, undefined],
  ])('%s → %s', (input, expected) => {
    expect(voipbinTime(input)).toBe(expected);
  });
});
