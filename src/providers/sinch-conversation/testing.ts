import { randomBytes } from 'node:crypto';
import { SINCH_HEADERS, sinchConversationSignature } from './verify.js';

export interface SignSinchConversationInput {
  /** The exact body you will send (a string is sent as UTF-8). */
  body: string | Buffer;
  secret: string;
  /** Defaults to a fresh random nonce. */
  nonce?: string;
  /** Epoch seconds; defaults to now. */
  timestamp?: number | string;
}

/** Headers Sinch would send with this body, for your own tests. */
export function signSinchConversation(input: SignSinchConversationInput): Record<string, string> {
  const nonce = input.nonce ?? randomBytes(13).toString('hex').toUpperCase();
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    [SINCH_HEADERS.signature]: sinchConversationSignature(input.body, nonce, timestamp, input.secret),
    [SINCH_HEADERS.nonce]: nonce,
    [SINCH_HEADERS.timestamp]: timestamp,
    [SINCH_HEADERS.algorithm]: 'HmacSHA256',
  };
}
