import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { NOW, inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

describe.each(ADAPTERS)('bad requests get the right code and status, and no hook runs (%s)', (adapter) => {
  const sb = makeSwitchboard();
  let hookCalls = 0;
  sb.sinchConversation.onMessageInbound(() => {
    hookCalls += 1;
  });
  const errors: string[] = [];
  sb.onError((e) => {
    errors.push(e.code);
  });
  let server: Running;
  let url: string;
  beforeAll(async () => {
    server = await serve(adapter, sb);
    url = `${server.base}/sinch/conversation`;
  });
  afterAll(async () => {
    await server.close();
  });

  const cases: Array<{ name: string; status: number; code: string; make: () => { body: string | Buffer; headers: Record<string, string>; method?: string } }> = [
    {
      name: 'tampered body',
      status: 401,
      code: 'invalid_signature',
      make: () => {
        const body = inboundBody();
        return { body: body.replace('Hi!', 'Hi?'), headers: signed(body) };
      },
    },
    { name: 'wrong secret', status: 401, code: 'invalid_signature', make: () => { const body = inboundBody(); return { body, headers: signed(body, { secret: 'not-the-secret' }) }; } },
    {
      name: 'missing signature header',
      status: 401,
      code: 'missing_signature',
      make: () => {
        const body = inboundBody();
        const headers = signed(body);
        delete headers['x-sinch-webhook-signature'];
        return { body, headers };
      },
    },
    { name: 'stale timestamp (-301 s)', status: 401, code: 'stale_timestamp', make: () => { const body = inboundBody(); return { body, headers: signed(body, { timestamp: NOW / 1000 - 301 }) }; } },
    { name: 'future timestamp (+301 s)', status: 401, code: 'stale_timestamp', make: () => { const body = inboundBody(); return { body, headers: signed(body, { timestamp: NOW / 1000 + 301 }) }; } },
    {
      name: 'wrong algorithm',
      status: 401,
      code: 'unsupported_algorithm',
      make: () => {
        const body = inboundBody();
        return { body, headers: { ...signed(body), 'x-sinch-webhook-signature-algorithm': 'HmacMD5' } };
      },
    },
    {
      name: '2 MiB body',
      status: 413,
      code: 'payload_too_large',
      make: () => {
        const body = JSON.stringify({ app_id: 'a', message: { pad: 'x'.repeat(2 * 1024 * 1024) } });
        return { body, headers: signed(body) };
      },
    },
    {
      name: 'wrong content type',
      status: 415,
      code: 'unsupported_media_type',
      make: () => {
        const body = inboundBody();
        return { body, headers: { ...signed(body), 'content-type': 'text/plain' } };
      },
    },
    { name: 'malformed JSON', status: 400, code: 'malformed_payload', make: () => { const body = '{"app_id": "a", "message": {'; return { body, headers: signed(body) }; } },
    { name: 'JSON that is not an object', status: 400, code: 'malformed_payload', make: () => { const body = '[1,2,3]'; return { body, headers: signed(body) }; } },
    { name: 'GET instead of POST', status: 405, code: 'method_not_allowed', make: () => ({ body: '', headers: {}, method: 'GET' }) },
  ];

  it.each(cases)('$name → $status $code', async ({ status, code, make }) => {
    const before = hookCalls;
    const { body, headers, method } = make();
    const res = await post(url, body, headers, method);
    expect(res.status, res.text).toBe(status);
    const json = res.json();
    expect(json.error.code).toBe(code);
    expect(typeof json.error.message).toBe('string');
    expect(json.error.message.length).toBeGreaterThan(20);
    expect(res.text).not.toContain('test-webhook-secret');
    expect(hookCalls).toBe(before);
  });

  it('an authentic payload that breaks its schema → 400 schema_violation naming the path, kept as a dead letter', async () => {
    const body = JSON.stringify({ app_id: 'a', message_delivery_report: { message_id: 'm-1' } });
    const res = await post(url, body, signed(body));
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('schema_violation');
    expect(res.json().error.message).toContain('/message_delivery_report/status');
    const dead = await sb.store.listDeadLetters();
    expect(dead.items.some((d) => d.rawBody === body && d.code === 'schema_violation')).toBe(true);
    expect(errors).toContain('schema_violation');
  });

  it('a path below the mount that is not a provider is left to the host (404)', async () => {
    const res = await post(`${server.base}/nope`, '{}', { 'content-type': 'application/json' });
    expect(res.status).toBe(404);
  });
});
