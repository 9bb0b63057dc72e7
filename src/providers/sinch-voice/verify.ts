import { createHash } from 'node:crypto';
import { SwitchboardError } from '../../core/errors.js';
import { hmac, safeEqual } from '../../core/crypto.js';
import { headerValue, type Headers, type WebhookRequest } from '../../core/types.js';

/** One Sinch Voice application: its key and its (base64) secret, as shown in the Sinch dashboard. */
export interface SinchVoiceApplication {
  key: string;
  secret: string;
}

/**
 * The path Sinch signed, for when a proxy rewrites paths: a fixed path (the
 * path of the callback URL configured at Sinch), or a function of the request.
 */
export type SinchVoicePublicPath = string | ((req: Readonly<WebhookRequest>) => string);

export interface SinchVoiceVerifyInput {
  method: string;
  /** The full public path Sinch called, as received; a query string may follow (see `signedPathCandidates`). */
  path: string;
  headers: Headers;
  rawBody: Buffer;
  applications: readonly SinchVoiceApplication[];
  /** Allowed age of x-timestamp in seconds, both directions (default 300). `Infinity` turns the check off. */
  toleranceSec?: number;
  /** Accept RFC 7617 `Basic base64(key:secret)` (default false: Sinch signs its callbacks). */
  allowBasicAuth?: boolean;
  /** Current time in epoch milliseconds. */
  now: number;
}

export interface SinchVoiceVerified {
  applicationKey: string;
  scheme: 'application' | 'basic';
}

/** Base64 MD5 of the exact bytes, or '' for an empty body (as Sinch and every SDK do). */
export function sinchVoiceContentMd5(rawBody: Buffer | string): string {
  if (rawBody.length === 0) return '';
  return createHash('md5').update(rawBody).digest('base64');
}

export interface StringToSignParts {
  method: string;
  contentMd5: string;
  contentType: string;
  xTimestamp: string;
  path: string;
}

export function sinchVoiceStringToSign(p: StringToSignParts): string {
  return [p.method.toUpperCase(), p.contentMd5, p.contentType, `x-timestamp:${p.xTimestamp}`, p.path].join('\n');
}

/**
 * base64(HMAC-SHA256(base64decode(secret), stringToSign)). The secret is
 * decoded leniently, exactly like the Sinch Node SDK, so a non-canonical
 * secret such as its test value `app-secret` signs the same on both sides.
 */
export function sinchVoiceSignature(stringToSign: string, secret: string): string {
  return hmac('sha256', secret, 'base64').update(stringToSign, 'utf8').digest('base64');
}

/**
 * Sinch signs the path without the query (its sample and the Java SDK strip
 * it); whether it keeps the query when a callback URL has one is not
 * documented, so that form is accepted too. It is the stronger of the two:
 * it covers the query as well.
 */
export function signedPathCandidates(pathAndQuery: string): string[] {
  const i = pathAndQuery.indexOf('?');
  if (i === -1) return [pathAndQuery];
  const path = pathAndQuery.slice(0, i);
  return i === pathAndQuery.length - 1 ? [path] : [path, pathAndQuery];
}

/** The public path and query Sinch called, from the request or the `publicPath` option. */
export function publicPathOf(req: Readonly<WebhookRequest>, publicPath: SinchVoicePublicPath | undefined): string {
  let raw: string;
  if (publicPath === undefined) {
    raw = req.url;
  } else if (typeof publicPath === 'string') {
    const q = req.url.indexOf('?');
    raw = q === -1 || publicPath.includes('?') ? publicPath : `${publicPath}${req.url.slice(q)}`;
  } else {
    raw = publicPath(req);
  }
  // A full URL is tolerated: only its path and query are signed.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    try {
      const u = new URL(raw);
      return `${u.pathname}${u.search}`;
    } catch {
      throw new SwitchboardError('misconfigured', `sinchVoice.publicPath gave ${JSON.stringify(raw.slice(0, 200))}, which is neither a path nor a URL.`);
    }
  }
  return raw;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch ms of an ISO 8601 instant such as Sinch's `2024-01-19T09:19:28.9372196Z`
 * (7 fractional digits), or undefined. Stricter than Date.parse, which
 * accepts `2019` or `Jan 1` and would let a garbage x-timestamp look fresh.
 */
export function parseSinchTime(value: string): number | undefined {
  const m = ISO_INSTANT.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const zone = m[8]!;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, fraction) - offsetMin * 60_000;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

const APPLICATION_CREDENTIALS = /^([^\s:]+):([A-Za-z0-9+/]+={0,2})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Throws a SwitchboardError (401) unless one of the applications signed this request recently. */
export function verifySinchVoice(input: SinchVoiceVerifyInput): SinchVoiceVerified {
  const authorization = headerValue(input.headers, 'authorization');
  if (!authorization) {
    throw new SwitchboardError(
      'missing_signature',
      'No Authorization header. Sinch signs every Voice callback with "Authorization: Application <key>:<signature>"; make sure no proxy strips it.',
    );
  }
  const space = authorization.indexOf(' ');
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  const credentials = space === -1 ? '' : authorization.slice(space + 1);
  switch (scheme.toLowerCase()) {
    case 'application':
      return verifyApplication(input, credentials);
    case 'basic':
      if (!input.allowBasicAuth) {
        throw new SwitchboardError(
          'unsupported_algorithm',
          'Basic authorization is turned off: Sinch signs Voice callbacks with the "Application" scheme. Set allowBasicAuth: true only if something you trust calls this router with Basic credentials.',
        );
      }
      return verifyBasic(input, credentials);
    default:
      throw new SwitchboardError(
        'unsupported_algorithm',
        `Authorization scheme ${JSON.stringify(scheme.slice(0, 20))} is not supported; Sinch Voice callbacks use "Application <key>:<signature>".`,
      );
  }
}

