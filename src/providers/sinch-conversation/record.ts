import type { Address, Channel, DeliveryStatus, Media, Message } from '../../model/index.js';
import { addressFor, compactMetadata, normalizeChannel } from '../../model/normalize.js';
import { firstIsoTime, isoTime } from '../../model/time.js';
import type { RecordContext, Recorded } from '../provider.js';
import type { SinchConversationEvent } from './events.js';

export const PROVIDER_ID = 'sinch-conversation';

const id = (providerId: string): string => `${PROVIDER_ID}:${providerId}`;

interface ChannelIdentityLike {
  channel?: string;
  identity?: string;
  app_id?: string;
}

interface ContactLike {
  id: string;
  channel_identities?: ChannelIdentityLike[];
  display_name?: string;
  email?: string;
  external_id?: string;
  metadata?: string;
  language?: string;
}

interface ConversationLike {
  id: string;
  contact_id?: string;
  active_channel?: string;
  metadata?: string;
  metadata_json?: unknown;
  correlation_id?: string;
  last_received?: string;
}

/** Sinch delivery statuses on the neutral scale; unknown future statuses rank lowest so they never regress a message. */
export function neutralDeliveryStatus(raw: string): DeliveryStatus {
  switch (raw) {
    case 'QUEUED':
      return 'queued';
    case 'QUEUED_ON_CHANNEL':
    case 'SWITCHING_CHANNEL':
      return 'sent';
    case 'DELIVERED':
      return 'delivered';
    case 'READ':
      return 'read';
    case 'FAILED':
      return 'failed';
    default:
      return 'queued';
  }
}

function identityAddress(ci: ChannelIdentityLike | undefined, displayName?: string): { channel: Channel; rawChannel?: string; address?: Address } {
  const channel = normalizeChannel(ci?.channel);
  if (!ci?.identity) return { channel, ...(ci?.channel ? { rawChannel: ci.channel } : {}) };
  return { channel, ...(ci.channel ? { rawChannel: ci.channel } : {}), address: addressFor(channel, ci.identity, displayName) };
}

/** Flattens `metadata_json` one level into string values. */
function jsonMetadata(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [`json.${k}`, v]));
}

interface ContactMessageLike {
  text_message?: { text?: string };
  media_message?: { url?: string; thumbnail_url?: string; filename_override?: string };
  location_message?: { title?: string; label?: string; coordinates?: { latitude?: number; longitude?: number } };
  choice_response_message?: { message_id?: string; postback_data?: string };
  media_card_message?: { url?: string; caption?: string };
  fallback_message?: { raw_message?: string; reason?: unknown };
  product_response_message?: { title?: string; products?: unknown[] };
  channel_specific_message?: { message_type?: string; message?: { nfm_reply?: { body?: string } } };
  reply_to?: { message_id?: string } | null;
}

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  mp4: 'video/mp4', '3gp': 'video/3gpp', mp3: 'audio/mpeg', ogg: 'audio/ogg', amr: 'audio/amr', aac: 'audio/aac',
  pdf: 'application/pdf', vcf: 'text/vcard', txt: 'text/plain',
};

