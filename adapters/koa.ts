import Router from '@koa/router';
import { handleNodeRequest } from '../src/core/node-io.js';
import type { HasEngine } from '../src/core/switchboard-like.js';

export interface KoaRouterOptions {
  /** Where a host body parser keeps the raw body on `ctx.request` (default `rawBody`). */
  rawBodyProperty?: string;
}

/**
 * A @koa/router Router with one route per provider:
 * `router.use('/webhooks', koaRouter(sb).routes())`.
 */
export function koaRouter(sb: HasEngine, opts: KoaRouterOptions = {}): Router {
  const { engine } = sb;
  const rawBodyProperty = opts.rawBodyProperty ?? 'rawBody';
  const router = new Router();
  for (const provider of engine.providers) {
    router.all(`${provider.path}{/*rest}`, async (ctx) => {
      const rest = ctx.params['rest'];
      const request = ctx.request as unknown as Record<string, unknown>;
      const response = await handleNodeRequest(engine, ctx.req, {
        routePath: `${provider.path}${rest ? `/${rest}` : ''}${ctx.querystring ? `?${ctx.querystring}` : ''}`,
        url: ctx.originalUrl,
        keptRawBody: request[rawBodyProperty],
        framework: 'koa',
      });
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
    });
  }
  return router;
}
