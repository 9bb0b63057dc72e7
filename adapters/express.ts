import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNodeRequest, writeNodeResponse } from '../src/core/node-io.js';
import type { HasEngine } from '../src/core/switchboard-like.js';

export interface ExpressRouterOptions {
  /** Where a host parser's `verify` callback keeps the raw body (default `rawBody`). */
  rawBodyProperty?: string;
}

type ExpressRequest = IncomingMessage & { originalUrl?: string };

/**
 * Express 4 and 5 middleware: `app.use('/webhooks', expressRouter(sb))`.
 * It reads the raw body itself, so mount it before express.json().
 */
export function expressRouter(sb: HasEngine, opts: ExpressRouterOptions = {}) {
  const { engine } = sb;
  const rawBodyProperty = opts.rawBodyProperty ?? 'rawBody';
  return function switchboard(req: ExpressRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    // Inside a mounted middleware Express makes req.url relative to the mount point.
    const routePath = req.url ?? '/';
    const provider = engine.match(routePath);
    if (!provider) {
      next();
      return;
    }
    handleNodeRequest(engine, req, {
      routePath,
      url: req.originalUrl ?? routePath,
      keptRawBody: (req as unknown as Record<string, unknown>)[rawBodyProperty],
      framework: 'express',
      provider,
    }).then((response) => writeNodeResponse(res, response), next);
  };
}
