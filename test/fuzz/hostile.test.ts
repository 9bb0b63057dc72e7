import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { signSinchConversation, signVoipbin } from '../../src/testing/index.js';
import { post, serve, type Running } from '../helpers/servers.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const SECRET = 'hostile-secret';
const sign = (body: string | Buffer) => signSinchConversation({ body, secret: SECRET, timestamp: NOW / 1000 });

function inbound(id: string, extra: Record<string, unknown> = {}, text = 'hi'): string {
  return JSON.stringify({
    app_id: 'APP',
    message: { id, direction: 'TO_APP', contact_message: { text_message: { text } }, channel_identity: { channel: 'SMS', identity: '46732001122' }, conversation_id: 'conv-h', contact_id: 'C', ...extra },
  });
}

describe('hostile inputs', () => {
  let server: Running;
  let hookCalls = 0;
  const sb = createSwitchboard({ clock: () => NOW, bodyTimeoutMs: 500, sinchConversation: { secrets: [SECRET], hookTimeoutMs: 200 }, voipbin: { secrets: [SECRET] } });
  sb.sinchConversation.onMessageInbound((event) => {
    hookCalls += 1;
    const text = event.message.contact_message.text_message?.text;
    if (text === 'throw') throw new Error('boom');
    if (text === 'hang') return new Promise<void>(() => {});
    if (text === 'garbage') return 42 as unknown as void;
  });
  sb.sinchConversation.onUnknown(() => {
    hookCalls += 1;
  });
  beforeAll(async () => {
    server = await serve('node', sb);
  });
  afterAll(async () => {
    await server.close();
  });
  const url = () => `${server.base}/sinch/conversation`;

  it('10 MiB body → 413 payload_too_large', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const res = await post(url(), body, sign(body));
    expect(res.status).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('JSON nested 10,000 deep → answered (no crash), and the server keeps serving', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const body = inbound('deep-1').replace('"contact_id":"C"', `"contact_id":"C","deep":${deep}`);
    const res = await post(url(), body, sign(body));
    expect(res.status).toBe(200);
    const unknownDeep = `{"app_id":"a","brand_new_trigger":${deep}}`;
    expect((await post(url(), unknownDeep, sign(unknownDeep))).status).toBe(200);
  });

  it('__proto__ and constructor keys pollute no prototype', async () => {
    const body = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${inbound('proto-1', { metadata: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"ok":"1"}' }).slice(1)}`;
    const res = await post(url(), body, sign(body));
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
    const m = await sb.store.getMessage('sinch-conversation:proto-1');
    expect(m?.metadata['ok']).toBe('1');
    expect(Object.getPrototypeOf(m!.metadata)).toBe(Object.prototype);
    expect((m!.metadata as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('invalid UTF-8 inside a signed body → a defined answer, never a 5xx', async () => {
    // The text value becomes "h" + three bytes that are not UTF-8; the JSON around it stays well-formed.
    const [before, after] = inbound('utf8-1').split('"hi"') as [string, string];
    const json = Buffer.concat([Buffer.from(`${before}"h`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`"${after}`)]);
    const res = await post(url(), json, sign(json));
    expect(res.status).toBe(200);
    const m = await sb.store.getMessage('sinch-conversation:utf8-1');
    expect(m?.text).toContain('\uFFFD');
  });

  it('duplicate signature headers arrive joined and are refused cleanly; header arrays use the first value', async () => {
    const body = inbound('dup-1');
    const headers = sign(body);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url(), { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (const [k, v] of Object.entries(headers)) req.setHeader(k, k === 'x-sinch-webhook-signature' ? [v, 'AAAA'] : v);
      req.end(body);
    });
    expect(status).toBe(401);
    const direct = await sb.handle({
      method: 'POST', url: '/sinch/conversation', routePath: '/sinch/conversation', rawBody: Buffer.from(body), receivedAt: NOW,
      headers: { ...headers, 'x-sinch-webhook-signature': [headers['x-sinch-webhook-signature']!, 'AAAA'] },
    });
    expect(direct.status).toBe(200);
  });

  it('empty body → 400 malformed_payload', async () => {
    const res = await post(url(), '', sign(''));
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('malformed_payload');
    const vb = await post(`${server.base}/voipbin`, '', signVoipbin({ body: '', secret: SECRET }));
    expect(vb.status).toBe(400);
  });

  it('hooks that throw, hang past the deadline or return garbage → the documented answers, and the process keeps serving', async () => {
    const before = hookCalls;
    const thrown = await post(url(), inbound('f-1', {}, 'throw'), sign(inbound('f-1', {}, 'throw')));
    expect([thrown.status, thrown.json().error.code]).toEqual([500, 'hook_failed']);
    const hung = await post(url(), inbound('f-2', {}, 'hang'), sign(inbound('f-2', {}, 'hang')));
    expect([hung.status, hung.json().error.code]).toEqual([503, 'hook_timeout']);
    const garbage = await post(url(), inbound('f-3', {}, 'garbage'), sign(inbound('f-3', {}, 'garbage')));
    expect(garbage.status).toBe(200);
    const fine = await post(url(), inbound('f-4'), sign(inbound('f-4')));
    expect(fine.status).toBe(200);
    expect(hookCalls - before).toBe(4);
  });
});
