// The load generator: one process, pinned by run.mjs to its own CPU. It sends
// one preflight request (must be 2xx), signs a pool of distinct requests (and
// measures what signing costs), warms up, then measures with autocannon. Every
// request autocannon sends comes from `setupRequest`, which hands out the next
// unused pooled request: fresh ids, nonce, timestamp and signature each, used
// once, so nothing ever repeats.
// Prints one JSON line with the results.
//
//   node bench/load.mjs --port 1234 --path /webhooks/sinch/conversation --provider sinchConversation
//        [--warmup 2] [--duration 8] [--connections 32] [--pool 250000] [--server-pid N] [--extra-pid N]

import http from 'node:http';
import { cpuTimes, foreignPct, jiffiesToMs, procJiffies } from './lib/cpu.mjs';
import autocannon from 'autocannon';
import { args } from './lib/serve.mjs';
import { providerById } from './lib/providers.mjs';

const a = args();
const port = Number(a.port);
const path = String(a.path);
const entry = providerById(String(a.provider));
const warmup = Number(a.warmup ?? 2);
const duration = Number(a.duration ?? 8);
const connections = Number(a.connections ?? 32);
const serverPid = a['server-pid'] ? Number(a['server-pid']) : undefined;
const extraPid = a['extra-pid'] ? Number(a['extra-pid']) : undefined;

let seq = 0;
/** A fresh, signed request (new ids, nonce, timestamp = now, signature). */
const sign = () => {
  seq += 1;
  return entry.request(seq, Date.now(), path);
};

// Signing is done ahead of the load: a pool of distinct signed requests, each
// used once, so the load generator spends its CPU on HTTP, not on HMACs. Should
// the pool run out, requests are signed live (still unique), and counted.
const poolSize = Number(a.pool ?? 250_000);
let pool = [];
let used = 0;
let liveSigned = 0;
const next = () => {
  if (used < pool.length) {
    const r = pool[used];
    pool[used++] = undefined; // let it be collected
    return r;
  }
  liveSigned += 1;
  return sign();
};

function out(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const pinned = a.pinned === true; // server on CPU 0, this process (and redis-server) on CPU 1

/** utime+stime of a process in ms, from /proc (Linux); undefined elsewhere. */
function procCpuMs(pid) {
  const j = procJiffies(pid);
  return j === undefined ? undefined : jiffiesToMs(j);
}

function preflight() {
  const { headers, body } = next();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8').slice(0, 400) }));
    });
    req.on('timeout', () => req.destroy(new Error('preflight timed out')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(body);
  });
}

function cannon(seconds) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest(req) {
          const { headers, body } = next();
          return { ...req, headers, body };
        },
      },
    ],
  });
}

const pre = await preflight();
if (pre.status < 200 || pre.status >= 300) {
  out({ ok: false, reason: `preflight answered ${pre.status}: ${pre.body}` });
  process.exit(0);
}

// Build the pool; what one signed request costs is measured here, apart from the load.
const s0 = process.cpuUsage();
pool = new Array(poolSize);
for (let i = 0; i < poolSize; i++) pool[i] = sign();
const s1 = process.cpuUsage(s0);
const signUs = (s1.user + s1.system) / poolSize;
const poolReadyAt = Date.now();

await cannon(warmup);

const liveBefore = liveSigned;
const c0 = process.cpuUsage();
const srv0 = procCpuMs(serverPid);
const ext0 = procCpuMs(extraPid);
const self0 = procJiffies(process.pid);
const srvJ0 = procJiffies(serverPid);
const extJ0 = procJiffies(extraPid);
const sys0 = cpuTimes();
const t0 = process.hrtime.bigint();
const r = await cannon(duration);
const t1 = process.hrtime.bigint();
const wallMs = Number(t1 - t0) / 1e6;
const c1 = process.cpuUsage(c0);
const srv1 = procCpuMs(serverPid);
const ext1 = procCpuMs(extraPid);
const sys1 = cpuTimes();
const d = (j0, j1) => (j0 === undefined || j1 === undefined ? 0 : j1 - j0);
const ownServer = d(srvJ0, procJiffies(serverPid));
const ownClient = d(self0, procJiffies(process.pid)) + d(extJ0, procJiffies(extraPid));
// Work that is not ours during the measured window: on each pinned CPU, or machine-wide.
const foreign = pinned
  ? { cpu0: foreignPct(sys0, sys1, '0', ownServer), cpu1: foreignPct(sys0, sys1, '1', ownClient) }
  : { all: foreignPct(sys0, sys1, 'all', ownServer + ownClient) };

const clientCpuMs = (c1.user + c1.system) / 1000;
const liveDuring = liveSigned - liveBefore;
const ok2xx = r['2xx'];
out({
  ok: true,
  rps: ok2xx / r.duration,
  requests2xx: ok2xx,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  durationSec: r.duration,
  latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, avg: r.latency.average, max: r.latency.max },
  clientCpuPct: (100 * clientCpuMs) / wallMs,
  serverCpuPct: srv0 !== undefined && srv1 !== undefined ? (100 * (srv1 - srv0)) / wallMs : null,
  extraCpuPct: ext0 !== undefined && ext1 !== undefined ? (100 * (ext1 - ext0)) / wallMs : null,
  foreignCpuPct: foreign,
  signUs,
  poolSize,
  // Requests signed live because the pool ran out, and the share of the client's CPU that cost.
  liveSigned: liveDuring,
  signSharePct: clientCpuMs > 0 ? (100 * (signUs * liveDuring) / 1000) / clientCpuMs : null,
  // Oldest signed timestamp sent, in seconds (the pool is signed just before the load; the window is ±300 s).
  maxSignatureAgeSec: (Date.now() - poolReadyAt) / 1000 + (signUs * poolSize) / 1e6,
  distinctRequests: seq,
  // The measured window on the monotonic clock (µs), the clock V8's .cpuprofile timestamps use.
  windowUs: [Number(t0 / 1000n), Number(t1 / 1000n)],
  bodyBytes: Buffer.byteLength(entry.request(0, Date.now(), path).body),
});
