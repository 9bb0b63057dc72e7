// npm run bench [-- --quick] [-- --profile]
//
// HTTP load benchmark of switchboard against a bare receiver, a careful
// hand-rolled receiver and @octokit/webhooks. One server process at a time,
// pinned to CPU 0; the load generator (bench/load.mjs, autocannon) pinned to
// CPU 1; rounds interleaved over the setups. See bench/README.md.
//
// Flags:
//   --quick             1 round, 1 s warm-up, 3 s measured (smoke test)
//   --rounds N          rounds (default 2; at least 2 unless --quick)
//   --warmup S          warm-up seconds (default 2)
//   --duration S        measured seconds (default 8, at least 8 unless --quick)
//   --connections N     concurrent connections (default 32)
//   --pool N            distinct signed requests prepared per run (default 250 000; 120 000 with --quick)
//   --only REGEX        only setups whose name matches (plus the baselines they are compared with)
//   --no-redis          skip the Redis store setups
//   --profile           after measuring, re-run each switchboard setup that missed a target
//                       under `node --cpu-prof` and print its top self-time functions
//   --profile-all       the same for every switchboard setup
//   --no-build          never run `npm run build`
//   --max-foreign P     a run during which other processes took more than P% of CPU 0 or 1 is
//                       measured again (default 15), at most --attempts times (default 3) in all;
//                       before each run we wait up to --quiet-wait S seconds (default 30) for quiet

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { args } from './lib/serve.mjs';
import { MOUNT, PROVIDERS } from './lib/providers.mjs';
import { analyzeProfile } from './lib/profile.mjs';
import { cpuTimes, foreignPct } from './lib/cpu.mjs';
import { BUILD_MARK, DIST_ENTRY, ensureBuilt as ensureBuiltWith, waitForDist } from './lib/build.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const RESULTS = path.join(BENCH, 'results');
const PROFILES = path.join(RESULTS, 'profiles');
const FRAMEWORKS = ['node', 'express', 'koa'];

const flags = args();
const quick = flags.quick === true;
const opts = {
  rounds: Number(flags.rounds ?? (quick ? 1 : 2)),
  warmup: Number(flags.warmup ?? (quick ? 1 : 2)),
  duration: Number(flags.duration ?? (quick ? 3 : 8)),
  connections: Number(flags.connections ?? 32),
  pool: Number(flags.pool ?? (quick ? 120_000 : 250_000)),
  only: typeof flags.only === 'string' ? new RegExp(flags.only) : undefined,
  redis: flags['no-redis'] !== true,
  profile: flags['profile-all'] ? 'all' : flags.profile ? 'misses' : undefined,
  build: flags['no-build'] !== true,
  // A shared machine: other work on our CPUs skews a run. Wait for quiet first,
  // and re-measure (bounded) when more than this share of a CPU went to others.
  maxForeign: Number(flags['max-foreign'] ?? 15),
  attempts: Number(flags.attempts ?? 3),
  quietWaitSec: Number(flags['quiet-wait'] ?? 30),
};
if (!quick) {
  opts.rounds = Math.max(2, opts.rounds);
  opts.duration = Math.max(8, opts.duration);
}

const log = (...m) => console.error(...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes we own

/** Every child we start, by PID, so we stop exactly those and nothing else. */
const children = new Map();

function track(child, name) {
  children.set(child.pid, { child, name });
  child.on('exit', () => children.delete(child.pid));
  return child;
}

async function stop(child, { graceMs = 15_000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = sleep(graceMs).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

function stopAllSync() {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
}
process.on('exit', stopAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAllSync();
    process.exit(130);
  });
}

const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0 && os.cpus().length >= 2;
const pinned = (cpu, cmd, argv) => (hasTaskset ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv]);

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

// ---------------------------------------------------------------- build

const ensureBuilt = () => ensureBuiltWith({ build: opts.build });

// ---------------------------------------------------------------- detection

