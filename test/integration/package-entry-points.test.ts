import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the built package (dist/, made by `npm run build` before the tests) in a separate Node process.
const run = (fixture: string) =>
  JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url))], { encoding: 'utf8', timeout: 20_000 }).trim(),
  );

const expected = { status: 200, ran: true, kinds: ['function', 'function', 'function', 'function'], koaRoutes: 'function' };

describe('package entry points', () => {
  it('an ESM host can import switchboard, /express, /koa, /node and /testing', () => {
    expect(run('host-esm.mjs')).toEqual(expected);
  });
  it('a CommonJS host can require them', () => {
    expect(run('host-cjs.cjs')).toEqual(expected);
  });
});
