// Micro-benchmark of signature verification alone (no HTTP, no parsing):
// switchboard's verifiers beside the peers' and the hand-rolled checks, in one
// run, fixed iteration counts, bounded time. Each verifier is first checked to
// accept a valid request and refuse a tampered one; one that does not (e.g. an
// export whose input shape changed) is reported as skipped, not timed.
//
//   node bench/verifiers.mjs [--iterations 50000] [--repeats 5] [--max-sec 10]
// For steadier numbers pin it: taskset -c 0 node bench/verifiers.mjs

import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { args } from './lib/serve.mjs';
import { MOUNT, SECRETS, providerById } from './lib/providers.mjs';
import { ROOT, DIST_ENTRY, ensureBuilt } from './lib/build.mjs';
import { cpuTimes, foreignPct, procJiffies } from './lib/cpu.mjs';

const flags = args();
const ITER = Number(flags.iterations ?? 50_000);
const REPEATS = Number(flags.repeats ?? 5);
const MAX_SEC = Number(flags['max-sec'] ?? 10);
const DISTINCT = 1_000; // inputs cycled through, so no single input is hot

ensureBuilt({ build: flags['no-build'] !== true });
const sb = await import(pathToFileURL(DIST_ENTRY).href);
const { default: twilio } = await import('twilio');
const octokit = await import('@octokit/webhooks-methods');

const now = Date.now();
/** DISTINCT signed requests of one provider: { raw: Buffer, body: string, headers, path }. */
function inputs(providerId, routePath) {
  const entry = providerById(providerId);
  const path = MOUNT + routePath;
  return Array.from({ length: DISTINCT }, (_, i) => {
    const { headers, body } = entry.request(i + 1, now, path);
    return { raw: Buffer.from(body), body, headers, path };
  });
}
const tamper = (x) => ({ ...x, raw: Buffer.concat([x.raw, Buffer.from(' ')]), body: `${x.body} ` });
const formParams = (body) => Object.fromEntries(new URLSearchParams(body));

/** A case: `run(input)` returns truthy / undefined when accepted, and returns false or throws when refused. */
const cases = [];
const add = (name, group, data, run, { async = false } = {}) => cases.push({ name, group, data, run, async });

const sinchIn = inputs('sinchConversation', '/sinch/conversation');
if (typeof sb.verifySinchConversation === 'function') {
  add('switchboard verifySinchConversation', 'Sinch Conversation (HMAC-SHA256 b64, body.nonce.ts, ±300 s)', sinchIn, (x) =>
    sb.verifySinchConversation({ rawBody: x.raw, headers: x.headers, secrets: [SECRETS.sinchConversation], now: Date.now() }));
}
add('hand-rolled Sinch check (bench/lib/providers.mjs)', 'Sinch Conversation (HMAC-SHA256 b64, body.nonce.ts, ±300 s)', sinchIn, (x) =>
  providerById('sinchConversation').handVerify(x.raw, x.headers, x.path, Date.now()));

const vbIn = inputs('voipbin', '/voipbin');
if (typeof sb.verifyVoipbin === 'function') {
  add('switchboard verifyVoipbin', 'GitHub scheme (sha256=hex HMAC of the body)', vbIn, (x) => sb.verifyVoipbin({ rawBody: x.raw, headers: x.headers, secrets: [SECRETS.voipbin] }));
}
add('hand-rolled VoIPBIN check', 'GitHub scheme (sha256=hex HMAC of the body)', vbIn, (x) => providerById('voipbin').handVerify(x.raw, x.headers, x.path, Date.now()));
const ghIn = inputs('github', '/github');
add('@octokit/webhooks-methods verify', 'GitHub scheme (sha256=hex HMAC of the body)', ghIn, (x) => octokit.verify(SECRETS.github, x.body, x.headers['x-hub-signature-256']), { async: true });

const voiceIn = inputs('sinchVoice', '/sinch/voice');
if (typeof sb.verifySinchVoice === 'function') {
  add('switchboard verifySinchVoice', 'Sinch Voice (application-signed, MD5 + HMAC-SHA256)', voiceIn, (x) =>
    sb.verifySinchVoice({ method: 'POST', path: x.path, headers: x.headers, rawBody: x.raw, applications: [SECRETS.sinchVoice], now: Date.now() }));
}
add('hand-rolled Sinch Voice check', 'Sinch Voice (application-signed, MD5 + HMAC-SHA256)', voiceIn, (x) => providerById('sinchVoice').handVerify(x.raw, x.headers, x.path, Date.now()));

