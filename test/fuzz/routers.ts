import fc from 'fast-check';
import { createSwitchboard, type Switchboard, type WebhookRequest } from '../../src/index.js';
import { signSinchConversation, signSinchVoice, signTwilio, signVoipbin } from '../../src/testing/index.js';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';

export const FUZZ_NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

/** A request as sent: the path below the mount, headers, raw bytes. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** One single change to a validly signed request; each must make it inauthentic or unroutable. */
export type Mutation = 'body-byte' | 'signature' | 'timestamp' | 'nonce' | 'content-type' | 'path';

export interface RouterSpec {
  name: string;
  /** A fresh switchboard whose every hook counts into `calls`. */
  make(): { sb: Switchboard; calls: () => number };
  /** Arbitrary valid, signed requests (each unique, so dedupe never answers for them). */
  valid: fc.Arbitrary<RawRequest>;
  /** The mutations that apply to this provider's scheme. */
  mutations: Mutation[];
  /** Header names carrying each signed part. */
  headerOf: Partial<Record<Mutation, string>>;
  /**
   * For a scheme whose signed string is not one-to-one with the bytes sent: the
   * provider's own SDK says whether a changed body is still authentic. Such a
   * request is no forgery, so the router must not call it one.
   */
  authenticByPeer?: (r: RawRequest) => boolean;
}

export function toWebhookRequest(r: RawRequest, receivedAt = FUZZ_NOW): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  headers['content-length'] = String(r.body.length);
  return { method: r.method, url: `/webhooks${r.path}`, routePath: r.path, headers, rawBody: r.body, receivedAt };
}

const text = fc.string({ unit: 'grapheme', maxLength: 60 });
const id = fc.uuid();
const channel = fc.constantFrom('WHATSAPP', 'SMS', 'MESSENGER', 'RCS', 'VIBERBM', 'TELEGRAM', 'INSTAGRAM', 'SOMETHING_NEW');
const phone = fc.integer({ min: 10_000_000, max: 999_999_999 }).map((n) => `46${n}`);

const sinchBody = fc.record({ id, conv: id, text, channel, identity: phone, nonce: fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), minLength: 8, maxLength: 26 }), skew: fc.integer({ min: -300, max: 300 }) });

export const sinchConversationSpec: RouterSpec = {
  name: 'sinch-conversation',
  make() {
    let n = 0;
    const sb = createSwitchboard({ clock: () => FUZZ_NOW, sinchConversation: { secrets: ['fuzz-secret'] } });
    sb.sinchConversation.onMessageInbound(() => {
      n += 1;
    });
    sb.sinchConversation.onUnknown(() => {
      n += 1;
    });
    return { sb, calls: () => n };
  },
  valid: sinchBody.map((v) => {
    const body = JSON.stringify({
      app_id: 'APP', project_id: 'P', accepted_time: '2026-11-22T12:00:00Z',
      message: { id: v.id, direction: 'TO_APP', contact_message: { text_message: { text: v.text } }, channel_identity: { channel: v.channel, identity: v.identity, app_id: '' }, conversation_id: v.conv, contact_id: 'C', metadata: '' },
    });
    const headers = signSinchConversation({ body, secret: 'fuzz-secret', nonce: v.nonce, timestamp: FUZZ_NOW / 1000 + v.skew });
    return { method: 'POST', path: '/sinch/conversation', headers, body: Buffer.from(body) };
  }),
  mutations: ['body-byte', 'signature', 'timestamp', 'nonce', 'content-type', 'path'],
  headerOf: {
    signature: 'x-sinch-webhook-signature',
    timestamp: 'x-sinch-webhook-signature-timestamp',
    nonce: 'x-sinch-webhook-signature-nonce',
  },
};

export const voipbinSpec: RouterSpec = {
  name: 'voipbin',
  make() {
    let n = 0;
    const sb = createSwitchboard({ clock: () => FUZZ_NOW, voipbin: { secrets: ['fuzz-secret'] } });
    for (const hook of ['onConversationMessageCreated', 'onConversationCreated', 'onUnknown'] as const) {
      sb.voipbin[hook](() => {
        n += 1;
      });
    }
    return { sb, calls: () => n };
  },
  valid: fc.record({ id, conv: id, text, phone, kind: fc.constantFrom('message', 'conversation', 'other') }).map((v) => {
    const body =
      v.kind === 'message'
        ? JSON.stringify({ type: 'conversation_message_created', data: { id: v.id, conversation_id: v.conv, direction: 'incoming', status: 'done', source: { type: 'tel', target: `+${v.phone}` }, destination: { type: 'tel', target: '+15551230002' }, text: v.text, tm_create: '2026-11-22T11:00:00Z', tm_update: null, tm_delete: null } })
        : v.kind === 'conversation'
          ? JSON.stringify({ type: 'conversation_created', data: { id: v.conv, type: 'message', peer: { type: 'tel', target: `+${v.phone}` }, self: {}, tm_create: '2022-06-23 05:05:40.950834', tm_update: null, tm_delete: null } })
          : JSON.stringify({ type: 'call_updated', data: { id: v.id, text: v.text } });
    return { method: 'POST', path: '/voipbin', headers: signVoipbin({ body, secret: 'fuzz-secret' }), body: Buffer.from(body) };
  }),
  mutations: ['body-byte', 'signature', 'content-type', 'path'],
  headerOf: { signature: 'x-voipbin-signature' },
};

const VOICE_SECRET = Buffer.from('fuzz-voice-secret').toString('base64');

