import { LRUCache } from 'lru-cache';
import { parse as legacyParse, stringify as legacyStringify } from 'node:querystring';
import { SwitchboardError } from '../../core/errors.js';
import { hmac, safeEqual, sha256Hex } from '../../core/crypto.js';
import { mediaType } from '../../core/engine.js';
import { headerValue, type Headers, type Logger, type WebhookRequest } from '../../core/types.js';
import { PROVIDER_ID, formBodyOf } from './events.js';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Decoded form parameters; a key sent more than once holds every value (arrival order does not matter). */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * base64(HMAC-SHA1(authToken, url + key+value for each key in code-unit
 * order)). Repeated keys are emitted once per distinct value, values sorted,
 * as twilio-node/python/php do.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  return signatureOf(authToken, url, signedParams(params));
}

/** The part of the signed string after the URL; the same for every candidate URL and token. */
function signedParams(params: TwilioParams): string {
  let data = '';
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    if (typeof value === 'string') data += key + value;
    else for (const v of [...new Set(value)].sort()) data += key + v;
  }
  return data;
}

function signatureOf(authToken: string, url: string, paramString: string): string {
  return hmac('sha1', authToken).update(url, 'utf8').update(paramString, 'utf8').digest('base64');
}

// ---------------------------------------------------------------------------
// URL candidates
// ---------------------------------------------------------------------------

interface UrlParts {
  /** `https://`, case as given. */
  scheme: string;
  /** `user:pass@` or ''. */
  userinfo: string;
  host: string;
  /** `:8443` or ''. */
  port: string;
  /** Path, query and fragment, byte for byte. */
  rest: string;
}

/** Splits without normalising anything, so case, path and query bytes survive. */
function splitUrl(url: string): UrlParts | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!;
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  // In an IPv6 literal the colons before `]` belong to the address.
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userinfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostPort : hostPort.slice(0, colon),
    port: colon === -1 ? '' : hostPort.slice(colon),
    rest: url.slice(m[0].length),
  };
}

/** For logs and error details: a publicUrl may carry basic-auth credentials. */
function withoutCredentials(url: string): string {
  const p = splitUrl(url);
  return p && p.userinfo ? `${p.scheme}***@${p.host}${p.port}${p.rest}` : url;
}

function withoutPort(url: string): string {
  const p = splitUrl(url);
  return p ? p.scheme + p.userinfo + p.host + p.rest : url;
}

function withDefaultPort(url: string): string {
  const p = splitUrl(url);
  if (!p || p.port) return url;
  const port = p.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return p.scheme + p.userinfo + p.host + port + p.rest;
}

/** The query as Node's legacy `querystring` re-serialises it (`'` → `%27`, spaces → `%20`). */
function withLegacyQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return url;
  return `${url.slice(0, q)}?${legacyStringify(legacyParse(url.slice(q + 1)))}`;
}

/**
 * The URLs twilio-node 6.2.0 accepts a signature for, in its order: the URL
 * as received without and with the port (Voice over HTTPS drops a port that
 * SMS keeps), then the WHATWG-normalised form (lower-case host, `'` and
 * non-ASCII percent-encoded) without and with the port, then those two with
 * the query re-encoded by the legacy querystring module.
 */
export function candidateUrls(url: string): string[] {
  return [...knownCandidates(url)];
}

// Form POSTs of an app go to the same one or two URLs: their candidates (a
// WHATWG parse and a querystring round trip each) are kept. A URL with a query
// (GET parameters, a JSON body's bodySHA256) is new on every request, so it
// is computed and not cached, where it would only push the stable ones out.
const candidateCache = new LRUCache<string, readonly string[]>({ max: 256 });

function knownCandidates(url: string): readonly string[] {
  if (url.includes('?')) return computeCandidates(url);
  let list = candidateCache.get(url);
  if (list === undefined) {
    list = computeCandidates(url);
    candidateCache.set(url, list);
  }
  return list;
}

function computeCandidates(url: string): string[] {
  const out = new Set<string>([withoutPort(url), withDefaultPort(url)]);
  let normalized: string | undefined;
  try {
    normalized = new URL(url).toString();
  } catch {
    // Not parseable as a WHATWG URL: only the as-received forms can match.
  }
  if (normalized !== undefined) {
    const bare = withoutPort(normalized);
    const ported = withDefaultPort(normalized);
    for (const u of [bare, ported, withLegacyQuery(bare), withLegacyQuery(ported)]) out.add(u);
  }
  return [...out];
}

