import { SwitchboardError } from '../../core/errors.js';
import { hmac, safeEqual } from '../../core/crypto.js';
import { headerValue, type Headers } from '../../core/types.js';

export const SINCH_HEADERS = {
  signature: 'x-sinch-webhook-signature',
  nonce: 'x-sinch-webhook-signature-nonce',
  timestamp: 'x-sinch-webhook-signature-timestamp',
  algorithm: 'x-sinch-webhook-signature-algorithm',
} as const;

export interface SinchConversationVerifyInput {
  rawBody: Buffer;
  headers: Headers;
  /** Every secret that may have signed: webhook secrets (during rotation) and the app-level callback_url secret. */
  secrets: readonly string[];
  /** Allowed clock difference in seconds, both directions (default 300). */
  toleranceSec?: number;
  /** Current time in epoch milliseconds. */
  now: number;
}

/** base64(HMAC-SHA256(secret as UTF-8, rawBody "." nonce "." timestamp)). */
export function sinchConversationSignature(rawBody: Buffer | string, nonce: string, timestamp: string, secret: string): string {
  return hmac('sha256', secret).update(rawBody).update(`.${nonce}.${timestamp}`).digest('base64');
}

/** Throws a SwitchboardError unless the request was signed by one of the secrets within the time window. */
export function verifySinchConversation(input: SinchConversationVerifyInput): void {
  const signature = headerValue(input.headers, SINCH_HEADERS.signature);
  const nonce = headerValue(input.headers, SINCH_HEADERS.nonce);
  const timestamp = headerValue(input.headers, SINCH_HEADERS.timestamp);
  if (!signature || !nonce || !timestamp) {
    const missing: string[] = [];
    if (!signature) missing.push(SINCH_HEADERS.signature);
    if (!nonce) missing.push(SINCH_HEADERS.nonce);
    if (!timestamp) missing.push(SINCH_HEADERS.timestamp);
    throw new SwitchboardError(
      'missing_signature',
      `Missing ${missing.join(', ')}. Sinch signs every callback of a webhook that has a secret; set the secret on the webhook in the Sinch dashboard, and make sure no proxy strips these headers.`,
    );
  }
  const algorithm = headerValue(input.headers, SINCH_HEADERS.algorithm);
  if (algorithm !== undefined && algorithm.toLowerCase() !== 'hmacsha256') {
    throw new SwitchboardError('unsupported_algorithm', `Signature algorithm ${JSON.stringify(algorithm.slice(0, 40))} is not supported; Sinch Conversation signs with HmacSHA256.`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SwitchboardError('invalid_signature', `${SINCH_HEADERS.timestamp} must be Unix epoch seconds; got ${JSON.stringify(timestamp.slice(0, 40))}.`);
  }

  let matched = false;
  for (const secret of input.secrets) {
    // No early exit: the time taken does not depend on which secret matched.
    if (safeEqual(sinchConversationSignature(input.rawBody, nonce, timestamp, secret), signature)) matched = true;
  }
  if (!matched) {
    throw new SwitchboardError(
      'invalid_signature',
      `The signature does not match any of the ${input.secrets.length} configured secret(s). Check that sinchConversation.secrets holds the webhook's secret (and the app's secret_for_overridden_callback_urls if you send with callback_url), and that nothing re-serialises the body before switchboard.`,
    );
  }

  const tolerance = input.toleranceSec ?? 300;
  const skew = Math.round(input.now / 1000) - Number(timestamp);
  if (Math.abs(skew) > tolerance) {
    throw new SwitchboardError(
      'stale_timestamp',
      `The signed timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}, outside the ${tolerance} s tolerance. A replayed request, or this server's clock is wrong (check NTP); raise toleranceSec only if you must.`,
    );
  }
}
