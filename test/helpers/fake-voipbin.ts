import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeVoipbin {
  url: string;
  requests: Array<{ conversationId: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A local stand-in for api.voipbin.net: checks the `token` query parameter,
 * the JSON content type and the body shape, and answers like VoIPBIN.
 */
export async function startFakeVoipbin(opts: { token: string; conversations: string[] }): Promise<FakeVoipbin> {
  const requests: FakeVoipbin['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const m = /^\/v1\.0\/conversations\/([^/]+)\/messages$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return send(404, { message: 'not found' });
      if (url.searchParams.get('token') !== opts.token) return send(401, { message: 'unauthorized' });
      const conversationId = decodeURIComponent(m[1]!);
      if (!opts.conversations.includes(conversationId)) return send(404, { message: 'conversation not found' });
      if (!String(req.headers['content-type']).startsWith('application/json')) return send(400, { message: 'json only' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { message: 'bad json' });
      }
      if (typeof body['text'] !== 'string' || !Array.isArray(body['medias'] ?? [])) return send(400, { message: 'text must be a string' });
      requests.push({ conversationId, body });
      send(200, {
        id: randomUUID(),
        customer_id: '5e4a0680-804e-11ec-8477-2fea5968d85b',
        conversation_id: conversationId,
        direction: 'outgoing',
        status: 'progressing',
        reference_type: 'message',
        reference_id: '00000000-0000-0000-0000-000000000000',
        source: { type: 'tel', target: '+15551230002' },
        destination: { type: 'tel', target: '+46732001122' },
        text: body['text'],
        medias: body['medias'] ?? [],
        tm_create: new Date().toISOString(),
        tm_update: null,
        tm_delete: null,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
