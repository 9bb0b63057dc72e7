import { SwitchboardError } from '../../core/errors.js';
import type { WebhookRequest } from '../../core/types.js';
import { sha256Hex } from '../../core/crypto.js';
import { sinchConversationTriggers, type SinchConversationEventMap } from '../../../schemas/sinch-conversation/index.js';
import type { ProviderEvent } from '../provider.js';

export type SinchConversationTrigger = keyof SinchConversationEventMap;

type TriggerRow = (typeof sinchConversationTriggers)[number];

/** The hook name of each trigger, e.g. `onMessageInbound` for MESSAGE_INBOUND. */
export type HookNameOf<T extends SinchConversationTrigger> = Extract<TriggerRow, { trigger: T }>['hook'];

export type KnownSinchConversationEvent = {
  [T in SinchConversationTrigger]: ProviderEvent<T, SinchConversationEventMap[T]> & { unknown?: false; keys: string[] };
}[SinchConversationTrigger];

/** A callback whose top-level key we do not know yet (Sinch adds triggers). */
export type UnknownSinchConversationEvent = ProviderEvent<string, Record<string, unknown>> & { unknown: true; keys: string[] };

export type SinchConversationEvent = KnownSinchConversationEvent | UnknownSinchConversationEvent;

const ENVELOPE = new Set(['app_id', 'project_id', 'accepted_time', 'event_time', 'message_metadata', 'correlation_id']);
const BY_KEY = new Map<string, TriggerRow>(sinchConversationTriggers.map((row) => [row.key, row]));

export function parseSinchConversation(req: WebhookRequest): SinchConversationEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(req.rawBody.toString('utf8'));
  } catch (err) {
    throw new SwitchboardError('malformed_payload', `The body is not valid JSON (${(err as Error).message}); Sinch Conversation callbacks are JSON objects.`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new SwitchboardError('malformed_payload', 'The body is JSON but not an object; Sinch Conversation callbacks are JSON objects.');
  }
  const body = payload as Record<string, unknown>;
  const keys = Object.keys(body).filter((k) => BY_KEY.has(k));
  const row = keys.length > 0 ? BY_KEY.get(keys[0]!) : undefined;
  if (!row) {
    const other = Object.keys(body).find((k) => !ENVELOPE.has(k));
    return { type: other ?? 'UNKNOWN', payload: body, unknown: true, keys: other ? [other] : [] };
  }
  return { type: row.trigger, payload: body, keys } as KnownSinchConversationEvent;
}

/** What identifies one callback across Sinch's retries, per trigger. */
function identity(event: KnownSinchConversationEvent): string | undefined {
  const p = event.payload as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (event.type) {
    case 'MESSAGE_INBOUND':
      return p['message']?.id;
    case 'MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION':
      return p['message_redaction']?.id;
    case 'MESSAGE_DELIVERY': {
      const r = p['message_delivery_report'];
      // One message gets several reports; SWITCHING_CHANNEL may come once per channel tried.
      return r?.message_id && `${r.message_id}:${r.status}:${r.channel_identity?.channel ?? ''}`;
    }
    case 'MESSAGE_SUBMIT': {
      const n = p['message_submit_notification'];
      return n?.message_id && `${n.message_id}:${n.channel_identity?.channel ?? ''}`;
    }
    case 'EVENT_INBOUND': {
      const e = p['event'];
      if (!e?.id) return undefined;
      // Name the event kind too: a composing event and a reaction are different events.
      const kind = Object.keys(e.contact_event ?? e.contact_message_event ?? {}).join(',');
      return `${e.id}:${kind}`;
    }
    case 'EVENT_DELIVERY': {
      const r = p['event_delivery_report'];
      return r?.event_id && `${r.event_id}:${r.status}:${r.channel_identity?.channel ?? ''}`;
    }
    case 'CONVERSATION_START':
      return p['conversation_start_notification']?.conversation?.id;
    case 'CONVERSATION_STOP':
      return p['conversation_stop_notification']?.conversation?.id;
    case 'CONVERSATION_DELETE':
      return p['conversation_delete_notification']?.conversation?.id;
    default:
      // Contact updates, opt-ins, capability checks… can legitimately repeat with
      // the same ids, so only a byte-identical body counts as the same callback.
      return undefined;
  }
}

export function sinchConversationDedupeKey(event: SinchConversationEvent, req: WebhookRequest): string {
  const id = event.unknown ? undefined : identity(event);
  return `sinch-conversation:${event.type}:${id || sha256Hex(req.rawBody)}`;
}
