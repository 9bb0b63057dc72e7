// The one table every benchmark reads. A provider entry says how to configure
// it in createSwitchboard, which no-op hook to register, how a client signs a
// fresh request for it, and how the hand-rolled receiver checks it. Adding a
// provider to the benchmarks is adding one entry here.
//
// Signing here is an independent implementation of each documented scheme
// (not switchboard's own signer), so a benchmark run also cross-checks the
// verifier: every setup must answer a preflight request with 2xx first.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const MOUNT = '/webhooks';

// Demo secrets for the benchmark only.
const SINCH_SECRET = 'bench-sinch-conversation-secret';
const VOIPBIN_SECRET = 'bench-voipbin-webhook-secret-0001';
const GITHUB_SECRET = 'bench-github-webhook-secret';
const VOICE_KEY = '669E367E-6BBA-48AB-AF15-266871C28135';
const VOICE_SECRET_B64 = 'BeIukql3pTKJ8RGL5zo0DA==';
const VOICE_SECRET = Buffer.from(VOICE_SECRET_B64, 'base64');
const TWILIO_TOKEN = 'bench-twilio-auth-token-0123456789';
const TWILIO_PUBLIC_URL = 'https://hooks.example.com';

const TOLERANCE_SEC = 300;

/** A prefix unique to this process, so ids never repeat across processes or rounds. */
export const RUN_PREFIX = `${process.pid.toString(36)}${randomBytes(4).toString('hex')}`.toUpperCase();

/** Conversations and contacts are drawn from a pool; message/event ids are always fresh. */
let POOL = 10_000;
/** How many distinct conversations/contacts requests cycle through (memory.mjs uses one per event). */
export function setConversationPool(n) {
  POOL = n;
}

function equal(a, b) {
  return a.length === b.length && timingSafeEqual(a, b);
}

// toISOString is costly in a hot loop; cache the second and append the milliseconds.
let isoSec = -1;
let isoPrefix = '';
const iso = (ms) => {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSec) {
    isoSec = sec;
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  return `${isoPrefix}${String(ms - sec * 1000).padStart(3, '0')}Z`;
};

/**
 * @typedef {object} ProviderEntry
 * @property {string} id            createSwitchboard option key (and `sb[id]` router name); peers use their own id
 * @property {string[]} [keys]      option keys to try instead of `id`, in order (for a provider whose key is not settled)
 * @property {string} label         short name in the table
 * @property {boolean} [peer]       not a switchboard provider (only driven against a peer library)
 * @property {string} defaultPath   path below the mount point if the router does not say
 * @property {() => object} [options] the createSwitchboard option value
 * @property {string} [hook]        a no-op hook registered on the router (skipped if the router lacks it)
 * @property {(seq: number, nowMs: number, url: string) => { headers: Record<string,string>, body: string }} request
 *           one fresh, correctly signed request; `url` is the path the server sees
 * @property {'json'|'form'} parse  what the hand-rolled receiver parses
 * @property {(raw: Buffer, headers: Record<string,string|string[]|undefined>, url: string, nowMs: number) => boolean} [handVerify]
 *           the hand-rolled receiver's check
 */

