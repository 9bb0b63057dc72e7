import { SwitchboardError } from '../../core/errors.js';
import { sha256Hex } from '../../core/crypto.js';
import { headerValue, type WebhookRequest } from '../../core/types.js';
import { sinchVoiceEvents, type SinchVoiceEventMap, type SinchVoiceEventName } from '../../../schemas/sinch-voice/index.js';
import type { ProviderEvent } from '../provider.js';

interface VoiceEventExtras {
  /** `callid` of the body (or its `callId` spelling). */
  callId: string;
  /** The signed x-timestamp header, when there was one: part of the dedupe key and the event's time when the body has none. */
  xTimestamp: string | undefined;
}

export type KnownSinchVoiceEvent = {
  [E in SinchVoiceEventName]: ProviderEvent<E, SinchVoiceEventMap[E]> & VoiceEventExtras & { unknown?: false };
}[SinchVoiceEventName];

/** A callback whose `event` we do not know (or that has none): answered 200 and sent to `onUnknown`. */
export type UnknownSinchVoiceEvent = ProviderEvent<string, Record<string, unknown>> & VoiceEventExtras & { unknown: true };

export type SinchVoiceEvent = KnownSinchVoiceEvent | UnknownSinchVoiceEvent;

const KNOWN = new Set<string>(sinchVoiceEvents.map((row) => row.event));

export function parseSinchVoice(req: WebhookRequest): SinchVoiceEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new SwitchboardError('malformed_payload', `The body is not valid JSON (${(err as Error).message}); Sinch Voice callbacks are JSON objects.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SwitchboardError('malformed_payload', 'The body is JSON but not an object; Sinch Voice callbacks are JSON objects.');
  }
  let payload = parsed as Record<string, unknown>;
  // Every SDK and the signed doc example say `callid`; the API reference says
  // `callId`. Hooks and the schema see one spelling.
  if (typeof payload['callid'] !== 'string' && typeof payload['callId'] === 'string') {
    payload = { ...payload, callid: payload['callId'] };
  }
  const callId = typeof payload['callid'] === 'string' ? payload['callid'] : '';
  const xTimestamp = headerValue(req.headers, 'x-timestamp') || undefined;
  const type = payload['event'];
  if (typeof type === 'string' && KNOWN.has(type)) {
    return { type, payload, callId, xTimestamp } as KnownSinchVoiceEvent;
  }
  return { type: typeof type === 'string' && type !== '' ? type : 'UNKNOWN', payload, callId, xTimestamp, unknown: true };
}

/**
 * callid + event + x-timestamp + body: the same signed callback sent again is a
 * duplicate and gets the stored SVAML, while a new callback for the same
 * call (a second PIE, say) carries a new x-timestamp. Without an x-timestamp
 * (Basic auth) only a byte-identical body counts as the same callback.
 */
export function sinchVoiceDedupeKey(event: SinchVoiceEvent, req: WebhookRequest): string {
  if (event.unknown || !event.callId || !event.xTimestamp) {
    return `sinch-voice:${event.type}:${sha256Hex(req.rawBody)}`;
  }
  // The body's hash too: two different notify callbacks of one call can share
  // a second-precision x-timestamp, while a retry resends identical bytes.
  return `sinch-voice:${event.callId}:${event.type}:${event.xTimestamp}:${sha256Hex(req.rawBody)}`;
}