async function detect() {
  const sbUrl = pathToFileURL(DIST_ENTRY).href;
  const { createSwitchboard } = await import(sbUrl);
  const providers = [];
  for (const entry of PROVIDERS) {
    if (entry.peer) continue;
    for (const key of entry.keys ?? [entry.id]) {
      try {
        const sb = createSwitchboard({ [key]: entry.options() });
        const router = sb[key];
        await sb.close?.();
        if (router) {
          providers.push({ id: entry.id, key, label: entry.label, path: router.path ?? entry.defaultPath });
          break;
        }
      } catch {
        // createSwitchboard does not know this provider (yet), or not under this key
      }
    }
  }
  let redis;
  const redisModule = path.join(ROOT, 'dist', 'esm', 'src', 'store', 'redis.js');
  const server = which('redis-server');
  if (!opts.redis) redis = { available: false, reason: '--no-redis' };
  else if (!existsSync(redisModule)) redis = { available: false, reason: "'switchboard/redis' is not built (no src/store/redis.ts yet)" };
  else if (!server) redis = { available: false, reason: 'redis-server is not on PATH' };
  else redis = { available: true, server };
  return { providers, redis };
}

// ---------------------------------------------------------------- redis

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function redisCommand(port, ...argv) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(5_000, () => sock.destroy(new Error('redis did not answer')));
    sock.on('connect', () => sock.write(`*${argv.length}\r\n${argv.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`));
    sock.on('data', (d) => {
      buf += d;
      if (buf.endsWith('\r\n')) {
        sock.end();
        resolve(buf.trim());
      }
    });
    sock.on('error', reject);
  });
}