// ---------------------------------------------------------------------------
// Signature check
// ---------------------------------------------------------------------------

export interface TwilioSignatureInput {
  /** Every token that may have signed (rotation, several accounts). */
  authTokens: readonly string[];
  /** The `X-Twilio-Signature` header; undefined when absent. */
  signature: string | undefined;
  /** Full URLs the request may have been sent to; each is expanded with `candidateUrls`. */
  urls: readonly string[];
  /** Decoded form body (POST form). Leave out for GET and for JSON. */
  params?: TwilioParams;
  /**
   * The body bytes, hashed when the URL has `bodySHA256`. Given without
   * `params` it is a non-form (JSON) body, which must come with `bodySHA256`.
   */
  rawBody?: Buffer | string;
}

/** The `bodySHA256` query value of a URL, decoded; undefined when the URL has none. */
export function bodyHashOf(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)).get('bodySHA256') ?? undefined;
}

/**
 * Throws a SwitchboardError unless one of the tokens signed one of the
 * candidate URLs. With `bodySHA256` in the URL only the URL is signed and
 * the body must hash to it; a non-form body without it is refused.
 */
export function verifyTwilioSignature(input: TwilioSignatureInput): { matchedUrl: string } {
  const { signature, authTokens } = input;
  if (!signature) {
    throw new SwitchboardError(
      'missing_signature',
      'Missing X-Twilio-Signature. Twilio signs every webhook; make sure the request comes from Twilio and that no proxy strips this header.',
    );
  }
  const first = input.urls[0];
  if (first === undefined) {
    throw new SwitchboardError(
      'invalid_signature',
      'Cannot rebuild the URL Twilio signed: the request has no usable Host header. Configure publicUrl with the origin set in the Twilio console (e.g. https://hooks.example.com).',
    );
  }
  const bodyHash = bodyHashOf(first);
  if (bodyHash === undefined && input.params === undefined && input.rawBody !== undefined) {
    throw new SwitchboardError(
      'invalid_signature',
      'A JSON body must come with bodySHA256=<hex SHA-256 of the body> in the URL, which Twilio adds and signs; without it the body is not covered by the signature. Sending test requests yourself? Use signTwilio({ url, body, authToken }) from switchboard/testing.',
    );
  }
  // With bodySHA256 the signature covers the URL alone, whatever the content type.
  const params = bodyHash === undefined ? (input.params ?? {}) : {};

  const paramString = signedParams(params);
  let matchedUrl: string | undefined;
  const tried = new Set<string>();
  for (const url of input.urls) {
    for (const candidate of knownCandidates(url)) {
      if (tried.has(candidate)) continue;
      tried.add(candidate);
      for (const token of authTokens) {
        // No early exit: the work done does not depend on which token or URL matched.
        if (safeEqual(signatureOf(token, candidate, paramString), signature) && matchedUrl === undefined) matchedUrl = candidate;
      }
    }
  }
  if (matchedUrl === undefined) {
    throw new SwitchboardError(
      'invalid_signature',
      `X-Twilio-Signature does not match any of the ${authTokens.length} configured auth token(s) for the URL this request was received at. Twilio signs the exact URL set in the console: configure publicUrl with its origin (e.g. https://hooks.example.com), or trustProxy behind a proxy that sets X-Forwarded-Proto/Host; check that authTokens holds the primary Auth Token of the (sub)account that owns the webhook; and make sure nothing rewrites the path or query.`,
      { details: { urls: [...tried].slice(0, 2).map(withoutCredentials) } },
    );
  }
  if (bodyHash !== undefined) {
    const actual = sha256Hex(typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : (input.rawBody ?? Buffer.alloc(0)));
    if (!safeEqual(actual, bodyHash)) {
      throw new SwitchboardError(
        'invalid_signature',
        'The body does not hash to the signed bodySHA256 in the URL: it was changed in transit, or something re-serialised it before switchboard (mount switchboard before any body parser).',
      );
    }
  }
  return { matchedUrl };
}

// ---------------------------------------------------------------------------
// Which URL was requested
// ---------------------------------------------------------------------------

/** A parsed `publicUrl`: scheme and authority as written, and an optional path prefix. */
export interface PublicBase {
  /** `https://Hooks.Example.com:8443`, case as written; no trailing slash. */
  origin: string;
  /** `/api` or ''; prepended to the path the app received. */
  prefix: string;
}

