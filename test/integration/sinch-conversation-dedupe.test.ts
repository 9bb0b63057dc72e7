import { afterEach, describe, expect, it } from 'vitest';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(ADAPTERS)('a retried or replayed event is processed once (%s)', (adapter) => {
  it('the same signed event 5 times in a row → hook once, one message, every answer 2xx', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const body = inboundBody({ conversationId: 'conv-seq' });
    const headers = signed(body);
    for (let i = 0; i < 5; i++) {
      const res = await post(`${server.base}/sinch/conversation`, body, headers);
      expect(res.status).toBe(200);
    }
    expect(runs).toBe(1);
    const messages = await sb.store.listMessages('sinch-conversation:conv-seq');
    expect(messages.items).toHaveLength(1);
  });

  it('the same event re-signed by a Sinch retry (new nonce and timestamp) is still a duplicate', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const body = inboundBody();
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body, { nonce: 'N1' }))).status).toBe(200);
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body, { nonce: 'N2' }))).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('sent 5 times concurrently → hook once, one message, each answer 2xx or 409 duplicate_in_flight', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 100));
    });
    server = await serve(adapter, sb);
    const body = inboundBody({ conversationId: 'conv-par' });
    const headers = signed(body);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(`${server!.base}/sinch/conversation`, body, headers)));
    for (const a of answers) {
      expect([200, 409]).toContain(a.status);
      if (a.status === 409) expect(a.json().error.code).toBe('duplicate_in_flight');
    }
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(1);
    expect((await sb.store.listMessages('sinch-conversation:conv-par')).items).toHaveLength(1);
  });

  it('a hook that throws → 500 hook_failed, the claim is released, and the retry runs the hook again', async () => {
    const sb = makeSwitchboard();
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
      if (runs === 1) throw new Error('database down');
    });
    const reported: string[] = [];
    sb.onError((e) => {
      reported.push(e.message);
    });
    server = await serve(adapter, sb);
    const body = inboundBody({ conversationId: 'conv-throw' });
    const first = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(first.status).toBe(500);
    expect(first.json().error.code).toBe('hook_failed');
    // What the app's code threw goes to the operator (onError, logs), never to the caller.
    expect(first.text).not.toContain('database down');
    expect(reported.join(' ')).toContain('database down');
    const second = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(second.status).toBe(200);
    expect(runs).toBe(2);
    expect((await sb.store.listMessages('sinch-conversation:conv-throw')).items).toHaveLength(1);
  });

  it('a hook past its deadline → 503 hook_timeout with ctx.signal aborted, and the retry can run', async () => {
    const sb = makeSwitchboard({ sinchConversation: { hookTimeoutMs: 150 } });
    let aborted = false;
    let runs = 0;
    sb.sinchConversation.onMessageInbound(async (_e, ctx) => {
      runs += 1;
      if (runs > 1) return;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => {
        aborted = true;
        resolve();
      }));
    });
    server = await serve(adapter, sb);
    const body = inboundBody();
    const first = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(first.status).toBe(503);
    expect(first.json().error.code).toBe('hook_timeout');
    expect(aborted).toBe(true);
    expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    expect(runs).toBe(2);
  });
});
