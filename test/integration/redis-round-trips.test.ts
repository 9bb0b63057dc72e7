/**
 * Measures what one webhook costs in Redis traffic, through a TCP proxy in
 * front of a real redis-server: a "flight" is the bytes the client sends
 * before the server next answers, i.e. one round trip. The store is built
 * from a url, exactly as the example app builds it.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as lua from '../../src/store/redis-scripts.js';
import { redisStore } from '../../src/store/redis.js';
import type { Store } from '../../src/store/store.js';
import { redisAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { post, serve, type Running } from '../helpers/servers.js';
import { NOW, inboundBody, makeSwitchboard, signed } from '../helpers/sinch.js';

const available = redisAvailable();

interface Chunk {
  dir: 'up' | 'down';
  data: Buffer;
}

/** Forwards one port to Redis and records every chunk in both directions. */
async function startProxy(target: number): Promise<{ url: string; chunks: Chunk[]; close(): Promise<void> }> {
  const chunks: Chunk[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(target, '127.0.0.1');
    sockets.add(down).add(up);
    down.on('data', (d: Buffer) => {
      chunks.push({ dir: 'up', data: d });
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      chunks.push({ dir: 'down', data: d });
      down.write(d);
    });
    const end = () => {
      down.destroy();
      up.destroy();
    };
    down.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    chunks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const SCRIPT_NAMES = new Map<string, string>(
  Object.entries(lua).map(([name, source]) => [createHash('sha1').update(source).digest('hex'), name]),
);

/** Command names of a client's RESP request bytes; EVAL/EVALSHA named by the script they run. */
function commands(data: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  const line = (): string => {
    const end = data.indexOf('\r\n', i);
    const text = data.subarray(i, end).toString('latin1');
    i = end + 2;
    return text;
  };
  while (i < data.length) {
    const header = line();
    if (!header.startsWith('*')) throw new Error(`not a RESP array: ${header}`);
    const args: string[] = [];
    for (let n = Number(header.slice(1)); n > 0; n--) {
      const len = Number(line().slice(1));
      args.push(data.subarray(i, i + len).toString('utf8'));
      i += len + 2;
    }
    const name = args[0]!.toLowerCase();
    if (name === 'evalsha') out.push(`evalsha:${SCRIPT_NAMES.get(args[1]!) ?? '?'}`);
    else if (name === 'eval') out.push(`eval:${SCRIPT_NAMES.get(createHash('sha1').update(args[1]!).digest('hex')) ?? '?'}`);
    else out.push(name);
  }
  return out;
}

/** Client→server bytes grouped by round trip. */
function flights(chunks: Chunk[]): string[][] {
  const groups: Buffer[][] = [];
  let current: Buffer[] | undefined;
  for (const c of chunks) {
    if (c.dir === 'up') {
      if (!current) groups.push((current = []));
      current.push(c.data);
    } else {
      current = undefined;
    }
  }
  return groups.map((g) => commands(Buffer.concat(g)));
}

async function evalCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let calls = 0;
  for (const m of info.matchAll(/cmdstat_(evalsha|eval):calls=(\d+)/g)) calls += Number(m[2]);
  return calls;
}

function deliveryBody(messageId: string, status: string): string {
  const at = new Date(NOW - 1000).toISOString();
  return JSON.stringify({
    app_id: '01EB37HMH1M6SV18ABNS3G135H',
    accepted_time: at,
    event_time: at,
    project_id: 'p',
    message_delivery_report: {
      message_id: messageId,
      conversation_id: 'conv-rt',
      status,
      channel_identity: { channel: 'WHATSAPP', identity: '46732001122', app_id: '' },
      contact_id: 'contact-1',
      metadata: '',
    },
  });
}

describe.skipIf(!available)('Redis round trips per webhook (url-made client, as in the example app)', () => {
  let redis: RedisServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let admin: Redis;
  let store: Store;
  let sb: ReturnType<typeof makeSwitchboard>;
  let server: Running | undefined;
  let runs = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    proxy = await startProxy(redis.port);
    admin = new Redis(redis.url);
    store = redisStore({ url: proxy.url });
    sb = makeSwitchboard({ store });
    sb.sinchConversation.onMessageInbound(() => {
      runs += 1;
    });
    server = await serve('node', sb);
    // Warm-up: the connection handshake and the first EVAL of each script on this socket.
    const warm = inboundBody({ conversationId: 'conv-rt' });
    expect((await post(`${server.base}/sinch/conversation`, warm, signed(warm))).status).toBe(200);
    const dlr = deliveryBody('warm-msg', 'DELIVERED');
    expect((await post(`${server.base}/sinch/conversation`, dlr, signed(dlr))).status).toBe(200);
  });
  afterEach(() => {
    proxy.chunks.length = 0;
  });
  afterAll(async () => {
    await server?.close();
    await store?.close?.();
    await admin?.quit();
    await proxy?.close();
    await redis?.stop();
  });

  async function measure(body: string): Promise<{ status: number; flights: string[][]; evals: number }> {
    // Answers leave before their events are marked done; let earlier marks land first.
    await sb.engine.drain();
    const before = await evalCalls(admin);
    proxy.chunks.length = 0;
    const res = await post(`${server!.base}/sinch/conversation`, body, signed(body));
    // Anything the store sends after the answer (it should send nothing) is counted too.
    await new Promise((r) => setTimeout(r, 50));
    const measured = flights(proxy.chunks);
    const evals = (await evalCalls(admin)) - before;
    return { status: res.status, flights: measured, evals };
  }

  it('a fresh inbound message: claim + 2 record writes in one round trip, complete in the second', async () => {
    const runsBefore = runs;
    const { status, flights: f, evals } = await measure(inboundBody({ conversationId: 'conv-rt' }));
    expect(status).toBe(200);
    expect(runs).toBe(runsBefore + 1);
    console.log(`[round trips] fresh MESSAGE_INBOUND: ${f.length} round trips, ${evals} commands: ${JSON.stringify(f)}`);
    expect(f).toEqual([
      ['evalsha:UPSERT_CONVERSATION', 'evalsha:APPEND_MESSAGE', 'evalsha:CLAIM'],
      ['evalsha:COMPLETE'],
    ]);
    expect(evals).toBe(4);
  });

  it('a replayed event: one round trip, the stored answer, no complete', async () => {
    const body = inboundBody({ conversationId: 'conv-rt' });
    expect((await post(`${server!.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
    const { status, flights: f, evals } = await measure(body);
    expect(status).toBe(200);
    console.log(`[round trips] replayed MESSAGE_INBOUND: ${f.length} round trip(s), ${evals} commands: ${JSON.stringify(f)}`);
    expect(f).toEqual([['evalsha:UPSERT_CONVERSATION', 'evalsha:APPEND_MESSAGE', 'evalsha:CLAIM']]);
    expect(evals).toBe(3);
  });

  it('a fresh delivery report: applyDelivery + claim, then complete', async () => {
    const { status, flights: f, evals } = await measure(deliveryBody(`msg-${Date.now()}`, 'READ'));
    expect(status).toBe(200);
    console.log(`[round trips] fresh MESSAGE_DELIVERY: ${f.length} round trips, ${evals} commands: ${JSON.stringify(f)}`);
    expect(f).toEqual([['evalsha:APPLY_DELIVERY', 'evalsha:CLAIM'], ['evalsha:COMPLETE']]);
    expect(evals).toBe(3);
  });

  it("a client of one's own without auto-pipelining: the store still sends claim and record writes in one write", async () => {
    const own = new Redis(proxy.url);
    const ownStore = redisStore({ client: own });
    const ownSb = makeSwitchboard({ store: ownStore });
    ownSb.sinchConversation.onMessageInbound(() => undefined);
    const ownServer = await serve('node', ownSb);
    try {
      const warm = inboundBody({ conversationId: 'conv-rt' });
      expect((await post(`${ownServer.base}/sinch/conversation`, warm, signed(warm))).status).toBe(200);
      await ownSb.engine.drain();
      // The proxy cannot tell one write from three that follow each other at once,
      // so count what the client's socket hands to the OS.
      const socket = own.stream as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
      const handed: number[] = [];
      for (const name of ['_write', '_writev'] as const) {
        const original = socket[name].bind(socket);
        socket[name] = (...args: unknown[]) => {
          handed.push(name === '_writev' ? (args[0] as unknown[]).length : 1);
          return original(...args);
        };
      }
      proxy.chunks.length = 0;
      const body = inboundBody({ conversationId: 'conv-rt' });
      expect((await post(`${ownServer.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
      await ownSb.engine.drain();
      // claim + two record writes in one hand-over, complete in the second.
      expect(handed).toEqual([3, 1]);
      expect(flights(proxy.chunks)).toEqual([
        ['evalsha:UPSERT_CONVERSATION', 'evalsha:APPEND_MESSAGE', 'evalsha:CLAIM'],
        ['evalsha:COMPLETE'],
      ]);
    } finally {
      await ownServer.close();
      await ownStore.close?.();
      await own.quit();
    }
  });

  it('20 concurrent fresh webhooks: still at most 2 round trips and exactly 4 commands each', async () => {
    await sb.engine.drain();
    const before = await evalCalls(admin);
    proxy.chunks.length = 0;
    const bodies = Array.from({ length: 20 }, () => inboundBody({ conversationId: 'conv-rt' }));
    const answers = await Promise.all(bodies.map((b) => post(`${server!.base}/sinch/conversation`, b, signed(b))));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
    await new Promise((r) => setTimeout(r, 50));
    const f = flights(proxy.chunks);
    const evals = (await evalCalls(admin)) - before;
    console.log(`[round trips] 20 concurrent fresh MESSAGE_INBOUND: ${f.length} round trips in total, ${evals} commands`);
    expect(evals).toBe(80);
    expect(f.flat()).toHaveLength(80);
    expect(f.length).toBeLessThanOrEqual(40);
  });
});
