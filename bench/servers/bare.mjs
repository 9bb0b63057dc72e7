// The floor: routes one POST path, reads the body, answers 200. No verification, no parsing.
import { args, listen, readRaw } from '../lib/serve.mjs';

const { framework, path } = args();

if (framework === 'node') {
  listen(async (req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      res.statusCode = 404;
      res.end();
      return;
    }
    await readRaw(req);
    res.statusCode = 200;
    res.end();
  });
} else if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  app.post(path, async (req, res) => {
    await readRaw(req);
    res.status(200).end();
  });
  listen(app);
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  router.post(path, async (ctx) => {
    await readRaw(ctx.req);
    ctx.status = 200;
    ctx.body = '';
  });
  app.use(router.routes());
  listen(app.callback());
} else {
  throw new Error(`bare: unknown framework ${framework}`);
}
