import { sinchVoiceContentMd5, sinchVoiceSignature, sinchVoiceStringToSign } from './verify.js';

export interface SignSinchVoiceInput {
  /** Default POST, the only method Sinch uses for callbacks. */
  method?: string;
  /** The full public path of the callback URL, mount prefix included (e.g. `/webhooks/sinch/voice`); signed as given. */
  path: string;
  /** The exact body you will send (a string is sent as UTF-8). */
  body: string | Buffer;
  /** Sent and signed verbatim; default `application/json; charset=utf-8`, as Sinch sends it. */
  contentType?: string;
  /** Application key and (base64) secret. */
  key: string;
  secret: string;
  /** x-timestamp: an ISO string used verbatim, a Date, or epoch milliseconds; default now. */
  timestamp?: string | Date | number;
}

/** Headers Sinch would send with this callback, for your own tests. */
export function signSinchVoice(input: SignSinchVoiceInput): Record<string, string> {
  const contentType = input.contentType ?? 'application/json; charset=utf-8';
  const ts = input.timestamp;
  const xTimestamp = typeof ts === 'string' ? ts : new Date(ts ?? Date.now()).toISOString();
  const stringToSign = sinchVoiceStringToSign({
    method: input.method ?? 'POST',
    contentMd5: sinchVoiceContentMd5(input.body),
    contentType,
    xTimestamp,
    path: input.path,
  });
  return {
    'content-type': contentType,
    'x-timestamp': xTimestamp,
    // Capitalised like the Sinch SDKs; Sinch's own callbacks write it in lower case, and both verify.
    authorization: `Application ${input.key}:${sinchVoiceSignature(stringToSign, input.secret)}`,
  };
}
