import { createHash, createHmac, createSecretKey, timingSafeEqual, type Hmac, type KeyObject } from 'node:crypto';

/**
 * Compares two strings in time independent of where they differ. Unequal
 * lengths return early: the length of a signature is public (fixed by the
 * algorithm), so that leaks nothing secret.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

// A KeyObject skips re-importing the key on every createHmac (~15% of an HMAC
// over a webhook body). Configured secrets are few; the bound only guards
// against a caller passing a new secret per request.
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 64;

/** createHmac with the secret's KeyObject cached; `encoding` says how the secret string becomes key bytes. */
export function hmac(algorithm: 'sha1' | 'sha256', secret: string, encoding: 'utf8' | 'base64' = 'utf8'): Hmac {
  const id = encoding === 'utf8' ? secret : `${encoding}:${secret}`;
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(Buffer.from(secret, encoding));
    keys.set(id, key);
  }
  return createHmac(algorithm, key);
}