async function startRedis(server) {
  const port = await freePort();
  const [cmd, argv] = pinned(1, server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning']);
  const child = track(spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] }), 'redis-server');
  for (let i = 0; i < 100; i++) {
    try {
      if ((await redisCommand(port, 'PING')) === '+PONG') return { child, port, url: `redis://127.0.0.1:${port}` };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  await stop(child);
  throw new Error('redis-server did not start');
}

// ---------------------------------------------------------------- setups

function buildSetups(detected) {
  const sinch = detected.providers.find((p) => p.id === 'sinchConversation') ?? detected.providers[0];
  const setups = [];
  for (const fw of FRAMEWORKS) {
    setups.push({ name: `bare/${fw}`, kind: 'bare', framework: fw, provider: sinch.id, path: MOUNT + sinch.path, server: 'bare.mjs' });
  }
  for (const p of detected.providers) {
    for (const fw of FRAMEWORKS) {
      setups.push({ name: `hand/${fw}/${p.label}`, kind: 'hand', framework: fw, provider: p.id, path: MOUNT + p.path, server: 'hand.mjs' });
    }
  }
  setups.push({ name: 'octokit/node/github', kind: 'octokit', framework: 'node', provider: 'github', path: `${MOUNT}/github`, server: 'octokit.mjs' });
  const stores = detected.redis.available ? ['memory', 'redis'] : ['memory'];
  for (const p of detected.providers) {
    for (const store of stores) {
      for (const fw of FRAMEWORKS) {
        setups.push({ name: `switchboard/${fw}/${p.label}/${store}`, kind: 'switchboard', framework: fw, provider: p.id, key: p.key, label: p.label, store, path: MOUNT + p.path, server: 'switchboard.mjs' });
      }
    }
  }
  if (!opts.only) return setups;
  // Keep matching setups and whatever they are compared with.
  const keep = new Set(setups.filter((s) => opts.only.test(s.name)).map((s) => s.name));
  for (const s of setups.filter((x) => keep.has(x.name) && x.kind === 'switchboard')) {
    keep.add(`bare/${s.framework}`);
    keep.add(`hand/${s.framework}/${s.label}`);
    if (s.framework === 'node') keep.add('octokit/node/github');
    if (s.store === 'redis') keep.add(`switchboard/${s.framework}/${s.label}/memory`);
  }
  return setups.filter((s) => keep.has(s.name));
}

// ---------------------------------------------------------------- one measurement

function lines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

async function startServer(setup, { redisUrl, profileName } = {}) {
  await waitForDist();
  const nodeFlags = profileName ? ['--cpu-prof', '--cpu-prof-dir', PROFILES, '--cpu-prof-name', profileName] : [];
  const serverArgs = ['--framework', setup.framework, '--path', setup.path, '--provider', setup.provider, ...(setup.store ? ['--store', setup.store] : []), ...(setup.key ? ['--key', setup.key] : []), ...(redisUrl ? ['--redis-url', redisUrl] : [])];
  const [cmd, argv] = pinned(0, process.execPath, [...nodeFlags, path.join(BENCH, 'servers', setup.server), ...serverArgs]);
  const child = track(spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } }), setup.name);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const ready = new Promise((resolve, reject) => {
    lines(child.stdout, (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.ready) resolve(msg.port);
      } catch {
        // not ours
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr.trim().split('\n').slice(-5).join(' | ')}`)));
    setTimeout(() => reject(new Error(`server did not listen within 30 s: ${stderr.trim()}`)), 30_000).unref();
  });
  try {
    return { child, port: await ready };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

async function runLoad(setup, port, serverPid, extraPid, seconds = opts.duration) {
  const loadArgs = [
    path.join(BENCH, 'load.mjs'), '--port', String(port), '--path', setup.path, '--provider', setup.provider,
    '--warmup', String(opts.warmup), '--duration', String(seconds), '--connections', String(opts.connections),
    '--pool', String(opts.pool), '--server-pid', String(serverPid), ...(hasTaskset ? ['--pinned'] : []), ...(extraPid ? ['--extra-pid', String(extraPid)] : []),
  ];
  const [cmd, argv] = pinned(1, process.execPath, loadArgs);
  const child = track(spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), `load ${setup.name}`);
  let result;
  let stderr = '';
  lines(child.stdout, (line) => {
    try {
      result = JSON.parse(line);
    } catch {
      // ignore
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const limitMs = (opts.warmup + seconds + 60) * 1000;
  const exited = new Promise((r) => child.once('exit', r));
  const timedOut = await Promise.race([exited.then(() => false), sleep(limitMs).then(() => true)]);
  if (timedOut) {
    await stop(child, { graceMs: 2_000 });
    return { ok: false, reason: `load generator did not finish within ${limitMs / 1000} s` };
  }
  return result ?? { ok: false, reason: `load generator printed no result: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
}

async function measure(setup, redis, { profileName, seconds } = {}) {
  if (setup.store === 'redis') await redisCommand(redis.port, 'FLUSHALL');
  let server;
  for (let attempt = 0; ; attempt++) {
    try {
      server = await startServer(setup, { redisUrl: redis?.url, profileName });
      break;
    } catch (err) {
      // A concurrent rebuild can remove dist/ under a starting server: retry once.
      if (attempt >= 1) return { ok: false, reason: err.message };
      await sleep(2_000);
    }
  }
  // Which build of dist/ this server loaded: others may rebuild while we run.
  const distBuiltAt = existsSync(BUILD_MARK) ? statSync(BUILD_MARK).mtimeMs : undefined;
  try {
    const r = await runLoad(setup, server.port, server.child.pid, setup.store === 'redis' ? redis.child.pid : undefined, seconds);
    return { ...r, distBuiltAt };
  } finally {
    await stop(server.child, { graceMs: profileName ? 30_000 : 10_000 });
  }
}

/** The largest share of a CPU that went to other processes during a run (0 when unknown). */
function contention(r) {
  const values = Object.values(r?.foreignCpuPct ?? {}).filter((v) => typeof v === 'number');
  return values.length ? Math.max(...values) : 0;
}

/** Waits (bounded) until no CPU is busier than --max-foreign with work that is not ours. */
async function waitQuiet() {
  const t0 = Date.now();
  for (;;) {
    const a = cpuTimes();
    await sleep(1_000);
    const b = cpuTimes();
    if (!a || !b) return { waitedSec: 0 };
    const busiest = Math.max(...Object.keys(b).filter((k) => k !== 'all').map((k) => foreignPct(a, b, k) ?? 0));
    const waitedSec = (Date.now() - t0) / 1000;
    if (busiest <= opts.maxForeign || waitedSec >= opts.quietWaitSec) return { waitedSec, busiest };
  }
}

/** measure(), waiting for quiet first and measuring again when others took our CPUs. */
async function measureQuietly(setup, redis, extra) {
  let best;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    const quiet = await waitQuiet();
    if (quiet.waitedSec > 1.5) log(`  waited ${fmt(quiet.waitedSec)} s for other work to finish (busiest CPU ${fmt(quiet.busiest)}% busy)`);
    const profileName = extra?.profileName ? extra.profileName.replace(/\.cpuprofile$/, `.attempt${attempt}.cpuprofile`) : undefined;
    const r = await measure(setup, redis, { ...extra, profileName });
    r.attempt = attempt;
    if (profileName) r.profileFile = path.join(PROFILES, profileName);
    if (!r.ok) return best ?? r;
    if (!best || contention(r) < contention(best)) {
      if (best?.profileFile) rmSync(best.profileFile, { force: true });
      best = r;
    } else if (r.profileFile) rmSync(r.profileFile, { force: true });
    if (contention(r) <= opts.maxForeign) break;
    log(`  ${setup.name}: other processes took ${fmt(contention(r))}% of a CPU during the run${attempt < opts.attempts ? '; measuring again' : '; keeping the least disturbed attempt'}`);
  }
  return best;
}

