// switchboard through one of its adapters, one provider, memory or Redis store,
// one no-op hook, imported by package self-reference exactly as a user would.
import { createSwitchboard } from 'switchboard';
import { args, listen } from '../lib/serve.mjs';
import { MOUNT, providerById } from '../lib/providers.mjs';

const { framework, provider: providerId, key: optionKey, store: storeKind = 'memory', 'redis-url': redisUrl } = args();
const entry = providerById(providerId);
const key = typeof optionKey === 'string' ? optionKey : entry.id;

let store;
if (storeKind === 'redis') {
  const redis = await import('switchboard/redis');
  const make = redis.redisStore ?? redis.default;
  if (typeof make !== 'function') throw new Error('switchboard/redis exports no redisStore()');
  store = make({ url: redisUrl });
}

const sb = createSwitchboard({ ...(store ? { store } : {}), [key]: entry.options() });
const router = sb[key];
if (entry.hook && typeof router?.[entry.hook] === 'function') router[entry.hook](() => {});

const onClose = () => sb.close();

if (framework === 'node') {
  const { nodeHandler } = await import('switchboard/node');
  listen(nodeHandler(sb, { basePath: MOUNT }), { onClose });
} else if (framework === 'express') {
  const { default: express } = await import('express');
  const { expressRouter } = await import('switchboard/express');
  const app = express();
  app.use(MOUNT, expressRouter(sb));
  listen(app, { onClose });
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const { koaRouter } = await import('switchboard/koa');
  const app = new Koa();
  const router = new Router();
  router.use(MOUNT, koaRouter(sb).routes());
  app.use(router.routes());
  listen(app.callback(), { onClose });
} else {
  throw new Error(`switchboard: unknown framework ${framework}`);
}
