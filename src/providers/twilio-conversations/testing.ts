import { sha256Hex } from '../../core/crypto.js';
import { IDEMPOTENCY_HEADER } from './events.js';
import { TWILIO_SIGNATURE_HEADER, twilioSignature, type TwilioParams } from './verify.js';

export interface SignTwilioInput {
  /** The full URL Twilio requests, exactly as configured in the console (query included). */
  url: string;
  /** Form parameters of a POST; an array is a key sent once per value. Leave out (with `body`) for GET. */
  params?: TwilioParams;
  /** A JSON (or other non-form) body: `bodySHA256` is added to the URL and the URL alone is signed. */
  body?: string | Buffer;
  authToken: string;
  /** Sent as `I-Twilio-Idempotency-Token`, as Twilio does on every webhook. */
  idempotencyToken?: string;
}

export interface SignedTwilioRequest {
  /** Where to send it: `url`, plus `bodySHA256=…` for a body. */
  url: string;
  headers: Record<string, string>;
  /** The bytes to send: the url-encoded params, the body as given, or '' for GET. */
  body: string | Buffer;
}

/** What Twilio would send for these parameters or this body, for your own tests. */
export function signTwilio(input: SignTwilioInput): SignedTwilioRequest {
  if (input.params !== undefined && input.body !== undefined) {
    throw new TypeError('signTwilio: give params (a form POST) or body (a JSON POST), not both.');
  }
  // A fragment is never sent, so it is never signed either.
  const base = input.url.split('#')[0]!;
  const headers: Record<string, string> = {};
  if (input.idempotencyToken !== undefined) headers[IDEMPOTENCY_HEADER] = input.idempotencyToken;

  if (input.body !== undefined) {
    const hash = sha256Hex(typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body);
    const url = `${base}${base.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
    headers['content-type'] = 'application/json';
    headers[TWILIO_SIGNATURE_HEADER] = twilioSignature(input.authToken, url);
    return { url, headers, body: input.body };
  }

  const params = input.params ?? {};
  headers[TWILIO_SIGNATURE_HEADER] = twilioSignature(input.authToken, base, params);
  if (input.params === undefined) return { url: base, headers, body: '' };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of typeof value === 'string' ? [value] : value) form.append(key, v);
  }
  headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  return { url: base, headers, body: form.toString() };
}
