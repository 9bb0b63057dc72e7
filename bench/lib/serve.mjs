// What every benchmark server shares: argv, a careful raw-body reader, listening
// on a free 127.0.0.1 port, reporting readiness to run.mjs, and a clean exit on
// SIGTERM (so `--cpu-prof` can write its profile).

import http from 'node:http';

export function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else {
      out[a.slice(2)] = next;
      i++;
    }
  }
  return out;
}

export const LIMIT = 1024 * 1024;

/** Reads the raw body, refusing more than `limit` bytes. Resolves undefined when too large or aborted. */
export function readRaw(req, limit = LIMIT) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (v) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', () => finish(undefined));
    req.on('aborted', () => finish(undefined));
  });
}

/**
 * Listens on 127.0.0.1 (port 0 = a free one) and prints one JSON line
 * `{"ready":true,"port":…}` for run.mjs. SIGTERM closes and exits 0.
 */
export function listen(listener, { onClose } = {}) {
  const server = http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port, pid: process.pid })}\n`);
  });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    server.closeAllConnections?.();
    server.close();
    try {
      await onClose?.();
    } catch {
      // exiting anyway
    }
    const mem = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ exit: true, rss: mem.rss, heapUsed: mem.heapUsed })}\n`);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}