/** @type {ProviderEntry[]} */
export const PROVIDERS = [
  {
    id: 'sinchConversation',
    label: 'sinch-conv',
    defaultPath: '/sinch/conversation',
    options: () => ({ secrets: [SINCH_SECRET] }),
    hook: 'onMessageInbound',
    parse: 'json',
    request(seq, nowMs) {
      const body = `{"app_id":"01EB37HMH1M6SV18ABNS3G135H","accepted_time":"${iso(nowMs - 1000)}","event_time":"${iso(nowMs - 2000)}","project_id":"c36f3d3d-1523-4edd-ae42-11995557ff61","message":{"id":"01BM${RUN_PREFIX}${seq.toString(36).toUpperCase().padStart(8, '0')}","direction":"TO_APP","contact_message":{"text_message":{"text":"Hi! Where is my order #${seq}?"}},"channel_identity":{"channel":"WHATSAPP","identity":"4673${String(seq % POOL).padStart(7, '0')}","app_id":""},"conversation_id":"01BCONV${String(seq % POOL).padStart(19, '0')}","contact_id":"01BCONT${String(seq % POOL).padStart(19, '0')}","metadata":"","accept_time":"${iso(nowMs - 1000)}"}}`;
      const nonce = `${RUN_PREFIX}${seq.toString(36).toUpperCase()}`;
      const timestamp = String(Math.floor(nowMs / 1000));
      const signature = createHmac('sha256', SINCH_SECRET).update(body).update(`.${nonce}.${timestamp}`).digest('base64');
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-sinch-webhook-signature': signature,
          'x-sinch-webhook-signature-nonce': nonce,
          'x-sinch-webhook-signature-timestamp': timestamp,
          'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
        },
      };
    },
    // The careful minimum: all three headers, the ±300 s window, HMAC over the raw bytes, constant-time compare.
    handVerify(raw, h, _url, nowMs) {
      const sig = h['x-sinch-webhook-signature'];
      const nonce = h['x-sinch-webhook-signature-nonce'];
      const ts = h['x-sinch-webhook-signature-timestamp'];
      if (typeof sig !== 'string' || typeof nonce !== 'string' || typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return false;
      if (Math.abs(nowMs / 1000 - Number(ts)) > TOLERANCE_SEC) return false;
      const expected = createHmac('sha256', SINCH_SECRET).update(raw).update(`.${nonce}.${ts}`).digest();
      return equal(Buffer.from(sig, 'base64'), expected);
    },
  },
  {
    id: 'voipbin',
    label: 'voipbin',
    defaultPath: '/voipbin',
    options: () => ({ secrets: [VOIPBIN_SECRET] }),
    hook: 'onConversationMessageCreated',
    parse: 'json',
    request(seq, nowMs) {
      const id = `${RUN_PREFIX}-${seq.toString(16).padStart(12, '0')}`.toLowerCase();
      const body = `{"type":"conversation_message_created","data":{"id":"${id}","customer_id":"5e4a0680-804e-11ec-8477-2fea5968d85b","conversation_id":"bconv-${seq % POOL}","direction":"incoming","status":"done","reference_type":"message","reference_id":"00000000-0000-0000-0000-000000000000","source":{"type":"tel","target":"+4673${String(seq % POOL).padStart(7, '0')}"},"destination":{"type":"tel","target":"+15551230002"},"text":"Hi! Where is my order #${seq}?","tm_create":"${iso(nowMs)}","tm_update":null,"tm_delete":null}}`;
      const signature = `sha256=${createHmac('sha256', VOIPBIN_SECRET).update(body).digest('hex')}`;
      return { body, headers: { 'content-type': 'application/json', 'x-voipbin-signature': signature } };
    },
    handVerify(raw, h) {
      const sig = h['x-voipbin-signature'];
      if (typeof sig !== 'string' || !sig.startsWith('sha256=')) return false;
      const expected = createHmac('sha256', VOIPBIN_SECRET).update(raw).digest();
      return equal(Buffer.from(sig.slice(7), 'hex'), expected);
    },
  },
  // Sinch Voice and Twilio are being added to createSwitchboard by others. These
  // entries follow the documented schemes and the option shapes of
  // /work/shared/design.md; run.mjs only uses them when createSwitchboard
  // accepts the option, and a setup that fails its preflight is reported as
  // skipped rather than measured.
  {
    id: 'sinchVoice',
    label: 'sinch-voice',
    defaultPath: '/sinch/voice',
    options: () => ({ applications: [{ key: VOICE_KEY, secret: VOICE_SECRET_B64 }] }),
    hook: 'onDice',
    parse: 'json',
    request(seq, nowMs, url) {
      const body = `{"event":"dice","callid":"${RUN_PREFIX}-${seq.toString(36)}_257","timestamp":"${iso(nowMs).replace(/\.\d+Z$/, 'Z')}","reason":"CALLERHANGUP","result":"ANSWERED","version":1,"debit":{"currencyId":"EUR","amount":0.1758},"userRate":{"currencyId":"EUR","amount":0.1758},"to":{"type":"number","endpoint":"+15551230002"},"applicationKey":"${VOICE_KEY}","duration":16,"from":"+4673${String(seq % POOL).padStart(7, '0')}"}`;
      const contentType = 'application/json; charset=utf-8';
      const timestamp = iso(nowMs);
      const md5 = createHash('md5').update(body).digest('base64');
      const path = url.split('?')[0];
      const sig = createHmac('sha256', VOICE_SECRET).update(`POST\n${md5}\n${contentType}\nx-timestamp:${timestamp}\n${path}`).digest('base64');
      return { body, headers: { 'content-type': contentType, 'x-timestamp': timestamp, authorization: `application ${VOICE_KEY}:${sig}` } };
    },
    handVerify(raw, h, url, nowMs) {
      const auth = h['authorization'];
      const ts = h['x-timestamp'];
      const ct = h['content-type'] ?? '';
      if (typeof auth !== 'string' || typeof ts !== 'string') return false;
      const at = Date.parse(ts);
      if (!Number.isFinite(at) || Math.abs(nowMs - at) > TOLERANCE_SEC * 1000) return false;
      const m = /^application ([^:]+):(.+)$/i.exec(auth);
      if (!m || m[1] !== VOICE_KEY) return false;
      const md5 = raw.length ? createHash('md5').update(raw).digest('base64') : '';
      const expected = createHmac('sha256', VOICE_SECRET).update(`POST\n${md5}\n${ct}\nx-timestamp:${ts}\n${url.split('?')[0]}`).digest();
      return equal(Buffer.from(m[2], 'base64'), expected);
    },
  },
  {
    id: 'twilio',
    // The option may land as `twilio` (design.md) or `twilioConversations`; the first one createSwitchboard accepts is used.
    keys: ['twilio', 'twilioConversations'],
    label: 'twilio',
    defaultPath: '/twilio/conversations',
    options: () => ({ authTokens: [TWILIO_TOKEN], publicUrl: TWILIO_PUBLIC_URL }),
    hook: 'onMessageAdded',
    parse: 'form',
    request(seq, nowMs, url) {
      const params = {
        AccountSid: 'AC9af2bench0000000000000000000000',
        EventType: 'onMessageAdded',
        Source: 'SMS',
        RetryCount: '0',
        ChatServiceSid: 'IS5c86b7d0d6e44133acb09734274f94f6',
        ConversationSid: `CH${String(seq % POOL).padStart(32, '0')}`,
        MessageSid: `IM${RUN_PREFIX.toLowerCase()}${seq.toString(16).padStart(32 - RUN_PREFIX.length, '0')}`,
        MessagingServiceSid: 'MG2172dd2db502e20dd981ef0d67850e1a',
        Index: String(seq),
        DateCreated: iso(nowMs),
        Body: `Hi! Where is my order #${seq}?`,
        Author: `+4673${String(seq % POOL).padStart(7, '0')}`,
        ParticipantSid: 'MBc58b06998c564765bbff41cfd3a03219',
        Attributes: '{}',
      };
      const body = new URLSearchParams(params).toString();
      let data = `${TWILIO_PUBLIC_URL}${url}`;
      for (const key of Object.keys(params).sort()) data += key + params[key];
      const signature = createHmac('sha1', TWILIO_TOKEN).update(data, 'utf8').digest('base64');
      return {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': `${RUN_PREFIX}-${seq}`,
        },
      };
    },
    handVerify(raw, h, url) {
      const sig = h['x-twilio-signature'];
      if (typeof sig !== 'string') return false;
      const params = new URLSearchParams(raw.toString('utf8'));
      const keys = [...new Set(params.keys())].sort();
      let data = `${TWILIO_PUBLIC_URL}${url}`;
      for (const key of keys) for (const v of params.getAll(key).sort()) data += key + v;
      return equal(Buffer.from(sig, 'base64'), createHmac('sha1', TWILIO_TOKEN).update(data, 'utf8').digest());
    },
  },
  // The peer: GitHub's scheme as @octokit/webhooks verifies it (the same scheme as VoIPBIN).
  {
    id: 'github',
    label: 'github',
    peer: true,
    defaultPath: '/github',
    parse: 'json',
    request(seq, nowMs) {
      const body = `{"action":"opened","issue":{"id":${1_000_000_000 + seq},"number":${seq},"title":"Where is my order #${seq}?","state":"open","body":"Hi!","user":{"login":"user${seq % POOL}","id":${seq % POOL}},"created_at":"${iso(nowMs)}"},"repository":{"id":1296269,"name":"switchboard","full_name":"bench/switchboard","owner":{"login":"bench","id":1}},"sender":{"login":"user${seq % POOL}","id":${seq % POOL}},"installation":{"id":${seq % POOL}}}`;
      const signature = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issues',
          'x-github-delivery': `${RUN_PREFIX}-${seq}`,
          'x-hub-signature-256': signature,
        },
      };
    },
  },
];

export const GITHUB = { secret: GITHUB_SECRET };

/** The benchmark's demo credentials, for the verifier micro-benchmark. */
export const SECRETS = {
  sinchConversation: SINCH_SECRET,
  voipbin: VOIPBIN_SECRET,
  github: GITHUB_SECRET,
  sinchVoice: { key: VOICE_KEY, secret: VOICE_SECRET_B64 },
  twilio: { authToken: TWILIO_TOKEN, publicUrl: TWILIO_PUBLIC_URL },
};

export function providerById(id) {
  const p = PROVIDERS.find((e) => e.id === id);
  if (!p) throw new Error(`bench: unknown provider ${id}`);
  return p;
}

/** Parses what the hand-rolled receiver parses; throws on a malformed body. */
export function handParse(entry, raw) {
  if (entry.parse === 'form') return new URLSearchParams(raw.toString('utf8'));
  return JSON.parse(raw.toString('utf8'));
}
