// npm start: switchboard on Express at /webhooks, with a read-only JSON API at /api.
import express from 'express';
import { expressRouter } from 'switchboard/express';
import { api, buildSwitchboard, listenAddress } from '../shared/config.mjs';

const sb = await buildSwitchboard();
const app = express();
// Before any body parser: switchboard reads the raw bytes it verifies.
app.use('/webhooks', expressRouter(sb));
app.use(express.json());
app.get('/api/{*rest}', async (req, res, next) => {
  try {
    const answer = await api(sb.store, req.path, new URLSearchParams(req.url.split('?')[1] ?? ''));
    if (!answer) return next();
    res.status(answer.status).json(answer.body);
  } catch (err) {
    next(err);
  }
});

const { host, port } = listenAddress();
const server = app.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`switchboard example (express) listening on http://${host}:${actual}/webhooks`);
});
const stop = () => server.close(() => sb.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
