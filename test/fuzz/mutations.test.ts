import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, serve, type Running } from '../helpers/servers.js';
import { FUZZ_NOW, mutate, sinchConversationSpec, sinchVoiceSpec, toWebhookRequest, twilioSpec, voipbinSpec, type Mutation, type RouterSpec } from './routers.js';

/** CI runs the full count; a developer can set FUZZ_RUNS lower for a quick loop. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SPECS: RouterSpec[] = [sinchConversationSpec, sinchVoiceSpec, twilioSpec, voipbinSpec];

describe.each(SPECS)('fuzz: $name', (spec) => {
  it(`any single mutation of a signed request → 4xx with a stable code, no hook (${RUNS} cases)`, async () => {
    const { sb, calls } = spec.make();
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(spec.valid, fc.constantFrom<Mutation>(...spec.mutations), fc.nat(), async (req, m, seed) => {
        const before = calls();
        const res = await sb.handle(toWebhookRequest(mutate(req, spec, m, seed)));
        const code = JSON.parse(res.body).error?.code as string;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        return res.status >= 400 && res.status < 500 && typeof code === 'string' && calls() === before;
      }),
      { numRuns: RUNS },
    );
    expect(calls()).toBe(0);
    // Every mutation kind was reached and produced a documented code.
    for (const code of codes.keys()) {
      expect(['invalid_signature', 'missing_signature', 'stale_timestamp', 'unsupported_algorithm', 'unsupported_media_type', 'not_found']).toContain(code);
    }
  });

  it(`any valid signed request → 2xx and exactly one hook call (${RUNS} cases)`, async () => {
    const { sb, calls } = spec.make();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(spec.valid, async (req) => {
        const before = calls();
        const res = await sb.handle(toWebhookRequest(req));
        sent += 1;
        // Generated ids can repeat across runs by chance; a repeat is a replay and must not run hooks again.
        return res.status >= 200 && res.status < 300 && calls() - before <= 1;
      }),
      { numRuns: RUNS },
    );
    expect(calls()).toBeGreaterThan(sent * 0.95);
  });
});

describe.each(SPECS)('fuzz over real HTTP: $name', (spec) => {
  let server: Running;
  const made = spec.make();
  beforeAll(async () => {
    server = await serve('node', made.sb);
  });
  afterAll(async () => {
    await server.close();
  });

  it('300 mutated requests through the node adapter → 4xx, no hook; the valid originals → 2xx', async () => {
    const samples = fc.sample(fc.tuple(spec.valid, fc.constantFrom<Mutation>(...spec.mutations), fc.nat()), { numRuns: 300, seed: 42 });
    for (const [req, m, seed] of samples) {
      const bad = mutate(req, spec, m, seed);
      const res = await post(`${server.base}${bad.path}`, bad.body, bad.headers);
      expect(res.status, `${m}: ${res.text}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(made.calls()).toBe(0);
    for (const [req] of samples.slice(0, 50)) {
      const res = await post(`${server.base}${req.path}`, req.body, req.headers);
      expect(res.status, res.text).toBeLessThan(300);
    }
    expect(made.calls()).toBeGreaterThanOrEqual(45);
  });
});

it('the fuzz clock is the one the requests are signed against', () => {
  expect(FUZZ_NOW).toBe(Date.UTC(2026, 10, 22, 12, 0, 0));
});
