import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from './engine.js';
import { errorResponse } from './engine.js';
import { SwitchboardError } from './errors.js';
import type { WebhookResponse } from './types.js';
import type { Provider } from '../providers/provider.js';

/**
 * Every framework we support hands us a node:http IncomingMessage underneath,
 * so reading the raw body, enforcing the limits and detecting an upstream
 * parser live here once, and the adapters stay a few lines each.
 */
export interface NodeRequestInfo {
  /** Path (and query) below the switchboard mount point. */
  routePath: string;
  /** Path and query exactly as received by the server, mount prefix included. */
  url: string;
  /** A raw body a host parser kept for us (`req.rawBody`, `ctx.request.rawBody`). */
  keptRawBody?: unknown;
  /** Names the host's fix in the `raw_body_unavailable` message. */
  framework: 'express' | 'koa' | 'node';
  /** The provider the adapter already matched for `routePath`, so it is not matched twice. */
  provider?: Provider;
}

const FIX: Record<NodeRequestInfo['framework'], string> = {
  express:
    "Mount switchboard's router before express.json()/express.urlencoded(), or keep the raw bytes with express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }).",
  koa: 'Mount the switchboard router before a body parser, or use one that keeps ctx.request.rawBody (e.g. @koa/bodyparser).',
  node: 'Do not read the request stream before calling the switchboard handler.',
};

export async function handleNodeRequest(engine: Engine, req: IncomingMessage, info: NodeRequestInfo): Promise<WebhookResponse> {
  const receivedAt = engine.options.clock();
  const method = (req.method ?? 'GET').toUpperCase();
  const provider = info.provider ?? engine.match(info.routePath);
  if (!provider) {
    return errorResponse(new SwitchboardError('not_found', `No webhook provider is mounted at ${info.routePath.split('?')[0]}.`));
  }
  // Refusing on method, media type or declared length first means a hostile
  // client cannot make us read a single byte of a body we would reject.
  const early = engine.checkBeforeBody(provider, method, req.headers);
  if (early) return withClose(await engine.handle(stub(method, info, req, receivedAt)));

  let rawBody: Buffer;
  const kept = info.keptRawBody;
  if (Buffer.isBuffer(kept)) {
    rawBody = kept;
  } else if (typeof kept === 'string') {
    rawBody = Buffer.from(kept, 'utf8');
  } else if (kept instanceof Uint8Array) {
    rawBody = Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength);
  } else if (consumedUpstream(req)) {
    return errorResponse(
      new SwitchboardError(
        'raw_body_unavailable',
        `A body parser consumed this request before switchboard saw it, so its signature cannot be checked on the raw bytes. ${FIX[info.framework]}`,
      ),
    );
  } else {
    const read = await readBody(req, engine.options.maxBodyBytes, engine.options.bodyTimeoutMs);
    if (read instanceof SwitchboardError) return withClose(errorResponse(read));
    rawBody = read;
  }

  return engine.process(provider, { method, url: info.url, routePath: info.routePath, headers: req.headers, rawBody, receivedAt });
}

export function writeNodeResponse(res: ServerResponse, response: WebhookResponse): void {
  if (res.headersSent) return;
  // One writeHead rather than a setHeader per header; headers the host set
  // earlier (CORS, request ids…) are merged in by node.
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function stub(method: string, info: NodeRequestInfo, req: IncomingMessage, receivedAt: number) {
  return { method, url: info.url, routePath: info.routePath, headers: req.headers, rawBody: Buffer.alloc(0), receivedAt };
}

/** After refusing mid-body we close the connection rather than read the rest of it. */
function withClose(response: WebhookResponse): WebhookResponse {
  // 405/415 are refused before the body is read: closing spares us reading and discarding it.
  if ([405, 408, 413, 415].includes(response.status)) response.headers['connection'] = 'close';
  return response;
}

function consumedUpstream(req: IncomingMessage): boolean {
  // body-parser marks `_body`; any other reader leaves a stream that was read
  // from (so waiting for its end could hang) or has ended. A parser that
  // skipped the request (a GET, another media type) read nothing: we read it.
  return (req as { _body?: unknown })._body === true || req.readableEnded || req.readableDidRead;
}

/**
 * Reads the body as raw bytes, never holding more than `limit` bytes and never
 * waiting longer than `timeoutMs` for a slow or stalled client.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer | SwitchboardError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: Buffer | SwitchboardError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (result instanceof SwitchboardError) {
        // Discard whatever else arrives; the response carries `connection: close`.
        chunks.length = 0;
        req.resume();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        finish(new SwitchboardError('payload_too_large', `The body is larger than the ${limit}-byte limit; raise maxBodyBytes if this provider really sends bodies this big.`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (err: Error): void =>
      finish(new SwitchboardError('malformed_payload', `The request body could not be read: ${err.message}.`));
    const onAborted = (): void => finish(new SwitchboardError('malformed_payload', 'The client aborted the request before the body was complete.'));
    const timer = setTimeout(
      () => finish(new SwitchboardError('body_timeout', `The body did not arrive within ${timeoutMs} ms; the client is too slow or stalled.`)),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
