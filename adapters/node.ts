import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse } from '../src/core/engine.js';
import { SwitchboardError } from '../src/core/errors.js';
import { handleNodeRequest, writeNodeResponse } from '../src/core/node-io.js';
import type { HasEngine } from '../src/core/switchboard-like.js';

export interface NodeHandlerOptions {
  /** Path prefix the webhooks live under, e.g. `/webhooks` (default: none). */
  basePath?: string;
  /** Called for requests that are not switchboard's; default answers 404. */
  onNotFound?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A node:http request listener: `http.createServer(nodeHandler(sb, { basePath: '/webhooks' }))`. */
export function nodeHandler(sb: HasEngine, opts: NodeHandlerOptions = {}) {
  const { engine } = sb;
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '');
  return function switchboard(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const below = url === basePath || url.startsWith(`${basePath}/`) || url.startsWith(`${basePath}?`) ? url.slice(basePath.length) : undefined;
    const provider = below === undefined ? undefined : engine.match(below || '/');
    if (!provider) {
      if (opts.onNotFound) {
        opts.onNotFound(req, res);
        return;
      }
      writeNodeResponse(res, errorResponse(new SwitchboardError('not_found', `No webhook provider is mounted at ${url.split('?')[0]}.`)));
      return;
    }
    handleNodeRequest(engine, req, { routePath: below || '/', url, framework: 'node', provider }).then(
      (response) => writeNodeResponse(res, response),
      (err: unknown) => {
        // handleNodeRequest answers every expected failure itself; this is a bug guard.
        writeNodeResponse(res, errorResponse(new SwitchboardError('hook_failed', `Unexpected failure: ${err instanceof Error ? err.message : String(err)}`)));
      },
    );
  };
}
