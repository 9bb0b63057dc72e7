import type { Address, AddressKind, Channel, DeliveryStatus, Media, Message } from '../../model/index.js';
import { compactMetadata, toE164 } from '../../model/normalize.js';
import { isoFromMs } from '../../model/time.js';
import type { VoipbinAddress, VoipbinConversation, VoipbinMessage } from '../../../schemas/voipbin/index.js';
import type { RecordContext, Recorded } from '../provider.js';
import type { VoipbinEvent } from './events.js';

export const PROVIDER_ID = 'voipbin';
const id = (providerId: string): string => `${PROVIDER_ID}:${providerId}`;

/**
 * VoIPBIN timestamps come in three eras: `2022-06-23 05:05:40.950834` (UTC,
 * no zone), `2026-01-15T09:30:00.000000Z`, and RFC 3339 or null. Year 9999
 * was the "not yet" sentinel. Returns ISO 8601 or undefined for unset.
 */
export function voipbinTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  if (m[1] === '9999') return undefined;
  const fraction = (m[7] ?? '').slice(0, 4).padEnd(4, '0'); // JS dates keep milliseconds
  const zone = m[8] ?? 'Z';
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction === '0000' ? '' : fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : isoFromMs(ms);
}

const CHANNEL_BY_TYPE: Record<string, Channel> = {
  message: 'SMS', sms: 'SMS', mms: 'MMS', line: 'LINE', whatsapp: 'WHATSAPP', email: 'EMAIL', webchat: 'CHAT', tel: 'SMS',
};

function channelOf(type: string | undefined, ...addresses: Array<VoipbinAddress | undefined>): { channel: Channel; rawChannel?: string } {
  if (type && CHANNEL_BY_TYPE[type]) return { channel: CHANNEL_BY_TYPE[type]!, rawChannel: type };
  const addressType = addresses.find((a) => a?.type)?.type;
  if (addressType && CHANNEL_BY_TYPE[addressType]) return { channel: CHANNEL_BY_TYPE[addressType]!, rawChannel: addressType };
  return { channel: 'OTHER', ...(type ? { rawChannel: type } : {}) };
}

const KIND_BY_TYPE: Record<string, AddressKind> = {
  tel: 'tel', whatsapp: 'whatsapp', line: 'line', email: 'email', sip: 'sip', webchat: 'chat', web_session: 'chat', extension: 'other',
};

export function voipbinAddress(a: VoipbinAddress | undefined): Address | undefined {
  if (!a?.target) return undefined;
  const kind = KIND_BY_TYPE[a.type ?? ''] ?? 'other';
  const value = kind === 'tel' || kind === 'whatsapp' ? (toE164(a.target) ?? a.target) : a.target;
  const displayName = a.target_name || a.name;
  return displayName ? { kind, value, displayName } : { kind, value };
}

/** VoIPBIN message status on the neutral scale; `done` means VoIPBIN handed it on. */
function outboundStatus(status: string | undefined): DeliveryStatus {
  if (status === 'done') return 'sent';
  if (status === 'failed') return 'failed';
  return 'queued';
}

function medias(list: VoipbinMessage['medias']): Media[] {
  return (list ?? [])
    .filter((m) => m.url || m.filename || m.id)
    .map((m) => ({
      url: m.url ?? '',
      ...(m.type ? { type: m.type } : {}),
      ...(m.filename ? { filename: m.filename } : {}),
    }));
}

async function recordConversation(c: VoipbinConversation, ctx: RecordContext, deleted: boolean) {
  const at = voipbinTime(c.tm_update) ?? voipbinTime(c.tm_create) ?? isoFromMs(ctx.receivedAt);
  const contact = voipbinAddress(c.peer);
  const self = voipbinAddress(c.self);
  const { channel, rawChannel } = channelOf(c.type, c.peer, c.self);
  return ctx.store.upsertConversation({
    id: id(c.id),
    provider: PROVIDER_ID,
    providerId: c.id,
    channel,
    ...(rawChannel ? { rawChannel } : {}),
    ...(contact ? { contact } : {}),
    participants: [contact, self].filter((a): a is Address => a !== undefined),
    state: deleted || voipbinTime(c.tm_delete) ? 'deleted' : 'active',
    metadata: compactMetadata({ name: c.name, detail: c.detail, account_id: c.account_id, dialog_id: c.dialog_id }),
    at,
  });
}

async function recordMessage(m: VoipbinMessage, ctx: RecordContext, arrival: boolean): Promise<Recorded> {
  const createdAt = voipbinTime(m.tm_create) ?? isoFromMs(ctx.receivedAt);
  const inbound = m.direction === 'incoming';
  const from = voipbinAddress(m.source);
  const to = voipbinAddress(m.destination);
  const { channel, rawChannel } = channelOf(m.reference_type, m.source, m.destination);
  const media = medias(m.medias);
  const message: Message = {
    id: id(m.id),
    provider: PROVIDER_ID,
    providerId: m.id,
    conversationId: id(m.conversation_id),
    direction: inbound ? 'inbound' : 'outbound',
    channel,
    ...(rawChannel ? { rawChannel } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(m.text !== undefined ? { text: m.text } : {}),
    media,
    kind: media.length > 0 ? 'media' : 'text',
    metadata: compactMetadata({ reference_type: m.reference_type, reference_id: m.reference_id }),
    status: inbound ? 'received' : 'queued',
    statusHistory: [],
    createdAt,
    updatedAt: createdAt,
  };
  // `_updated` may arrive before `_created`: appending is idempotent and the status
  // moves by rank, so either order ends in the same record.
  const appended = ctx.store.appendMessage(message);
  const delivery = inbound || !m.status
    ? undefined
    : ctx.store.applyDelivery({
        messageId: message.id,
        provider: PROVIDER_ID,
        providerId: m.id,
        conversationId: message.conversationId!,
        channel,
        ...(to ? { to } : {}),
        change: { status: outboundStatus(m.status), rawStatus: m.status, at: voipbinTime(m.tm_update) ?? createdAt },
      });
  const [a, d] = await Promise.all([appended, delivery]);
  return {
    message: d?.message ?? a.message,
    messageCreated: a.created,
    // `_created` of an incoming message is its arrival, whichever event reached the store first.
    inboundMessage: arrival && inbound,
    ...(d ? { delivery: { ...d, reported: outboundStatus(m.status) } } : {}),
  };
}

export async function recordVoipbin(event: VoipbinEvent, ctx: RecordContext): Promise<Recorded> {
  if (event.unknown) return {};
  switch (event.type) {
    case 'conversation_created':
      return { conversation: await recordConversation(event.payload.data, ctx, false), conversationStarted: true };
    case 'conversation_updated':
      return { conversation: await recordConversation(event.payload.data, ctx, false) };
    case 'conversation_deleted':
      return { conversation: await recordConversation(event.payload.data, ctx, true), conversationEnded: true };
    case 'conversation_message_created':
      return recordMessage(event.payload.data, ctx, true);
    case 'conversation_message_updated':
      return recordMessage(event.payload.data, ctx, false);
    case 'conversation_message_deleted':
      return {};
  }
}