/** Sinch sends no media type; a URL's extension is the best hint there is. */
function guessMediaType(url: string | undefined): string | undefined {
  const ext = url?.split(/[?#]/)[0]?.split('.').pop()?.toLowerCase();
  return ext ? EXTENSION_TYPES[ext] : undefined;
}

/** The content fields of a neutral message from one `contact_message` shape. */
export function normalizeContactMessage(cm: ContactMessageLike): Pick<Message, 'kind' | 'text' | 'media' | 'location' | 'choice' | 'quotedMessageId'> {
  const media: Media[] = [];
  const out: Pick<Message, 'kind' | 'text' | 'media' | 'location' | 'choice' | 'quotedMessageId'> = { kind: 'unknown', media };
  if (cm.reply_to?.message_id) out.quotedMessageId = cm.reply_to.message_id;
  if (cm.text_message) {
    out.kind = 'text';
    if (cm.text_message.text !== undefined) out.text = cm.text_message.text;
  } else if (cm.media_message?.url) {
    out.kind = 'media';
    const m = cm.media_message;
    const type = guessMediaType(m.url);
    media.push({
      url: m.url!,
      ...(type ? { type } : {}),
      ...(m.filename_override ? { filename: m.filename_override } : {}),
      ...(m.thumbnail_url ? { thumbnailUrl: m.thumbnail_url } : {}),
    });
  } else if (cm.location_message) {
    out.kind = 'location';
    const l = cm.location_message;
    out.location = {
      latitude: l.coordinates?.latitude ?? 0,
      longitude: l.coordinates?.longitude ?? 0,
      ...(l.title ? { title: l.title } : {}),
      ...(l.label ? { label: l.label } : {}),
    };
  } else if (cm.choice_response_message) {
    out.kind = 'choice';
    const c = cm.choice_response_message;
    out.choice = { postbackData: c.postback_data ?? '', ...(c.message_id ? { messageId: c.message_id } : {}) };
  } else if (cm.media_card_message?.url) {
    out.kind = 'media';
    const m = cm.media_card_message;
    const type = guessMediaType(m.url);
    media.push({ url: m.url!, ...(type ? { type } : {}), ...(m.caption ? { caption: m.caption } : {}) });
    if (m.caption) out.text = m.caption;
  } else if (cm.fallback_message) {
    out.kind = 'fallback';
    if (cm.fallback_message.raw_message) out.text = cm.fallback_message.raw_message;
  } else if (cm.product_response_message) {
    out.kind = 'product';
    if (cm.product_response_message.title) out.text = cm.product_response_message.title;
  } else if (cm.channel_specific_message) {
    out.kind = 'channel_specific';
    const body = cm.channel_specific_message.message?.nfm_reply?.body;
    if (body) out.text = body;
  }
  return out;
}

/**
 * Contact Pro and similar apps put key-value pairs in `metadata` as a JSON
 * object string; expand those so they read as metadata, keep anything else whole.
 */
export function keyValueMetadata(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string' || raw === '') return {};
  if (raw.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { ...(parsed as Record<string, unknown>) };
    } catch {
      // Not JSON after all: keep the string as it is.
    }
  }
  return { metadata: raw };
}

async function recordContact(contact: ContactLike, at: string, ctx: RecordContext, extra: { deleted?: boolean; mergedInto?: string } = {}) {
  const addresses = (contact.channel_identities ?? [])
    .filter((ci) => ci.identity)
    .map((ci) => addressFor(normalizeChannel(ci.channel), ci.identity!, contact.display_name || undefined));
  return ctx.store.upsertContact({
    id: id(contact.id),
    provider: PROVIDER_ID,
    providerId: contact.id,
    addresses,
    ...(contact.display_name ? { displayName: contact.display_name } : {}),
    ...(contact.email ? { email: contact.email } : {}),
    ...(contact.language ? { language: contact.language } : {}),
    ...(contact.external_id ? { externalId: contact.external_id } : {}),
    metadata: compactMetadata({ metadata: contact.metadata }),
    ...extra,
    at,
  });
}

async function recordConversation(conversation: ConversationLike, state: 'active' | 'closed' | 'deleted', at: string, ctx: RecordContext) {
  const channel = conversation.active_channel ? normalizeChannel(conversation.active_channel) : undefined;
  return ctx.store.upsertConversation({
    id: id(conversation.id),
    provider: PROVIDER_ID,
    providerId: conversation.id,
    ...(channel ? { channel, rawChannel: conversation.active_channel! } : {}),
    ...(conversation.contact_id ? { contactId: id(conversation.contact_id) } : {}),
    state,
    metadata: compactMetadata({ metadata: conversation.metadata, correlation_id: conversation.correlation_id, ...jsonMetadata(conversation.metadata_json) }),
    at,
  });
}

/** Writes what a callback says into the store. Every write is an idempotent upsert, so retries are harmless. */
export async function recordSinchConversation(event: SinchConversationEvent, ctx: RecordContext): Promise<Recorded> {
  const p = event.payload as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const envelopeAt = firstIsoTime([p['event_time'], p['accepted_time']], ctx.receivedAt);
  switch (event.type) {
    case 'MESSAGE_INBOUND': {
      const m = p['message'];
      const at = isoTime(m.accept_time) ?? envelopeAt;
      const { channel, rawChannel, address } = identityAddress(m.channel_identity);
      // Independent writes go out together (one round trip on a pipelining store).
      const conversation = m.conversation_id
        ? ctx.store.upsertConversation({
            id: id(m.conversation_id),
            provider: PROVIDER_ID,
            providerId: m.conversation_id,
            channel,
            ...(rawChannel ? { rawChannel } : {}),
            ...(m.contact_id ? { contactId: id(m.contact_id) } : {}),
            ...(address ? { contact: address, participants: [address] } : {}),
            at,
          })
        : undefined;
      const message: Message = {
        id: id(m.id),
        provider: PROVIDER_ID,
        providerId: m.id,
        ...(m.conversation_id ? { conversationId: id(m.conversation_id) } : {}),
        direction: 'inbound',
        channel,
        ...(rawChannel ? { rawChannel } : {}),
        ...(address ? { from: address } : {}),
        ...(m.contact_id ? { author: id(m.contact_id) } : {}),
        ...normalizeContactMessage(m.contact_message ?? {}),
        metadata: compactMetadata({
          ...keyValueMetadata(m.metadata),
          message_metadata: p['message_metadata'],
          correlation_id: p['correlation_id'],
          sender_id: m.sender_id,
          processing_mode: m.processing_mode,
          app_id: p['app_id'],
        }),
        status: 'received',
        statusHistory: [],
        createdAt: at,
        updatedAt: at,
      };
      const [appended, recordedConversation] = await Promise.all([ctx.store.appendMessage(message), conversation]);
      return {
        message: appended.message,
        messageCreated: appended.created,
        inboundMessage: true,
        ...(recordedConversation ? { conversation: recordedConversation } : {}),
      };
    }
    case 'MESSAGE_DELIVERY': {
      const r = p['message_delivery_report'];
      const { channel, rawChannel, address } = identityAddress(r.channel_identity);
      const reason = r.reason
        ? { ...(r.reason.code ? { code: r.reason.code } : {}), ...(r.reason.description ? { description: r.reason.description } : {}), ...(r.reason.sub_code ? { subCode: r.reason.sub_code } : {}) }
        : undefined;
      const delivery = await ctx.store.applyDelivery({
        messageId: id(r.message_id),
        provider: PROVIDER_ID,
        providerId: r.message_id,
        ...(r.conversation_id ? { conversationId: id(r.conversation_id) } : {}),
        channel,
        ...(rawChannel ? { rawChannel } : {}),
        ...(address ? { to: address } : {}),
        change: { status: neutralDeliveryStatus(r.status), rawStatus: r.status, at: envelopeAt, ...(reason ? { reason } : {}) },
      });
      return { delivery: { ...delivery, reported: neutralDeliveryStatus(r.status) }, message: delivery.message };
    }
    case 'MESSAGE_SUBMIT': {
      const n = p['message_submit_notification'];
      const { channel, rawChannel, address } = identityAddress(n.channel_identity);
      const message: Message = {
        id: id(n.message_id),
        provider: PROVIDER_ID,
        providerId: n.message_id,
        ...(n.conversation_id ? { conversationId: id(n.conversation_id) } : {}),
        direction: 'outbound',
        channel,
        ...(rawChannel ? { rawChannel } : {}),
        ...(address ? { to: address } : {}),
        ...normalizeContactMessage(n.submitted_message ?? {}),
        metadata: compactMetadata({ metadata: n.metadata, correlation_id: p['correlation_id'] }),
        status: 'queued',
        statusHistory: [],
        createdAt: envelopeAt,
        updatedAt: envelopeAt,
      };
      const appended = await ctx.store.appendMessage(message);
      return { message: appended.message, messageCreated: appended.created, inboundMessage: false };
    }
    case 'CONVERSATION_START':
      return {
        conversation: await recordConversation(p['conversation_start_notification'].conversation, 'active', envelopeAt, ctx),
        conversationStarted: true,
      };
    case 'CONVERSATION_STOP':
      // STOP is Sinch's end-of-conversation event; DELETE only removes the record later.
      return {
        conversation: await recordConversation(p['conversation_stop_notification'].conversation, 'closed', envelopeAt, ctx),
        conversationEnded: true,
      };
    case 'CONVERSATION_DELETE':
      return { conversation: await recordConversation(p['conversation_delete_notification'].conversation, 'deleted', envelopeAt, ctx) };
    case 'CONTACT_CREATE':
      return { contact: await recordContact(p['contact_create_notification'].contact, envelopeAt, ctx) };
    case 'CONTACT_UPDATE':
      return { contact: await recordContact(p['contact_update_notification'].contact, envelopeAt, ctx) };
    case 'CONTACT_DELETE':
      return { contact: await recordContact(p['contact_delete_notification'].contact, envelopeAt, ctx, { deleted: true }) };
    case 'CONTACT_MERGE': {
      const n = p['contact_merge_notification'];
      // Both writes go out together: one round trip on a pipelining store.
      const [preserved] = await Promise.all([
        recordContact(n.preserved_contact, envelopeAt, ctx),
        recordContact(n.deleted_contact, envelopeAt, ctx, { deleted: true, mergedInto: id(n.preserved_contact.id) }),
      ]);
      return { contact: preserved };
    }
    default:
      // The other triggers (events, capability, opt-in/out, channel events, analysis
      // results, records) describe no conversation state; hooks still see them.
      return {};
  }
}