export const sinchVoiceSpec: RouterSpec = {
  name: 'sinch-voice',
  make() {
    let n = 0;
    const sb = createSwitchboard({ clock: () => FUZZ_NOW, sinchVoice: { applications: [{ key: 'fuzz-key', secret: VOICE_SECRET }] } });
    for (const hook of ['onIce', 'onAce', 'onDice', 'onUnknown'] as const) {
      (sb.sinchVoice[hook] as (h: () => void) => void)(() => {
        n += 1;
      });
    }
    return { sb, calls: () => n };
  },
  valid: fc.record({ id, event: fc.constantFrom('ice', 'ace', 'dice'), phone, skew: fc.integer({ min: -300_000, max: 300_000 }) }).map((v) => {
    const body = JSON.stringify({ event: v.event, callid: v.id, timestamp: '2026-11-22T12:00:00Z', version: 1, cli: v.phone, to: { type: 'number', endpoint: '+15551000003' }, domain: 'pstn', applicationKey: 'fuzz-key' });
    const headers = signSinchVoice({ path: '/webhooks/sinch/voice', body, key: 'fuzz-key', secret: VOICE_SECRET, timestamp: FUZZ_NOW + v.skew });
    return { method: 'POST', path: '/sinch/voice', headers, body: Buffer.from(body) };
  }),
  // The content type and path are signed too: a changed one is an invalid signature.
  mutations: ['body-byte', 'signature', 'timestamp', 'content-type', 'path'],
  headerOf: { signature: 'authorization', timestamp: 'x-timestamp' },
};

/** Letters and digits only, so a flipped body byte can never become an equivalent percent-escape. */
const formText = fc.string({ unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 40 });

export const twilioSpec: RouterSpec = {
  name: 'twilio-conversations',
  make() {
    let n = 0;
    const sb = createSwitchboard({ clock: () => FUZZ_NOW, twilio: { authTokens: ['fuzz-token'], publicUrl: 'https://hooks.example.com' } });
    for (const hook of ['onMessageAdded', 'onConversationAdded', 'onUnknown'] as const) {
      (sb.twilio[hook] as (h: () => void) => void)(() => {
        n += 1;
      });
    }
    return { sb, calls: () => n };
  },
  valid: fc.record({ sid: fc.uuid(), body: formText, author: phone, kind: fc.constantFrom('onMessageAdded', 'onConversationAdded') }).map((v) => {
    const sid = v.sid.replace(/-/g, '');
    const params: Record<string, string> = v.kind === 'onMessageAdded'
      ? { AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: `CH${sid}`, MessageSid: `IM${sid}`, Index: '0', Author: v.author, Body: v.body, Source: 'SMS' }
      : { AccountSid: 'AC1', EventType: 'onConversationAdded', ConversationSid: `CH${sid}`, FriendlyName: v.body, State: 'active' };
    const signed = signTwilio({ url: 'https://hooks.example.com/webhooks/twilio/conversations', params, authToken: 'fuzz-token' });
    return { method: 'POST', path: '/twilio/conversations', headers: signed.headers, body: Buffer.from(signed.body!) };
  }),
  mutations: ['body-byte', 'signature', 'content-type', 'path'],
  headerOf: { signature: 'x-twilio-signature' },
  // Twilio signs the sorted `key + value` pairs joined with nothing between
  // them, so `State=active` → `State&active` (two keys, "State" and "active",
  // both empty) signs the same string. twilio-node accepts it, and so must we.
  authenticByPeer(r) {
    // A null prototype keeps a `__proto__` key as data, as the router does.
    const params: Record<string, string | string[]> = Object.create(null);
    for (const [k, v] of new URLSearchParams(r.body.toString('utf8'))) {
      const had = params[k];
      params[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
    return validateRequest('fuzz-token', r.headers['x-twilio-signature'] ?? '', `https://hooks.example.com/webhooks${r.path}`, params);
  },
};

/** Applies one mutation; `seed` picks the position and the replacement deterministically. */
export function mutate(r: RawRequest, spec: RouterSpec, m: Mutation, seed: number): RawRequest {
  const out: RawRequest = { ...r, headers: { ...r.headers }, body: Buffer.from(r.body) };
  // A different character, also when compared without case: header values such
  // as media types and hex digests are case-insensitive, so A→a is no mutation.
  const flipChar = (s: string, alphabet = 'ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz0123456789'): string => {
    const i = seed % s.length;
    const c = s[i]!.toLowerCase();
    let k = (seed >>> 8) % alphabet.length;
    while (alphabet[k]!.toLowerCase() === c) k = (k + 1) % alphabet.length;
    return s.slice(0, i) + alphabet[k]! + s.slice(i + 1);
  };
  switch (m) {
    case 'body-byte': {
      const i = seed % out.body.length;
      out.body[i] = out.body[i]! ^ (1 + ((seed >>> 8) % 255));
      break;
    }
    case 'content-type': {
      // Only the media type: parameters such as `; charset=utf-8` do not change what is accepted.
      const [type, ...params] = (out.headers['content-type'] ?? 'application/json').split(';');
      out.headers['content-type'] = [flipChar(type!, '0123456789'), ...params].join(';');
      break;
    }
    case 'path': {
      // Any character of the path but the leading slash.
      const p = out.path.slice(1);
      out.path = `/${flipChar(p)}`;
      break;
    }
    default: {
      const name = spec.headerOf[m]!;
      out.headers[name] = m === 'timestamp' ? String(Number(out.headers[name]) + 1 + (seed % 1000)) : flipChar(out.headers[name]!);
    }
  }
  return out;
}
