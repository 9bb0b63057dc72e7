// Makes sure dist/ is built and current before a benchmark imports 'switchboard'.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The build writes dist/cjs/package.json last, so it marks a complete build. */
export const BUILD_MARK = path.join(ROOT, 'dist', 'cjs', 'package.json');
export const DIST_ENTRY = path.join(ROOT, 'dist', 'esm', 'src', 'index.js');

const log = (...m) => console.error(...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than src/, adapters/, schemas/ (unless build is false). */
export function ensureBuilt({ build = true } = {}) {
  const sources = Math.max(
    ...['src', 'adapters', 'schemas'].map((d) => newestMtime(path.join(ROOT, d))),
    ...['tsconfig.json', 'tsconfig.build.json'].map((f) => (existsSync(path.join(ROOT, f)) ? statSync(path.join(ROOT, f)).mtimeMs : 0)),
  );
  const built = existsSync(BUILD_MARK) && existsSync(DIST_ENTRY) ? statSync(BUILD_MARK).mtimeMs : 0;
  if (built >= sources) return;
  if (!build) {
    log(built ? 'dist/ is older than src/ (--no-build: using it anyway)' : 'dist/ is missing and --no-build was given');
    if (!built) process.exit(1);
    return;
  }
  log(built ? 'dist/ is older than src/: npm run build' : 'dist/ is missing: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    if (existsSync(DIST_ENTRY)) log('warning: npm run build failed; benchmarking the dist/ that exists');
    else {
      log('npm run build failed and there is no dist/');
      process.exit(1);
    }
  }
}

/** Others may rebuild while we run (the build deletes dist/ first): wait for a complete one. */
export async function waitForDist() {
  for (let i = 0; i < 240; i++) {
    if (existsSync(DIST_ENTRY) && existsSync(BUILD_MARK)) return;
    if (i === 0) log('  (dist/ is being rebuilt; waiting)');
    await sleep(500);
  }
  throw new Error('dist/ did not reappear within 120 s');
}
