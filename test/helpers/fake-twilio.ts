import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { loadVectors } from './vectors.js';

// ===========================================================================
// A local stand-in for conversations.twilio.com, strict enough that a request
// it accepts is one the real API would accept in shape.
// ===========================================================================

export interface FakeTwilioOptions {
  /** Accepted HTTP Basic pairs: account SID + Auth Token, or API key SID + secret. */
  credentials: Array<{ username: string; password: string }>;
  /** Conversations that exist; `serviceSid` set means it lives outside the default service. */
  conversations: Array<{ sid: string; serviceSid?: string }>;
  /** Make error bodies echo the Authorization header, as some proxies do, to prove the client scrubs it. */
  echoAuthInErrors?: boolean;
}

export interface RecordedTwilioRequest {
  kind: 'message' | 'conversation';
  conversationSid: string;
  serviceSid?: string;
  headers: IncomingMessage['headers'];
  /** The decoded form, repeated keys kept. */
  form: URLSearchParams;
  /** Who authenticated (account SID or API key SID). */
  username: string;
}

export interface FakeTwilio {
  /** Use as rest.baseUrl. */
  readonly url: string;
  /** Accepted requests, in arrival order. */
  readonly requests: RecordedTwilioRequest[];
  /** Every request that reached a route, rejected ones included. */
  readonly attempts: number;
  failNext(n: number, status: number): void;
  /** Hold each successful answer this long (timeout and abort tests). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const MESSAGE_FIELDS = new Set(['Author', 'Body', 'Attributes', 'MediaSid', 'ContentSid', 'ContentVariables', 'Subject', 'DateCreated', 'DateUpdated']);
const CONVERSATION_FIELDS = new Set(['State', 'FriendlyName', 'UniqueName', 'Attributes', 'MessagingServiceSid', 'Timers.Inactive', 'Timers.Closed', 'DateCreated', 'DateUpdated']);
const ROUTE = /^\/v1(?:\/Services\/([^/]+))?\/Conversations\/([^/]+)(\/Messages)?$/;

export async function startFakeTwilio(opts: FakeTwilioOptions): Promise<FakeTwilio> {
  const allowed = new Map(opts.credentials.map((c) => [`Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`, c.username]));
  const conversations = new Map(opts.conversations.map((c) => [c.sid, { ...c, state: 'active', nextIndex: 0 }]));
  const requests: RecordedTwilioRequest[] = [];
  let attempts = 0;
  let failures = { left: 0, status: 500 };
  let delayMs = 0;
  const timers = new Set<NodeJS.Timeout>();

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // Twilio's REST error shape.
  const error = (req: IncomingMessage, res: ServerResponse, status: number, code: number, message: string): void =>
    json(res, status, {
      code,
      message: `${message}${opts.echoAuthInErrors ? ` (authorization: ${req.headers.authorization ?? ''})` : ''}`,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });
  const later = (fn: () => void): void => {
    if (delayMs <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, delayMs);
    timers.add(t);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const m = ROUTE.exec(path);
      if (req.method !== 'POST' || !m) return error(req, res, 404, 20404, `The requested resource ${path} was not found`);
      attempts++;
      if (failures.left > 0) {
        failures.left--;
        return error(req, res, failures.status, 20500, 'Injected failure');
      }
      const username = allowed.get(req.headers.authorization ?? '');
      if (username === undefined) return error(req, res, 401, 20003, 'Authenticate');
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return error(req, res, 400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
      }
      const serviceSid = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      const conversationSid = decodeURIComponent(m[2]!);
      const conversation = conversations.get(conversationSid);
      // The default-service path does not find conversations of another service, and vice versa.
      if (!conversation || conversation.serviceSid !== serviceSid) {
        return error(req, res, 404, 20404, `The requested resource /Conversations/${conversationSid} was not found`);
      }
      const form = new URLSearchParams(raw);
      const fields = m[3] ? MESSAGE_FIELDS : CONVERSATION_FIELDS;
      const unknown = [...new Set(form.keys())].filter((k) => !fields.has(k));
      if (unknown.length > 0) return error(req, res, 400, 20001, `Unknown parameter(s): ${unknown.join(', ')}`);
      for (const key of new Set(form.keys())) {
        if (form.getAll(key).length > 1) return error(req, res, 400, 20001, `Parameter ${key} given more than once`);
      }
      for (const key of ['Attributes', 'ContentVariables']) {
        const v = form.get(key);
        if (v === null) continue;
        try {
          JSON.parse(v);
        } catch {
          return error(req, res, 400, 50008, `${key} must be valid JSON`);
        }
      }
      const record = (): void => {
        requests.push({ kind: m[3] ? 'message' : 'conversation', conversationSid, ...(serviceSid ? { serviceSid } : {}), headers: req.headers, form, username });
      };
      const now = new Date().toISOString();

      if (m[3]) {
        const body = form.get('Body');
        if (body === null && form.get('MediaSid') === null && form.get('ContentSid') === null) {
          return error(req, res, 400, 50504, 'A message needs a Body, MediaSid or ContentSid');
        }
        if (body !== null && body.length > 1600) return error(req, res, 400, 50502, 'Body is longer than 1600 characters');
        if (conversation.state === 'closed') return error(req, res, 400, 50377, 'The conversation is closed');
        const index = conversation.nextIndex++;
        return later(() => {
          if (res.destroyed) return; // the client gave up
          record();
          json(res, 201, {
            account_sid: 'AC00000000000000000000000000000000',
            chat_service_sid: serviceSid ?? 'IS00000000000000000000000000000000',
            conversation_sid: conversationSid,
            sid: `IM${randomBytes(16).toString('hex')}`,
            index,
            author: form.get('Author') ?? 'system',
            body,
            media: null,
            attributes: form.get('Attributes') ?? '{}',
            participant_sid: null,
            date_created: now,
            date_updated: now,
            delivery: null,
            url: `https://conversations.twilio.com/v1/Conversations/${conversationSid}/Messages/IM`,
            links: {},
          });
        });
      }

      const state = form.get('State');
      if (state !== null && !['active', 'inactive', 'closed'].includes(state)) return error(req, res, 400, 20001, `Invalid State ${state}`);
      // closed is final.
      if (conversation.state === 'closed') return error(req, res, 400, 50377, 'The conversation is closed');
      if (state !== null) conversation.state = state;
      return later(() => {
        record();
        json(res, 200, { sid: conversationSid, state: conversation.state, friendly_name: form.get('FriendlyName'), date_updated: now });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get attempts() {
      return attempts;
    },
    failNext(n, status) {
      failures = { left: n, status };
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

// ===========================================================================
// Webhook-side fixtures shared by the Twilio tests. Signatures come from the
// official SDK (twilio@6.2.0), never from the code under test.
// ===========================================================================

/** The token of the shared Conversations vectors. */
export const VECTOR_TOKEN = '9f86d081884c7d659a2feaa0c55ad015';
export const PUBLIC_ORIGIN = 'https://hooks.example.com';

export type VectorParams = Record<string, string | string[] | null>;

export interface TwilioSignatureVector {
  id: string;
  kind?: string;
  contentType?: string;
  authToken?: string;
  url?: string;
  params?: VectorParams;
  body?: string;
  bodySHA256?: string;
  rawBody?: string;
  wrongHashMustFail?: string;
  signature?: string | null;
  expectedValid?: boolean;
  policyDependent?: boolean;
  derived?: { twilioNode_6_2_0_validate?: boolean; twilioNode_5_13_1_validate?: boolean; hmacInput?: string | null; exampleFormBody?: string };
}

export interface ReconstructedEvent {
  event: string;
  kind: 'pre-action' | 'post-action';
  variant?: string;
  params: Record<string, string>;
  rawBody: string;
  syntheticSignedRequest: {
    authToken: string;
    method: string;
    url: string;
    contentType: string;
    signature: string;
    negative: { signatureForWrongUrl: string };
  };
}

export interface CapturedEvent {
  event: string;
  kind: 'pre-action' | 'post-action';
  method: string;
  headersCaptured?: Record<string, string>;
  rawBody?: string;
  queryString?: string;
  url?: string;
  decoded: Record<string, string>;
  preActionResponseUsedBySource?: { status: number; body: Record<string, string> };
}

export interface TwilioVectorsFile {
  vectors: TwilioSignatureVector[];
  conversations: {
    captured: CapturedEvent[];
    reconstructed: ReconstructedEvent[];
    syntheticGetVariant: { event: string; authToken: string; url: string; signature: string };
    syntheticGroupMmsRepeatedKey: { event: string; authToken: string; url: string; rawBody: string; params: Record<string, string | string[]>; signature: string };
  };
}

export function twilioVectors(): TwilioVectorsFile {
  return loadVectors<TwilioVectorsFile>('twilio.json');
}

/** The SDK's params shape: repeated keys as arrays. */
export function formParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

/**
 * A form POST as Twilio sends it to `publicUrl` (the signed URL); the
 * signature is the official SDK's.
 */
export function sdkSignedForm(publicUrl: string, body: string, token = VECTOR_TOKEN, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'x-twilio-signature': getExpectedTwilioSignature(token, publicUrl, formParams(body)),
    ...extra,
  };
}

/** A GET webhook: every parameter in the query, the URL alone signed. */
export function sdkSignedGet(publicUrl: string, token = VECTOR_TOKEN, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-twilio-signature': getExpectedTwilioSignature(token, publicUrl, {}), ...extra };
}

/** A body as URL-encoded params, repeated keys kept. */
export function encodeForm(params: Record<string, string | readonly string[]>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of typeof v === 'string' ? [v] : v) form.append(k, x);
  return form.toString();
}

let seq = 0;
/** A fresh sid of the given prefix (`IM`, `CH`, …): 34 characters like Twilio's. */
export function sid(prefix: string): string {
  seq += 1;
  return `${prefix}${randomBytes(12).toString('hex')}${String(seq).padStart(8, '0')}`;
}

export interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends a request whose request line is `target` byte for byte. fetch()
 * would normalise it first (a raw `'` in the query becomes `%27`), which is
 * not what Twilio sends and not what it signed.
 */
export function sendRaw(baseUrl: string, method: string, target: string, headers: Record<string, string>, body: string | Buffer = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: target, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