/**
 * Reads `publicUrl`. Its path, if any, is a prefix a proxy strips before the
 * request reaches the app, so it is put back in front of the received path.
 * A `#fragment` (Twilio's connection overrides) is dropped: it is never sent
 * nor signed. Userinfo is dropped too, since Twilio leaves credentials out of
 * the signed URL; the form with them is still tried.
 */
export function parsePublicUrl(value: string): PublicBase[] {
  const name = 'twilio.publicUrl';
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new SwitchboardError('misconfigured', `${name} must be an absolute http(s) URL such as https://hooks.example.com (got ${JSON.stringify(value)}).`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SwitchboardError('misconfigured', `${name} must use http or https (got ${JSON.stringify(parsed.protocol)}).`);
  }
  const withoutFragment = value.split('#')[0]!;
  if (withoutFragment.includes('?')) {
    throw new SwitchboardError('misconfigured', `${name} must not contain a query string: the query is taken from each request exactly as received. Use the origin (e.g. https://hooks.example.com).`);
  }
  const parts = splitUrl(withoutFragment)!;
  const prefix = parts.rest.replace(/\/+$/, '');
  const bases: PublicBase[] = [{ origin: parts.scheme + parts.host + parts.port, prefix }];
  if (parts.userinfo) bases.push({ origin: parts.scheme + parts.userinfo + parts.host + parts.port, prefix });
  return bases;
}

export interface RequestUrlOptions {
  publicBases: readonly PublicBase[];
  trustProxy: boolean;
}

/** Characters a Host header may hold (reg-name, IPv4, `[IPv6]`, `:port`); anything else is not a host. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(?::\d{1,5})?$/;

function firstListValue(headers: Headers, name: string): string | undefined {
  const raw = headerValue(headers, name);
  const first = raw?.split(',')[0]?.trim();
  return first ? first : undefined;
}

/** Path and query of a request target, byte for byte (an absolute-form target loses its origin). */
function pathAndQuery(target: string): string {
  if (target.startsWith('/')) return target;
  const p = splitUrl(target);
  return p ? p.rest || '/' : `/${target}`;
}

/**
 * The full URLs the request may have been sent to. `target` is the path and
 * query exactly as received, mount prefix included. Order of preference:
 * `publicUrl`; with `trustProxy`, X-Forwarded-Proto/Host; otherwise the Host
 * header, with both schemes since the app cannot see whether TLS ended in
 * front of it.
 */
export function requestUrls(target: string, headers: Headers, opts: RequestUrlOptions): string[] {
  const path = pathAndQuery(target);
  if (opts.publicBases.length > 0) return opts.publicBases.map((b) => `${b.origin}${b.prefix}${path}`);

  let host = headerValue(headers, 'host');
  let schemes = ['https', 'http'];
  if (opts.trustProxy) {
    host = firstListValue(headers, 'x-forwarded-host') ?? host;
    const proto = firstListValue(headers, 'x-forwarded-proto')?.toLowerCase();
    if (proto === 'https' || proto === 'http') schemes = [proto];
  }
  if (!host || !HOST.test(host)) return [];
  return schemes.map((s) => `${s}://${host}${path}`);
}

export interface TwilioRequestVerifyOptions extends RequestUrlOptions {
  authTokens: readonly string[];
}

/**
 * Verifies a request as received: the URL is rebuilt from the raw target,
 * form bodies are signed with their decoded parameters, GET requests by
 * their URL alone, and any other body through `bodySHA256`.
 */
export function verifyTwilioRequest(req: WebhookRequest, opts: TwilioRequestVerifyOptions, logger?: Logger): void {
  const urls = requestUrls(req.url, req.headers, opts);
  const isGet = req.method.toUpperCase() === 'GET';
  const isForm = mediaType(headerValue(req.headers, 'content-type')) === 'application/x-www-form-urlencoded';
  try {
    verifyTwilioSignature({
      authTokens: opts.authTokens,
      signature: headerValue(req.headers, TWILIO_SIGNATURE_HEADER),
      urls,
      ...(isGet ? {} : isForm ? { params: formBodyOf(req), rawBody: req.rawBody } : { rawBody: req.rawBody }),
    });
  } catch (err) {
    // Candidate URLs help an operator fix publicUrl; they stay out of responses and above debug.
    logger?.debug({ provider: PROVIDER_ID, urls: urls.map(withoutCredentials) }, 'switchboard: Twilio signature not accepted for these URLs');
    throw err;
  }
}
