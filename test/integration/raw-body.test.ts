import { afterEach, describe, expect, it } from 'vitest';
import { post, serve, type AdapterName, type Running } from '../helpers/servers.js';
import { inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const hosts: AdapterName[] = ['express5', 'express4', 'koa'];

describe.each(hosts)('a host body parser mounted before switchboard (%s)', (adapter) => {
  it('without a kept raw body → 500 raw_body_unavailable within 1 s, naming the fix', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve(adapter, sb, { before: 'json' });
    const body = inboundBody();
    const started = Date.now();
    const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(500);
    expect(res.json().error.code).toBe('raw_body_unavailable');
    expect(res.json().error.message).toMatch(adapter === 'koa' ? /before a body parser|rawBody/ : /before express\.json\(\)/);
    expect(elapsed).toBeLessThan(1000);
    expect(runs).toBe(0);
  });

  it('with the raw body kept by the parser → accepted', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve(adapter, sb, { before: 'json-keep-raw' });
    const body = inboundBody({ text: 'Crème brûlée 🍮' });
    const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(res.status, res.text).toBe(200);
    expect(runs).toBe(1);
  });
});

describe('mounting', () => {
  it.each(['/', '/hooks', '/a/b/c'])('works at sub-path %s', async (mount) => {
    const sb = makeSwitchboard();
    server = await serve('express5', sb, { mount });
    const body = inboundBody();
    const res = await post(`${server.url}${mount === '/' ? '' : mount}/sinch/conversation`, body, signed(body));
    expect(res.status).toBe(200);
  });

  it('leaves other routes of the host app alone', async () => {
    server = await serve('express5', makeSwitchboard());
    const res = await fetch(`${server.url}/health`);
    expect(await res.json()).toEqual({ ok: true });
  });
});
