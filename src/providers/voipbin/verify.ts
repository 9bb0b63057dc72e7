import { SwitchboardError } from '../../core/errors.js';
import { hmac, safeEqual } from '../../core/crypto.js';
import { headerValue, type Headers } from '../../core/types.js';

export const VOIPBIN_SIGNATURE_HEADER = 'x-voipbin-signature';

/** `sha256=` + lowercase hex HMAC-SHA256 of the exact body, keyed with the secret's UTF-8 bytes (GitHub's scheme). */
export function voipbinSignature(rawBody: Buffer | string, secret: string): string {
  return `sha256=${hmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface VoipbinVerifyInput {
  rawBody: Buffer;
  headers: Headers;
  secrets: readonly string[];
  /** Accept requests without the header (VoIPBIN before 2026-08 did not sign). Signed requests are still checked. */
  allowUnsigned?: boolean;
}

/**
 * Throws unless the body was signed by one of the secrets. VoIPBIN signs no
 * timestamp, so there is no freshness check: replays are caught by dedupe.
 */
export function verifyVoipbin(input: VoipbinVerifyInput): void {
  const header = headerValue(input.headers, VOIPBIN_SIGNATURE_HEADER);
  if (!header) {
    if (input.allowUnsigned) return;
    throw new SwitchboardError(
      'missing_signature',
      `Missing X-VoIPBIN-Signature. VoIPBIN signs every webhook of a customer that has a webhook_secret; for a deployment from before signing existed, set voipbin.allowUnsigned: true.`,
    );
  }
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) {
    throw new SwitchboardError('unsupported_algorithm', 'X-VoIPBIN-Signature must be "sha256=" followed by 64 hex digits.');
  }
  const received = `sha256=${match[1]!.toLowerCase()}`;
  let matched = false;
  for (const secret of input.secrets) {
    if (safeEqual(voipbinSignature(input.rawBody, secret), received)) matched = true;
  }
  if (!matched) {
    throw new SwitchboardError(
      'invalid_signature',
      `The signature does not match any of the ${input.secrets.length} configured secret(s). Check voipbin.secrets against the webhook_secret of GET /v1.0/customer, and that nothing re-serialises the body before switchboard.`,
    );
  }
}
