import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { afterEach, describe, expect, it } from 'vitest';
import { koaRouter } from '../../adapters/koa.js';
import { createSwitchboard } from '../../src/index.js';
import { signTwilio } from '../../src/testing/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(ADAPTERS)('provider-neutral hooks after a failed first attempt (%s)', (adapter) => {
  it('the retry runs onMessage again: an event is never acknowledged with its neutral hook skipped', async () => {
    const sb = makeSwitchboard();
    const seen: string[] = [];
    let attempts = 0;
    sb.onMessage((m) => {
      attempts += 1;
      if (attempts === 1) throw new Error('CRM briefly down');
      seen.push(m.providerId);
    });
    server = await serve(adapter, sb);
    const body = inboundBody({ id: 'retry-neutral-1' });
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(500);
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    expect(seen).toEqual(['retry-neutral-1']);
  });
});

describe.each(ADAPTERS)('dot segments never route (%s)', (adapter) => {
  it('a request signed for another endpoint of the host cannot be replayed through /twilio/conversations/%2e%2e/…', async () => {
    let runs = 0;
    const sb = createSwitchboard({ twilio: { authTokens: ['tok'], publicUrl: 'https://hooks.example.com' } });
    sb.twilio.onMessageAdded(() => {
      runs += 1;
    });
    server = await serve(adapter, sb, { mount: '' });
    const params = { AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: 'CH1', MessageSid: 'IM1', Body: 'meant for /sms-app/inbound' };
    const signedElsewhere = signTwilio({ url: 'https://hooks.example.com/sms-app/inbound', params, authToken: 'tok' });
    for (const path of ['/twilio/conversations/%2e%2e/%2e%2e/sms-app/inbound', '/twilio/conversations/../../sms-app/inbound', '/twilio/conversations/%2E%2E/x']) {
      const res = await post(`${server.url}${path}`, signedElsewhere.body!, signedElsewhere.headers);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    expect(runs).toBe(0);
  });
});

describe('Koa behind a body parser that skips requests it does not parse', () => {
  it('reads the body itself when the parser set ctx.request.body without reading the stream', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    const app = new Koa();
    // koa-bodyparser's documented behaviour for types it does not handle: body = {}, stream untouched.
    app.use(async (ctx, next) => {
      (ctx.request as unknown as { body: unknown }).body = {};
      await next();
    });
    const router = new Router();
    router.use('/webhooks', koaRouter(sb).routes());
    app.use(router.routes());
    const httpServer = http.createServer(app.callback());
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = httpServer.address() as AddressInfo;
      const body = inboundBody();
      const res = await post(`http://127.0.0.1:${port}/webhooks/sinch/conversation`, body, signed(body));
      expect(res.status, res.text).toBe(200);
      expect(runs).toBe(1);
    } finally {
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });
});