const twIn = inputs('twilio', '/twilio/conversations').map((x) => ({ ...x, params: formParams(x.body), url: `${SECRETS.twilio.publicUrl}${x.path}` }));
const twTamper = (x) => ({ ...x, params: { ...x.params, Body: `${x.params.Body} ` }, raw: Buffer.from(`${x.body}+`) });
const twilioVerifier = sb.verifyTwilioSignature ?? sb.verifyTwilio;
if (typeof twilioVerifier === 'function') {
  add(`switchboard ${twilioVerifier.name}`, 'Twilio (HMAC-SHA1 of URL + sorted params)', twIn, (x) =>
    twilioVerifier({ authTokens: [SECRETS.twilio.authToken], signature: x.headers['x-twilio-signature'], urls: [x.url], params: x.params }), { tamper: twTamper });
}
add('twilio.validateRequest (twilio@6)', 'Twilio (HMAC-SHA1 of URL + sorted params)', twIn, (x) => twilio.validateRequest(SECRETS.twilio.authToken, x.headers['x-twilio-signature'], x.url, x.params));
add('hand-rolled Twilio check', 'Twilio (HMAC-SHA1 of URL + sorted params)', twIn, (x) => providerById('twilio').handVerify(x.raw, x.headers, x.path, Date.now()));
for (const c of cases) if (c.group.startsWith('Twilio')) c.tamper = twTamper;

async function accepts(c, x) {
  try {
    const r = c.run(x);
    const v = c.async ? await r : r;
    return v !== false;
  } catch {
    return false;
  }
}

async function time(c) {
  const { data, run } = c;
  const n = data.length;
  const t0 = process.hrtime.bigint();
  let i = 0;
  const deadline = t0 + BigInt(MAX_SEC * 1e9);
  if (c.async) {
    for (; i < ITER; i++) {
      if (!(await run(data[i % n]))) throw new Error('refused a valid request');
      if ((i & 1023) === 0 && process.hrtime.bigint() > deadline) break;
    }
  } else {
    for (; i < ITER; i++) {
      if (run(data[i % n]) === false) throw new Error('refused a valid request');
      if ((i & 1023) === 0 && process.hrtime.bigint() > deadline) break;
    }
  }
  return { ops: (i * 1e9) / Number(process.hrtime.bigint() - t0), iterations: i };
}

const results = [];
const sys0 = cpuTimes();
const self0 = procJiffies(process.pid);
for (const c of cases) {
  const tamper_ = c.tamper ?? tamper;
  const ok = (await accepts(c, c.data[0])) && !(await accepts(c, tamper_(c.data[0])));
  if (!ok) {
    results.push({ name: c.name, group: c.group, skipped: 'did not accept a valid request and refuse a tampered one with the inputs given (API shape changed?)' });
    continue;
  }
  // Warm-up, then REPEATS timed passes of ITER calls; the median pass is reported.
  await time({ ...c, data: c.data });
  const passes = [];
  for (let r = 0; r < REPEATS; r++) passes.push(await time(c));
  const sorted = passes.map((p) => p.ops).sort((a, b) => a - b);
  results.push({ name: c.name, group: c.group, opsPerSec: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), iterations: passes.map((p) => p.iterations) });
}
const sys1 = cpuTimes();
const foreign = foreignPct(sys0, sys1, 'all', (procJiffies(process.pid) ?? 0) - (self0 ?? 0));

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const lines = [`verifier micro-benchmark — node ${process.version}; ${ITER.toLocaleString('en-US')} calls × ${REPEATS} passes each (median pass shown, ≤ ${MAX_SEC} s per pass), ${DISTINCT} distinct signed inputs cycled`, ''];
let group = '';
for (const r of results) {
  if (r.group !== group) {
    group = r.group;
    lines.push(group);
  }
  lines.push(r.skipped ? `  ${r.name.padEnd(52)} skipped: ${r.skipped}` : `  ${r.name.padEnd(52)} ${fmt(r.opsPerSec).padStart(9)} ops/s  (${(1e6 / r.opsPerSec).toFixed(2)} µs/op; passes ${fmt(r.min)}–${fmt(r.max)})`);
}
if (foreign !== undefined) lines.push('', `other processes used ${foreign.toFixed(0)}% of the machine's CPU meanwhile${foreign > 15 ? ' — numbers are disturbed; compare rows within this run only' : ''}`);
console.log(lines.join('\n'));
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'verifiers.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, iterations: ITER, repeats: REPEATS, foreignCpuPct: foreign, results }, null, 2)}\n`);
