import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, serve, type Running } from '../helpers/servers.js';
import { signTwilio } from '../../src/testing/index.js';
import { FUZZ_NOW, mutate, sinchConversationSpec, sinchVoiceSpec, toWebhookRequest, twilioSpec, voipbinSpec, type Mutation, type RawRequest, type RouterSpec } from './routers.js';

/** CI runs the full count; a developer can set FUZZ_RUNS lower for a quick loop. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Each run draws a new seed; a failure prints it, and FUZZ_SEED replays it. */
const SEED = process.env.FUZZ_SEED ? { seed: Number.parseInt(process.env.FUZZ_SEED, 10) } : {};
if (Number.isNaN(SEED.seed)) throw new Error(`FUZZ_SEED must be the integer seed fast-check printed, not "${process.env.FUZZ_SEED}"`);

/** Not a forgery by the provider's own rules (see RouterSpec.authenticByPeer). */
const authenticByPeer = (spec: RouterSpec, m: Mutation, req: RawRequest): boolean => m === 'body-byte' && spec.authenticByPeer?.(req) === true;
const SPECS: RouterSpec[] = [sinchConversationSpec, sinchVoiceSpec, twilioSpec, voipbinSpec];

describe.each(SPECS)('fuzz: $name', (spec) => {
  it(`any single mutation of a signed request → 4xx with a stable code, no hook (${RUNS} cases)`, async () => {
    const { sb, calls } = spec.make();
    const codes = new Map<string, number>();
    let stillAuthentic = 0;
    await fc.assert(
      fc.asyncProperty(spec.valid, fc.constantFrom<Mutation>(...spec.mutations), fc.nat(), async (req, m, seed) => {
        const before = calls();
        const bad = mutate(req, spec, m, seed);
        const res = await sb.handle(toWebhookRequest(bad));
        if (authenticByPeer(spec, m, bad)) {
          // Judged as any signed request: served or refused for its payload, at most one hook run.
          stillAuthentic += 1;
          return res.status < 500 && JSON.parse(res.body || '{}').error?.code !== 'invalid_signature' && calls() - before <= 1;
        }
        const code = JSON.parse(res.body).error?.code as string;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        return res.status >= 400 && res.status < 500 && typeof code === 'string' && calls() === before;
      }),
      { numRuns: RUNS, ...SEED },
    );
    expect(calls()).toBeLessThanOrEqual(stillAuthentic);
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
      { numRuns: RUNS, ...SEED },
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
      if (authenticByPeer(spec, m, bad)) continue;
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

it('Twilio: a body change that keeps the signed string is authentic by twilio-node and served; a real change is not', async () => {
  // Found by the property above (seed 1464795477): `=` → `&` splits one pair into
  // two whose concatenation is the same, so the signature still holds.
  const { sb, calls } = twilioSpec.make();
  const params = { AccountSid: 'AC1', EventType: 'onConversationAdded', ConversationSid: 'CH00000000000010008000000000000000', FriendlyName: 'aaaaaaaaaaaa', State: 'active' };
  const signed = signTwilio({ url: 'https://hooks.example.com/webhooks/twilio/conversations', params, authToken: 'fuzz-token' });
  const form = String(signed.body);
  const sent = { method: 'POST', path: '/twilio/conversations', headers: signed.headers, body: Buffer.from(form) };
  const split = { ...sent, body: Buffer.from(form.replace('State=active', 'State&active')) };
  const changed = { ...sent, body: Buffer.from(form.replace('State=active', 'State=activf')) };
  expect(twilioSpec.authenticByPeer!(split)).toBe(true);
  expect(twilioSpec.authenticByPeer!(changed)).toBe(false);
  expect((await sb.handle(toWebhookRequest(split))).status).toBe(200);
  expect(calls()).toBe(1);
  const res = await sb.handle(toWebhookRequest(changed));
  expect([res.status, JSON.parse(res.body).error.code]).toEqual([401, 'invalid_signature']);
  expect(calls()).toBe(1);
});
