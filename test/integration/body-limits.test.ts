import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type AdapterName, type Running } from '../helpers/servers.js';
import { makeSwitchboard, signed } from '../helpers/sinch.js';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Sends a chunked body (no Content-Length) and resolves with the status and how many bytes the client managed to write. */
function chunked(url: string, headers: Record<string, string>, write: (req: http.ClientRequest) => void): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may close the socket while we are still writing; only a missing response is a failure.
    req.on('error', (err) => setTimeout(() => reject(err), 50));
    write(req);
  });
}

describe.each(['express5', 'koa', 'node'] as AdapterName[])('body limits without a Content-Length (%s)', (adapter) => {
  it('a chunked body that grows past maxBodyBytes → 413 without waiting for its end', async () => {
    const sb = makeSwitchboard({ maxBodyBytes: 64 * 1024 });
    let runs = 0;
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve(adapter, sb);
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let timer: NodeJS.Timeout | undefined;
    const res = await chunked(`${server.base}/sinch/conversation`, signed('{}'), (req) => {
      // Never ends on its own: writes a chunk every 5 ms until the server answers or 2 s pass.
      let sent = 0;
      timer = setInterval(() => {
        if (req.destroyed || sent > 2_000) return clearInterval(timer);
        sent += 1;
        req.write(chunk);
      }, 5);
    });
    clearInterval(timer);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
    expect(runs).toBe(0);
  });

  it('a body that stalls half-way → 408 body_timeout within the configured time', async () => {
    const sb = makeSwitchboard({ bodyTimeoutMs: 300 });
    server = await serve(adapter, sb);
    const started = Date.now();
    const res = await chunked(`${server.base}/sinch/conversation`, signed('{"app_id":"a"}'), (req) => {
      req.write('{"app_id":');
    });
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).error.code).toBe('body_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
