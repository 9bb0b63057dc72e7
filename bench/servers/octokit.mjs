// The best existing peer: @octokit/webhooks' createNodeMiddleware on node:http,
// verifying GitHub's sha256 HMAC (x-hub-signature-256), with one no-op handler.
import { Webhooks, createNodeMiddleware } from '@octokit/webhooks';
import { args, listen } from '../lib/serve.mjs';
import { GITHUB } from '../lib/providers.mjs';

const { path } = args();
const webhooks = new Webhooks({ secret: GITHUB.secret });
webhooks.on('issues.opened', () => {});
const middleware = createNodeMiddleware(webhooks, { path });
listen(async (req, res) => {
  // The node middleware answers only its own path; anything else is ours to 404.
  const handled = await middleware(req, res);
  if (!handled && !res.headersSent) {
    res.statusCode = 404;
    res.end();
  }
});
