// Reads a V8 .cpuprofile (from `node --cpu-prof`) and reports self time per
// function and per owner (switchboard, a dependency, node internals, GC…).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function filePath(url) {
  if (!url) return '';
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/** Who owns the code at this url. */
export function ownerOf(url, functionName) {
  const file = filePath(url);
  if (!file) {
    if (functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
    if (/^validate\d*$/.test(functionName)) return 'ajv (compiled schema validators)';
    return '(native / V8 builtins)';
  }
  if (file.startsWith('node:')) return 'node (core)';
  const nm = file.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (file.startsWith(path.join(ROOT, 'dist') + path.sep)) return 'switchboard';
  if (file.startsWith(path.join(ROOT, 'bench') + path.sep)) return 'bench harness';
  return file;
}

/** dist/esm/src/core/engine.js → src/core/engine.ts */
export function sourceOf(url) {
  const file = filePath(url);
  const rel = path.relative(ROOT, file);
  const m = /^dist\/(?:esm|cjs)\/(.*)\.js$/.exec(rel);
  return m ? `${m[1]}.ts` : rel;
}

/**
 * `window` = [startUs, endUs] on the monotonic clock (process.hrtime / 1000,
 * the clock of the profile's timestamps): only samples inside it count, so
 * start-up (module loading, schema compilation) and shutdown stay out.
 */
/** The built file, relative to the repo (line numbers in profiles are of this file). */
export function distOf(url) {
  return path.relative(ROOT, filePath(url));
}

export function analyzeProfile(file, { top = 15, window } = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const keyOf = (cf) => `${cf.functionName || '(anonymous)'}\u0000${cf.url}\u0000${cf.lineNumber}`;
  /** Inclusive (self + callees) time per switchboard function, each counted once per sample. */
  const inclusive = new Map();
  const selfUs = new Map();
  let t = prof.startTime;
  let samples = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const delta = prof.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window[0] || t > window[1])) continue;
    samples += 1;
    const id = prof.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    if (nodes.get(id).callFrame.functionName === '(idle)') continue;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const cf = nodes.get(at).callFrame;
      if (ownerOf(cf.url, cf.functionName) !== 'switchboard') continue;
      const key = keyOf(cf);
      if (seen.has(key)) continue;
      seen.add(key);
      const row = inclusive.get(key) ?? { name: cf.functionName || '(anonymous)', file: distOf(cf.url), source: sourceOf(cf.url), line: cf.lineNumber + 1, us: 0 };
      row.us += delta;
      inclusive.set(key, row);
    }
  }
  let total = 0;
  const byFunction = new Map();
  const byOwner = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = nodes.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    total += us;
    const owner = ownerOf(callFrame.url, name);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const key = `${owner}\u0000${name}\u0000${callFrame.url}\u0000${callFrame.lineNumber}`;
    const row = byFunction.get(key) ?? { owner, name, file: owner === 'switchboard' ? distOf(callFrame.url) : filePath(callFrame.url), source: owner === 'switchboard' ? sourceOf(callFrame.url) : undefined, line: callFrame.lineNumber + 1, us: 0 };
    row.us += us;
    byFunction.set(key, row);
  }
  const pct = (us) => (total > 0 ? (100 * us) / total : 0);
  const functions = [...byFunction.values()].sort((a, b) => b.us - a.us).map((r) => ({ ...r, pct: pct(r.us) }));
  const owners = [...byOwner.entries()].sort((a, b) => b[1] - a[1]).map(([owner, us]) => ({ owner, us, pct: pct(us) }));
  return {
    file,
    window: window ?? null,
    samples,
    totalMs: total / 1000,
    owners,
    topOverall: functions.slice(0, top),
    topSwitchboard: functions.filter((f) => f.owner === 'switchboard').slice(0, top),
    /** Self + callees (node core, crypto, ajv, lru-cache… called from there), as a share of all samples. */
    topSwitchboardInclusive: [...inclusive.values()].sort((a, b) => b.us - a.us).slice(0, top).map((r) => ({ ...r, pct: pct(r.us) })),
  };
}
