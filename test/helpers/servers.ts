import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa from 'koa';
import Router from '@koa/router';
import { expressRouter } from '../../adapters/express.js';
import { koaRouter } from '../../adapters/koa.js';
import { nodeHandler } from '../../adapters/node.js';
import type { HasEngine } from '../../src/core/switchboard-like.js';

export type AdapterName = 'express5' | 'express4' | 'koa' | 'node';
export const ADAPTERS: AdapterName[] = ['express5', 'express4', 'koa', 'node'];

export interface Running {
  url: string;
  /** Full URL of the switchboard mount point, e.g. http://127.0.0.1:1234/webhooks */
  base: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  mount?: string;
  /** Host-app middleware installed before switchboard (to simulate upstream body parsers). */
  before?: 'json' | 'json-keep-raw';
}

/** Starts a real HTTP server on 127.0.0.1 with switchboard mounted the way a user would mount it. */
export async function serve(adapter: AdapterName, sb: HasEngine, opts: ServeOptions = {}): Promise<Running> {
  const mount = opts.mount ?? '/webhooks';
  let server: http.Server;
  if (adapter === 'express5' || adapter === 'express4') {
    const express = (adapter === 'express5' ? express5 : express4) as unknown as typeof express5;
    const app = express();
    if (opts.before === 'json') app.use(express.json());
    if (opts.before === 'json-keep-raw') {
      app.use(express.json({ verify: (req, _res, buf) => { (req as unknown as { rawBody: Buffer }).rawBody = buf; } }));
    }
    app.get('/health', (_req, res) => { res.json({ ok: true }); });
    app.use(mount, expressRouter(sb));
    server = http.createServer(app);
  } else if (adapter === 'koa') {
    const app = new Koa();
    if (opts.before) {
      // A minimal stand-in for a Koa body parser: it consumes the stream and sets ctx.request.body.
      app.use(async (ctx, next) => {
        if (ctx.is('application/json')) {
          const chunks: Buffer[] = [];
          for await (const c of ctx.req) chunks.push(c as Buffer);
          const raw = Buffer.concat(chunks).toString('utf8');
          const request = ctx.request as unknown as Record<string, unknown>;
          request['body'] = JSON.parse(raw);
          if (opts.before === 'json-keep-raw') request['rawBody'] = raw;
        }
        await next();
      });
    }
    const router = new Router();
    router.use(mount, koaRouter(sb).routes());
    app.use(router.routes());
    server = http.createServer(app.callback());
  } else {
    server = http.createServer(nodeHandler(sb, { basePath: mount }));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    base: `${url}${mount}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POSTs exact bytes with exact headers over a real socket. */
export async function post(url: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<Answer> {
  const res = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