// ---------------------------------------------------------------- summary

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function summarize(setup, runs) {
  const ok = runs.filter((r) => r.ok);
  if (ok.length === 0) return { ok: false, reason: runs.find((r) => r.reason)?.reason ?? 'no result' };
  const rps = ok.map((r) => r.rps);
  return {
    ok: true,
    rounds: ok.length,
    rps: mean(rps),
    spreadPct: ok.length > 1 ? (100 * (Math.max(...rps) - Math.min(...rps))) / mean(rps) : 0,
    p50: mean(ok.map((r) => r.latency.p50)),
    p99: mean(ok.map((r) => r.latency.p99)),
    non2xx: ok.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0),
    serverCpuPct: ok.every((r) => r.serverCpuPct != null) ? mean(ok.map((r) => r.serverCpuPct)) : null,
    clientCpuPct: mean(ok.map((r) => r.clientCpuPct)),
    extraCpuPct: ok.every((r) => r.extraCpuPct != null) ? mean(ok.map((r) => r.extraCpuPct)) : null,
    foreignCpuPct: Math.max(...ok.map(contention)),
    builds: new Set(ok.map((r) => r.distBuiltAt)).size,
    signUs: mean(ok.map((r) => r.signUs)),
    signSharePct: mean(ok.map((r) => r.signSharePct ?? 0)),
    liveSigned: ok.reduce((a, r) => a + (r.liveSigned ?? 0), 0),
    maxSignatureAgeSec: Math.max(...ok.map((r) => r.maxSignatureAgeSec ?? 0)),
    bodyBytes: ok[0].bodyBytes,
    distinctRequests: ok.reduce((a, r) => a + r.distinctRequests, 0),
  };
}

function baselines(setup) {
  if (setup.kind === 'switchboard') return { hand: `hand/${setup.framework}/${setup.label}`, bare: `bare/${setup.framework}` };
  return { hand: undefined, bare: `bare/${setup.framework}` };
}

