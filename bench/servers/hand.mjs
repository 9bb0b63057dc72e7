// The careful hand-rolled receiver a competent engineer writes without a library:
// raw body (size-limited), the provider's HMAC with timingSafeEqual (and the
// ±300 s window where the provider signs a time), parse, 200. No dedupe, no
// schema, no store. On Express it uses express.raw(), the documented way to
// get raw bytes there; on node:http and Koa it reads the stream itself.
import { args, listen, readRaw, LIMIT } from '../lib/serve.mjs';
import { handParse, providerById } from '../lib/providers.mjs';

const { framework, path, provider: providerId } = args();
const entry = providerById(providerId);
if (!entry.handVerify) throw new Error(`hand: provider ${providerId} has no hand-rolled check`);

/** → [status, body] */
function check(raw, headers, url) {
  if (raw === undefined) return [413, ''];
  if (!entry.handVerify(raw, headers, url, Date.now())) return [401, '{"error":"invalid signature"}'];
  try {
    handParse(entry, raw);
  } catch {
    return [400, '{"error":"malformed payload"}'];
  }
  return [200, ''];
}

if (framework === 'node') {
  listen(async (req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const [status, body] = check(await readRaw(req), req.headers, req.url);
    res.statusCode = status;
    res.end(body);
  });
} else if (framework === 'express') {
  const { default: express } = await import('express');
  const app = express();
  const type = entry.parse === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  app.post(path, express.raw({ type, limit: LIMIT }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    const [status, body] = check(raw, req.headers, req.originalUrl);
    res.status(status).end(body);
  });
  listen(app);
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const app = new Koa();
  const router = new Router();
  router.post(path, async (ctx) => {
    const [status, body] = check(await readRaw(ctx.req), ctx.headers, ctx.originalUrl);
    ctx.status = status;
    ctx.body = body;
  });
  app.use(router.routes());
  listen(app.callback());
} else {
  throw new Error(`hand: unknown framework ${framework}`);
}
