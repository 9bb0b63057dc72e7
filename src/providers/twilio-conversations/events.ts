import { SwitchboardError } from '../../core/errors.js';
import { sha256Hex } from '../../core/crypto.js';
import { setOwn } from '../../core/own.js';
import { mediaType } from '../../core/engine.js';
import { headerValue, type WebhookRequest } from '../../core/types.js';
import {
  twilioConversationsEvents,
  type TwilioConversationsEventMap, type TwilioConversationsEventType, type TwilioMedia,
} from '../../../schemas/twilio-conversations/index.js';
import type { ProviderEvent } from '../provider.js';

export const PROVIDER_ID = 'twilio-conversations';
export const IDEMPOTENCY_HEADER = 'i-twilio-idempotency-token';

type Row = (typeof twilioConversationsEvents)[number];
export type TwilioEventKind = Row['kind'];

export type KnownTwilioConversationsEvent = {
  [T in TwilioConversationsEventType]: ProviderEvent<T, TwilioConversationsEventMap[T]> & {
    unknown?: false;
    kind: Extract<Row, { type: T }>['kind'];
    /** `I-Twilio-Idempotency-Token`, when sent and well formed. */
    idempotencyToken?: string;
  };
}[TwilioConversationsEventType];

/** An event type we do not know (a new Twilio event, or a legacy Chat name); answered `200 {}`. */
export type UnknownTwilioConversationsEvent = ProviderEvent<string, Record<string, unknown>> & {
  unknown: true;
  kind: 'unknown';
  idempotencyToken?: string;
};

export type TwilioConversationsEvent = KnownTwilioConversationsEvent | UnknownTwilioConversationsEvent;

const BY_TYPE = new Map<string, Row>(twilioConversationsEvents.map((row) => [row.type, row]));

export function eventRow(type: string): Row | undefined {
  return BY_TYPE.get(type);
}

/**
 * Decodes `application/x-www-form-urlencoded` text the way Twilio encodes it
 * (`+` is a space, `%2B` a plus, UTF-8). No bracket or dot nesting: a key is
 * a key. A key sent more than once becomes an array of its values in order.
 */
export function decodeForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    if (seen === undefined) setOwn(out, key, value);
    else if (typeof seen === 'string') setOwn(out, key, [seen, value]);
    else seen.push(value);
  }
  return out;
}

/**
 * The decoded form body of a POST, decoded once per request: verification
 * decodes it to rebuild the signed string and leaves it here; parsing takes it
 * (and removes it, since parsing adds fields the signature did not cover).
 */
const decodedBodies = new WeakMap<WebhookRequest, Record<string, string | string[]>>();

export function formBodyOf(req: WebhookRequest): Record<string, string | string[]> {
  let params = decodedBodies.get(req);
  if (params === undefined) {
    params = decodeForm(req.rawBody.toString('utf8'));
    decodedBodies.set(req, params);
  }
  return params;
}

function takeFormBody(req: WebhookRequest): Record<string, string | string[]> {
  const params = formBodyOf(req);
  decodedBodies.delete(req);
  return params;
}