function targetsFor(setups, summary) {
  const out = [];
  const get = (name) => summary.get(name);
  const add = (subject, versus, min, label) => {
    const s = get(subject);
    const v = get(versus);
    if (!s || !v) return;
    const ratio = s.ok && v.ok ? s.rps / v.rps : undefined;
    const disturbed = (s.ok && s.foreignCpuPct > opts.maxForeign) || (v.ok && v.foreignCpuPct > opts.maxForeign);
    out.push({ label, subject, versus, min, ratio, disturbed, status: ratio === undefined ? 'N/A' : ratio >= min ? 'PASS' : 'MISS' });
  };
  for (const s of setups.filter((x) => x.kind === 'switchboard' && x.store === 'memory')) {
    const min = s.framework === 'express' ? 1.0 : 0.9;
    add(s.name, `hand/${s.framework}/${s.label}`, min, `switchboard ≥ ${Math.round(min * 100)}% of hand-rolled (${s.framework}, ${s.label})`);
    if (s.framework === 'node') add(s.name, 'octokit/node/github', 1.2, `switchboard ≥ 1.2× octokit (node:http, ${s.label})`);
  }
  for (const s of setups.filter((x) => x.kind === 'switchboard' && x.store === 'redis')) {
    add(s.name, `switchboard/${s.framework}/${s.label}/memory`, 0.7, `Redis ≥ 70% of memory (${s.framework}, ${s.label})`);
  }
  return out;
}

