// Memory bound of the default memory store: N distinct, correctly signed events
// (default 1 000 000) through the whole pipeline via sb.handle() — no HTTP, so
// it stays fast — with default limits. Reports heapUsed after a full GC at
// checkpoints, the peak, and whether the heap stops growing once the LRU caps
// are reached.
//
//   node --expose-gc bench/memory.mjs [--events 1000000] [--provider sinchConversation] [--every 50000] [--max-sec 600]
//        [--conversation-pool N]   (default: a new conversation and contact address per event)
// (re-executes itself with --expose-gc when started without it)

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { args } = await import('./lib/serve.mjs');
const { MOUNT, providerById, setConversationPool } = await import('./lib/providers.mjs');
const { ROOT, DIST_ENTRY, ensureBuilt } = await import('./lib/build.mjs');

const flags = args();
const EVENTS = Number(flags.events ?? 1_000_000);
const EVERY = Number(flags.every ?? 50_000);
const MAX_SEC = Number(flags['max-sec'] ?? 600);
const CONCURRENCY = 32;
const entry = providerById(String(flags.provider ?? 'sinchConversation'));
// Worst case for memory: every event opens a new conversation with a new contact
// address, so the conversation cap and the timeline index are exercised too.
setConversationPool(Number(flags['conversation-pool'] ?? Number.MAX_SAFE_INTEGER));

ensureBuilt({ build: flags['no-build'] !== true });
const { createSwitchboard } = await import(pathToFileURL(DIST_ENTRY).href);
// Diagnostic sizes of the store's caches and indexes (internal; used only when present).
let memoryStoreStats;
try {
  ({ memoryStoreStats } = await import(pathToFileURL(path.join(ROOT, 'dist', 'esm', 'src', 'store', 'memory.js')).href));
} catch {
  // not available in this build
}

const sb = createSwitchboard({ [entry.id]: entry.options() }); // default memory store, default limits
const router = sb[entry.id];
if (entry.hook && typeof router?.[entry.hook] === 'function') router[entry.hook](() => {});
const routePath = router.path ?? entry.defaultPath;
const url = MOUNT + routePath;

const MB = 1024 * 1024;
function heapAfterGc() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const baseline = heapAfterGc();
const checkpoints = [];
let peakAfterGc = baseline;
let peakBeforeGc = 0;
let failures = 0;
let firstFailure;
let seq = 0;
const t0 = Date.now();

async function one() {
  seq += 1;
  const n = Date.now();
  const { headers, body } = entry.request(seq, n, url);
  const res = await sb.handle({ method: 'POST', url, routePath, headers, rawBody: Buffer.from(body), receivedAt: n });
  if (res.status !== 200) {
    failures += 1;
    firstFailure ??= `${res.status} ${res.body.slice(0, 200)}`;
  }
}

let done = 0;
let stoppedEarly = false;
while (done < EVENTS) {
  const batch = Math.min(CONCURRENCY, EVENTS - done);
  const work = [];
  for (let i = 0; i < batch; i++) work.push(one());
  await Promise.all(work);
  done += batch;
  if (failures > 100) break;
  if (done % EVERY < CONCURRENCY || done === EVENTS) {
    const before = process.memoryUsage().heapUsed;
    peakBeforeGc = Math.max(peakBeforeGc, before);
    const after = heapAfterGc();
    peakAfterGc = Math.max(peakAfterGc, after);
    const stats = memoryStoreStats?.(sb.store);
    checkpoints.push({ events: done, heapUsedMB: after / MB, rssMB: process.memoryUsage().rss / MB, sec: (Date.now() - t0) / 1000, stats });
    process.stderr.write(`${String(done).padStart(9)} events  heapUsed after GC ${(after / MB).toFixed(1).padStart(7)} MB  rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB  ${((Date.now() - t0) / 1000).toFixed(0)} s${stats ? `  events ${stats.events} messages ${stats.messages} conversations ${stats.conversations} contacts ${stats.contacts}` : ''}\n`);
    if ((Date.now() - t0) / 1000 > MAX_SEC) {
      stoppedEarly = true;
      break;
    }
  }
}
const seconds = (Date.now() - t0) / 1000;
await sb.close();

// The bound: once the LRU caps are reached the heap should stop growing.
const last = checkpoints.at(-1);
const mid = checkpoints.find((c) => c.events >= done / 2) ?? checkpoints[0];
const growthSecondHalfMB = last && mid ? last.heapUsedMB - mid.heapUsedMB : undefined;
const result = {
  at: new Date().toISOString(),
  node: process.version,
  provider: entry.id,
  events: done,
  distinct: seq,
  failures,
  firstFailure,
  seconds,
  eventsPerSec: done / seconds,
  stoppedEarly,
  baselineMB: baseline / MB,
  peakHeapUsedAfterGcMB: peakAfterGc / MB,
  peakHeapUsedBeforeGcMB: peakBeforeGc / MB,
  finalHeapUsedAfterGcMB: last?.heapUsedMB,
  growthSecondHalfMB,
  checkpoints,
};

const f = (n) => (n === undefined ? '—' : n.toFixed(1));
console.log(`\nmemory store, default limits (events/messages 100 000; conversations/contacts/calls 20 000; 7-day TTL)
${done.toLocaleString('en-US')} distinct ${entry.id} events via sb.handle() in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en-US')}/s), ${failures} non-200${firstFailure ? ` (first: ${firstFailure})` : ''}${stoppedEarly ? ` — stopped after ${MAX_SEC} s` : ''}
heapUsed after GC: baseline ${f(baseline / MB)} MB, peak ${f(peakAfterGc / MB)} MB, final ${f(last?.heapUsedMB)} MB (peak before GC ${f(peakBeforeGc / MB)} MB)
growth over the second half (${mid?.events.toLocaleString('en-US')} → ${last?.events.toLocaleString('en-US')} events): ${f(growthSecondHalfMB)} MB
${growthSecondHalfMB !== undefined && Math.abs(growthSecondHalfMB) < Math.max(5, 0.05 * (peakAfterGc / MB)) ? `bounded: the heap plateaus at ≈ ${f(last.heapUsedMB)} MB once the caps are reached (≈ ${f(((last.heapUsedMB - baseline / MB) * MB) / 100_000 / 1024)} KiB per retained event incl. its message, conversation and contact share)` : 'NOT bounded: the heap still grows after the caps should have been reached'}`);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'memory.json'), `${JSON.stringify(result, null, 2)}\n`);
