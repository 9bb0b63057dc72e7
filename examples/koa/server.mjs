// npm run start:koa: switchboard on Koa 3 at /webhooks, with a read-only JSON API at /api.
import Koa from 'koa';
import Router from '@koa/router';
import { koaRouter } from 'switchboard/koa';
import { api, buildSwitchboard, listenAddress } from '../shared/config.mjs';

const sb = await buildSwitchboard();
const app = new Koa();
const router = new Router();
router.use('/webhooks', koaRouter(sb).routes());
router.get('/api/{*rest}', async (ctx, next) => {
  const answer = await api(sb.store, ctx.path, new URLSearchParams(ctx.querystring));
  if (!answer) return next();
  ctx.status = answer.status;
  ctx.body = answer.body;
});
app.use(router.routes());

const { host, port } = listenAddress();
const server = app.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`switchboard example (koa) listening on http://${host}:${actual}/webhooks`);
});
const stop = () => server.close(() => sb.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
