import { VOIPBIN_SIGNATURE_HEADER, voipbinSignature } from './verify.js';

/** Headers VoIPBIN would send with this body, for your own tests. */
export function signVoipbin(input: { body: string | Buffer; secret: string }): Record<string, string> {
  return { 'content-type': 'application/json', [VOIPBIN_SIGNATURE_HEADER]: voipbinSignature(input.body, input.secret) };
}