function verifyApplication(input: SinchVoiceVerifyInput, credentials: string): SinchVoiceVerified {
  const parts = APPLICATION_CREDENTIALS.exec(credentials);
  if (!parts) {
    throw new SwitchboardError(
      'invalid_signature',
      'The Authorization header is malformed: expected "Application <key>:<base64 signature>" with a single space after the scheme.',
    );
  }
  const key = parts[1]!;
  const signature = parts[2]!;
  const xTimestamp = headerValue(input.headers, 'x-timestamp');
  if (xTimestamp === undefined || xTimestamp === '') {
    throw new SwitchboardError('missing_signature', 'No x-timestamp header. Sinch sends and signs it with every Voice callback; make sure no proxy strips it.');
  }
  const candidates = input.applications.filter((app) => app.key === key);
  if (candidates.length === 0) {
    throw new SwitchboardError(
      'invalid_signature',
      `The application key in the Authorization header is not one of the ${input.applications.length} configured application(s). Add the key (and secret) of the Sinch Voice app whose callback URL points here to sinchVoice.applications.`,
    );
  }

  const contentMd5 = sinchVoiceContentMd5(input.rawBody);
  const contentType = headerValue(input.headers, 'content-type') ?? '';
  const paths = signedPathCandidates(input.path);
  let matched = false;
  // No early exit: the time taken does not depend on which secret or path matched.
  for (const app of candidates) {
    for (const path of paths) {
      const expected = sinchVoiceSignature(sinchVoiceStringToSign({ method: input.method, contentMd5, contentType, xTimestamp, path }), app.secret);
      if (safeEqual(expected, signature)) matched = true;
    }
  }
  if (!matched) {
    throw new SwitchboardError(
      'invalid_signature',
      `The signature does not match. Sinch signs the method, the MD5 of the exact body, the Content-Type as sent, x-timestamp and the full public path (checked here: ${JSON.stringify(paths[0]!.slice(0, 200))}). Check the application secret, that nothing re-serialises the body or rewrites Content-Type, and set sinchVoice.publicPath if a proxy rewrites the path.`,
    );
  }

  const tolerance = input.toleranceSec ?? 300;
  if (Number.isFinite(tolerance)) {
    const signedAt = parseSinchTime(xTimestamp);
    if (signedAt === undefined) {
      throw new SwitchboardError(
        'stale_timestamp',
        `x-timestamp ${JSON.stringify(xTimestamp.slice(0, 40))} is not an ISO 8601 time such as 2024-01-19T09:19:28.9372196Z, so the callback's age cannot be judged.`,
      );
    }
    const skewMs = input.now - signedAt;
    if (Math.abs(skewMs) > tolerance * 1000) {
      const seconds = Math.round(Math.abs(skewMs) / 1000);
      throw new SwitchboardError(
        'stale_timestamp',
        `x-timestamp is ${seconds} s ${skewMs > 0 ? 'in the past' : 'in the future'}, outside the ${tolerance} s tolerance. A replayed request, or this server's clock is wrong (check NTP); raise toleranceSec only if you must.`,
      );
    }
  }
  return { applicationKey: key, scheme: 'application' };
}

/**
 * RFC 7617: `Basic base64(key:secret)`. Not the Node SDK's raw `key:secret`
 * form, which no standard client sends. Basic signs nothing, so there is no
 * body integrity and no timestamp to judge: it only proves the caller knows
 * the secret.
 */
function verifyBasic(input: SinchVoiceVerifyInput, credentials: string): SinchVoiceVerified {
  const decoded = BASE64.test(credentials) ? Buffer.from(credentials, 'base64') : undefined;
  const text = decoded && decoded.toString('base64') === credentials ? decoded.toString('utf8') : undefined;
  const colon = text?.indexOf(':') ?? -1;
  if (text === undefined || colon <= 0) {
    throw new SwitchboardError('invalid_signature', 'Basic credentials must be base64("<key>:<secret>") as RFC 7617 defines.');
  }
  const key = text.slice(0, colon);
  const secret = text.slice(colon + 1);
  let matched = false;
  for (const app of input.applications) {
    // Digests first, so unequal lengths take the same time and leak nothing about the secret.
    if (app.key === key && safeEqual(sha256(app.secret), sha256(secret))) matched = true;
  }
  if (!matched) {
    throw new SwitchboardError('invalid_signature', 'The Basic credentials match none of the configured applications.');
  }
  return { applicationKey: key, scheme: 'basic' };
}