const fmt = (n, d = 0) => (n === undefined || n === null || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

function table(setups, summary) {
  const rows = [['setup', 'req/s', '±%', 'p50 ms', 'p99 ms', 'vs hand', 'vs bare', 'srv CPU%', 'cli CPU%', 'other%', 'note']];
  for (const s of setups) {
    const r = summary.get(s.name);
    if (!r?.ok) {
      rows.push([s.name, '—', '', '', '', '', '', '', '', '', `skipped: ${r?.reason ?? 'not run'}`.slice(0, 140)]);
      continue;
    }
    const { hand, bare } = baselines(s);
    const h = hand && summary.get(hand);
    const b = summary.get(bare);
    const notes = [];
    if (r.non2xx) notes.push(`${r.non2xx} non-2xx/errors`);
    if (r.clientCpuPct > 90) notes.push('client-bound');
    if (r.liveSigned) notes.push(`${fmt(r.liveSigned)} live-signed`);
    if (s.kind === 'switchboard' && r.builds > 1) notes.push(`rounds ran ${r.builds} different builds`);
    rows.push([
      s.name,
      fmt(r.rps),
      fmt(r.spreadPct, 1),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      s.kind === 'hand' ? '1.00' : h?.ok ? fmt(r.rps / h.rps, 2) : '—',
      b?.ok ? fmt(r.rps / b.rps, 2) : '—',
      fmt(r.serverCpuPct),
      fmt(r.clientCpuPct),
      fmt(r.foreignCpuPct),
      notes.join('; '),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => `| ${row.map((c, i) => (i === 0 || i === row.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, i) => (i === 0 || i === widths.length - 1 ? ':' : '-') + '-'.repeat(w) + (i === 0 || i === widths.length - 1 ? '-' : ':')).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------- main

const startedAt = new Date();
ensureBuilt();
const detected = await detect();
if (detected.providers.length === 0) {
  log('createSwitchboard accepts none of the benchmarked providers');
  process.exit(1);
}
const setups = buildSetups(detected);
log(`providers: ${detected.providers.map((p) => `${p.id} (${p.path})`).join(', ')}`);
log(`redis store: ${detected.redis.available ? 'yes' : `no — ${detected.redis.reason}`}`);
log(`pinning: ${hasTaskset ? 'server on CPU 0, load generator (and redis-server) on CPU 1' : 'none (taskset missing or < 2 CPUs)'}`);
log(`${setups.length} setups × ${opts.rounds} round(s), ${opts.warmup} s warm-up + ${opts.duration} s measured, ${opts.connections} connections`);
const loadBefore = os.loadavg();

let redis;
const needRedis = setups.some((s) => s.store === 'redis');
if (needRedis) {
  redis = await startRedis(detected.redis.server);
  log(`redis-server pid ${redis.child.pid} on 127.0.0.1:${redis.port}`);
}

const runs = new Map(setups.map((s) => [s.name, []]));
try {
  for (let round = 0; round < opts.rounds; round++) {
    // Round-robin, with each round starting one setup later so no setup always runs first.
    const order = setups.map((_, i) => setups[(i + round) % setups.length]);
    for (const [i, setup] of order.entries()) {
      const r = await measureQuietly(setup, redis);
      runs.get(setup.name).push(r);
      log(`round ${round + 1}/${opts.rounds} [${i + 1}/${setups.length}] ${setup.name.padEnd(38)} ${r.ok ? `${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.latency.p50, 1)} ms  p99 ${fmt(r.latency.p99, 1)} ms  srv ${fmt(r.serverCpuPct)}%  cli ${fmt(r.clientCpuPct)}%  other ${fmt(contention(r))}%${r.non2xx ? `  non2xx ${r.non2xx}` : ''}` : `skipped: ${r.reason}`}`);
    }
  }

  const summary = new Map(setups.map((s) => [s.name, summarize(s, runs.get(s.name))]));
  const targets = targetsFor(setups, summary);

  // ------------------------------------------------------------ profiles
  const profiles = [];
  if (opts.profile) {
    mkdirSync(PROFILES, { recursive: true });
    const subjects = opts.profile === 'all'
      ? setups.filter((s) => s.kind === 'switchboard' && summary.get(s.name)?.ok)
      : [...new Set(targets.filter((t) => t.status === 'MISS').map((t) => t.subject))].map((n) => setups.find((s) => s.name === n));
    if (subjects.length === 0) log('\n--profile: no target was missed; nothing to profile (use --profile-all to profile anyway)');
    for (const setup of subjects) {
      const name = `${setup.name.replaceAll('/', '_')}.cpuprofile`;
      log(`profiling ${setup.name} (node --cpu-prof) …`);
      rmSync(path.join(PROFILES, name.replace(/\.cpuprofile$/, '.attempt1.cpuprofile')), { force: true });
      const r = await measureQuietly(setup, redis, { profileName: name });
      const file = r.profileFile;
      if (!file || !existsSync(file)) {
        profiles.push({ setup: setup.name, error: r.ok ? 'no profile written' : r.reason });
        continue;
      }
      // Only the measured window counts: start-up (imports, schema compilation), warm-up and shutdown stay out.
      profiles.push({ setup: setup.name, rpsUnderProfiler: r.ok ? r.rps : null, ...analyzeProfile(file, { top: 25, window: r.ok ? r.windowUs : undefined }) });
    }
  }

  // ------------------------------------------------------------ report
  const sample = [...summary.values()].find((r) => r.ok);
  const out = [];
  out.push(`\nswitchboard HTTP benchmark — node ${process.version}, ${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${opts.rounds} round(s) × ${opts.duration} s (+${opts.warmup} s warm-up), ${opts.connections} connections`);
  out.push(`every request unique (fresh ids, nonce, timestamp, signature): ${fmt(sum(summary, "distinctRequests"))} distinct requests signed in all, each sent at most once`);
  const oks = [...summary.values()].filter((r) => r.ok);
  out.push(`signing: each run signs a pool of ${fmt(opts.pool)} distinct requests before its load (≈ ${fmt(sample?.signUs, 1)} µs each), each sent once;`);
  out.push(`  signed live because a pool ran out: ${fmt(sum(summary, 'liveSigned'))} requests (≤ ${fmt(Math.max(...oks.map((r) => r.signSharePct)), 1)}% of the load generator's CPU); oldest signature sent ${fmt(Math.max(...oks.map((r) => r.maxSignatureAgeSec)))} s old (window ±300 s)\n`);
  out.push(table(setups, summary));
  out.push('\nreq/s: 2xx answers per second, mean over rounds (±%: spread between rounds); p50/p99: autocannon latency, mean over rounds;');
  out.push('vs hand: req/s ÷ hand-rolled receiver of the same framework and provider; vs bare: ÷ bare receiver of the same framework;');
  out.push('srv/cli CPU%: server / load generator CPU over the measured window (100 = one core); other%: the largest share of');
  out.push(`CPU 0 or 1 that other processes used meanwhile (runs above ${opts.maxForeign}% were measured again, up to ${opts.attempts} attempts).\n`);
  out.push('targets:');
  for (const t of targets) out.push(`  ${t.status.padEnd(4)}  ${t.label.padEnd(58)} ${t.ratio === undefined ? '' : `${fmt(t.ratio, 2)} (need ≥ ${fmt(t.min, 2)})`}${t.disturbed ? '  [disturbed: other processes used our CPUs]' : ''}`);
  const builds = [...new Set([...runs.values()].flat().filter((r) => r.ok && r.distBuiltAt).map((r) => r.distBuiltAt))].sort();
  if (builds.length > 1) {
    out.push(`\nwarning: dist/ was rebuilt ${builds.length - 1} time(s) during this run (not by us: ${builds.map((b) => new Date(b).toISOString().slice(11, 19)).join(', ')} UTC); switchboard rounds may have measured different code (note column).`);
  }
  const disturbed = setups.filter((s) => summary.get(s.name)?.ok && summary.get(s.name).foreignCpuPct > opts.maxForeign);
  if (disturbed.length) out.push(`\nwarning: ${disturbed.length} setup(s) ran while other processes took > ${opts.maxForeign}% of CPU 0 or 1 (column other%); their numbers are low and ratios with them are unreliable. Re-run on a quiet machine.`);
  if (!detected.redis.available) out.push(`  N/A   Redis ≥ 70% of memory — ${detected.redis.reason}`);
  for (const p of profiles) {
    out.push(`\nprofile of ${p.setup}${p.error ? `: ${p.error}` : ` (${fmt(p.rpsUnderProfiler)} req/s under the profiler; ${fmt(p.totalMs)} ms of samples)`}`);
    if (p.error) continue;
    out.push('  self time by owner: ' + p.owners.slice(0, 8).map((o) => `${o.owner} ${fmt(o.pct, 1)}%`).join(', '));
    out.push('  top switchboard functions (self time):');
    for (const f of p.topSwitchboard.slice(0, 12)) out.push(`    ${fmt(f.pct, 1).padStart(5)}%  ${f.name}  ${f.file}:${f.line}  (${f.source})`);
    out.push('  switchboard functions by inclusive time (self + everything they call):');
    for (const f of p.topSwitchboardInclusive.slice(0, 14)) out.push(`    ${fmt(f.pct, 1).padStart(5)}%  ${f.name}  ${f.file}:${f.line}  (${f.source})`);
    out.push('  top functions overall:');
    for (const f of p.topOverall.slice(0, 12)) out.push(`    ${fmt(f.pct, 1).padStart(5)}%  ${f.name}  [${f.owner}]${f.owner === 'switchboard' ? ` ${f.file}:${f.line}` : ''}`);
  }
  console.log(out.join('\n'));

  mkdirSync(RESULTS, { recursive: true });
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavg: { before: loadBefore, after: os.loadavg() },
    pinning: hasTaskset ? { server: 0, load: 1, redis: 1 } : null,
    options: { ...opts, only: opts.only?.source },
    providers: detected.providers,
    redis: detected.redis.available ? { available: true } : detected.redis,
    setups: setups.map((s) => {
      const r = summary.get(s.name);
      const { hand, bare } = baselines(s);
      const h = hand && summary.get(hand);
      const b = summary.get(bare);
      return {
        ...s,
        summary: r,
        vsHand: r.ok && h?.ok ? r.rps / h.rps : null,
        vsBare: r.ok && b?.ok ? r.rps / b.rps : null,
        runs: runs.get(s.name),
      };
    }),
    targets,
    distBuilds: builds.map((b) => new Date(b).toISOString()),
    profiles,
  };
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`\nwrote ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))}`);
} finally {
  if (redis) await stop(redis.child);
}

function sum(summary, key) {
  let total = 0;
  for (const r of summary.values()) if (r.ok) total += r[key] ?? 0;
  return total;
}