/** The raw query string of a request target (no `?`, no fragment). */
export function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return '';
  const hash = target.indexOf('#', q);
  return target.slice(q + 1, hash === -1 ? undefined : hash);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Attributes` as an object; anything else (absent, empty, invalid, not an object) is undefined. */
export function parseAttributes(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a key whatever its casing or separators: `ContentType`, `content_type` and `contentType` are one. */
function pick(o: Record<string, unknown>, names: readonly string[]): unknown {
  for (const [k, v] of Object.entries(o)) {
    if (names.includes(k.toLowerCase().replace(/[_-]/g, ''))) return v;
  }
  return undefined;
}

function pickString(o: Record<string, unknown>, names: readonly string[]): string | undefined {
  const v = pick(o, names);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `Media` leniently: an array (or a single object) of media items in any known key casing. */
export function parseMedia(raw: unknown): TwilioMedia[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.filter(isRecord).map((item) => {
    const size = pick(item, ['size']);
    const bytes = typeof size === 'number' ? size : typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : undefined;
    const media: TwilioMedia = { raw: item };
    const sid = pickString(item, ['sid', 'mediasid']);
    const filename = pickString(item, ['filename']);
    const contentType = pickString(item, ['contenttype']);
    const category = pickString(item, ['category']);
    const url = pickString(item, ['url']);
    if (sid) media.sid = sid;
    if (filename) media.filename = filename;
    if (contentType) media.contentType = contentType;
    if (bytes !== undefined && Number.isFinite(bytes)) media.size = bytes;
    if (category) media.category = category;
    if (url) media.url = url;
    return media;
  });
}

function requestParams(req: WebhookRequest): Record<string, unknown> {
  if (req.method.toUpperCase() === 'GET') return decodeForm(queryOf(req.url));
  if (mediaType(headerValue(req.headers, 'content-type')) === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch (err) {
      throw new SwitchboardError('malformed_payload', `The body is not valid JSON (${(err as Error).message}); a JSON webhook must be a JSON object.`);
    }
    if (!isRecord(body)) throw new SwitchboardError('malformed_payload', 'The body is JSON but not an object; a JSON webhook must be a JSON object.');
    return body;
  }
  return takeFormBody(req);
}

/** A token we can key on: Twilio sends a UUID; anything huge or binary is ignored. */
function idempotencyToken(req: WebhookRequest): string | undefined {
  const token = headerValue(req.headers, IDEMPOTENCY_HEADER)?.trim();
  return token && /^[\x21-\x7e]{1,128}$/.test(token) ? token : undefined;
}

/**
 * GET webhooks carry their parameters in the query, POST ones in a form (or,
 * from Studio-like senders, JSON) body. `EventType` picks the event; the
 * parsed `attributes` and `media` are added where the event has those fields.
 */
export function parseTwilioConversations(req: WebhookRequest): TwilioConversationsEvent {
  const params = requestParams(req);
  const token = idempotencyToken(req);
  const extra = token ? { idempotencyToken: token } : {};
  const type = typeof params['EventType'] === 'string' ? params['EventType'] : '';
  const row = BY_TYPE.get(type);
  if (!row) return { type: type || 'UNKNOWN', payload: params, unknown: true, kind: 'unknown', ...extra };

  const properties = row.schema.properties as Record<string, unknown>;
  if ('Attributes' in properties) {
    const attributes = parseAttributes(params['Attributes']);
    if (attributes) setOwn(params, 'attributes', attributes);
  }
  if ('Media' in properties) setOwn(params, 'media', parseMedia(params['Media']));
  return { type: row.type, kind: row.kind, payload: params, ...extra } as KnownTwilioConversationsEvent;
}

/** What identifies a post-action event across Twilio's deliveries when no idempotency token came. */
function identity(event: KnownTwilioConversationsEvent): string | undefined {
  const p = event.payload as Record<string, unknown>;
  const s = (key: string): string => (typeof p[key] === 'string' ? (p[key] as string) : '');
  const join = (...keys: string[]): string | undefined => (s(keys[0]!) ? keys.map(s).join(':') : undefined);
  switch (event.type) {
    case 'onMessageAdded':
    case 'onMessageRemoved':
      return join('MessageSid');
    case 'onMessageUpdated':
      // A message can be edited many times; each edit is its own event.
      return join('MessageSid', 'DateUpdated');
    case 'onConversationAdded':
    case 'onConversationRemoved':
      return join('ConversationSid');
    case 'onConversationUpdated':
      return join('ConversationSid', 'DateUpdated');
    case 'onConversationStateUpdated':
      return join('ConversationSid', 'StateTo', 'StateUpdated');
    case 'onParticipantAdded':
    case 'onParticipantRemoved':
      return join('ParticipantSid');
    case 'onParticipantUpdated':
      return join('ParticipantSid', 'DateUpdated', 'LastReadMessageIndex');
    case 'onDeliveryUpdated':
      // One receipt per participant moves through several statuses.
      return join('DeliveryReceiptSid', 'Status') ?? join('MessageSid', 'ParticipantSid', 'Status');
    case 'onUserAdded':
      return join('UserSid');
    case 'onUserUpdated':
      return join('UserSid', 'DateUpdated');
    default:
      // Pre-action events describe a proposed change and carry no id of their own.
      return undefined;
  }
}

/**
 * Every parameter but `RetryCount`, which Twilio bumps on a retry of the
 * same event; so a retry without a token still hashes the same.
 */
function paramsDigest(payload: Record<string, unknown>): string {
  const entries = Object.keys(payload)
    .filter((k) => k !== 'RetryCount' && k !== 'attributes' && k !== 'media')
    .sort()
    .map((k) => [k, payload[k]]);
  return sha256Hex(JSON.stringify(entries));
}

/**
 * The signed resource identity first (MessageSid, receipt + status, …): the
 * `I-Twilio-Idempotency-Token` header is not covered by the signature, so a
 * replay with the header stripped or changed must not count as a new event.
 * The token serves only where the payload names no resource (pre-action
 * events), and a digest of the parameters where there is neither.
 */
export function twilioConversationsDedupeKey(event: TwilioConversationsEvent): string {
  const id = event.unknown ? undefined : identity(event);
  if (id) return `${PROVIDER_ID}:${event.type}:${id}`;
  if (event.idempotencyToken) return `${PROVIDER_ID}:${event.type}:token:${event.idempotencyToken}`;
  return `${PROVIDER_ID}:${event.type}:${paramsDigest(event.payload as Record<string, unknown>)}`;
}
