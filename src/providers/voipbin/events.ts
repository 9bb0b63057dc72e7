import { SwitchboardError } from '../../core/errors.js';
import { sha256Hex } from '../../core/crypto.js';
import type { WebhookRequest } from '../../core/types.js';
import { voipbinEvents, type VoipbinEventMap, type VoipbinEventType } from '../../../schemas/voipbin/index.js';
import type { ProviderEvent } from '../provider.js';

export type KnownVoipbinEvent = {
  [T in VoipbinEventType]: ProviderEvent<T, VoipbinEventMap[T]> & { unknown?: false };
}[VoipbinEventType];

/** Calls, SMS, accounts… arrive at the same URL; they are answered 2xx and passed to onUnknown. */
export type UnknownVoipbinEvent = ProviderEvent<string, { type: string; data: unknown }> & { unknown: true };

export type VoipbinEvent = KnownVoipbinEvent | UnknownVoipbinEvent;

const KNOWN = new Set<string>(voipbinEvents.map((e) => e.type));

export function parseVoipbin(req: WebhookRequest): VoipbinEvent {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new SwitchboardError('malformed_payload', `The body is not valid JSON (${(err as Error).message}); VoIPBIN webhooks are {"type","data"} JSON objects.`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
    throw new SwitchboardError('malformed_payload', 'The body is not a VoIPBIN envelope: expected a JSON object with a string "type" and a "data" object.');
  }
  const envelope = body as { type: string; data: unknown };
  if (!KNOWN.has(envelope.type)) return { type: envelope.type, payload: envelope, unknown: true };
  return { type: envelope.type, payload: envelope } as KnownVoipbinEvent;
}

/**
 * VoIPBIN sends no event or delivery id; its retries resend the identical
 * bytes, so the body's hash is the event's identity.
 */
export function voipbinDedupeKey(event: VoipbinEvent, req: WebhookRequest): string {
  return `voipbin:${event.type}:${sha256Hex(req.rawBody)}`;
}
