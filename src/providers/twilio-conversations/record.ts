import type { Address, Channel, ConversationState, DeliveryStatus, Media, Message } from '../../model/index.js';
import { DELIVERY_RANK } from '../../model/index.js';
import { addressFor, compactMetadata, normalizeChannel, toE164 } from '../../model/normalize.js';
import { firstIsoTime, isoTime } from '../../model/time.js';
import type { TwilioMedia } from '../../../schemas/twilio-conversations/index.js';
import type { RecordContext, Recorded } from '../provider.js';
import { PROVIDER_ID, type TwilioConversationsEvent } from './events.js';

const id = (sid: string): string => `${PROVIDER_ID}:${sid}`;

export interface RecordOptions {
  /** Author of our own messages: they are recorded as outbound. */
  botIdentity: string;
}

const BINDING_CHANNELS: Record<string, Channel> = { SMS: 'SMS', MMS: 'MMS', WHATSAPP: 'WHATSAPP', CHAT: 'CHAT' };

/**
 * The neutral address of a Twilio address. Channel addresses carry their
 * channel as a prefix (`whatsapp:+15551234567`, `messenger:123`), phone
 * numbers are bare E.164, anything else is a chat identity. `bindingType`
 * (`MessagingBinding.Type`) wins when given.
 */
export function twilioAddress(raw: string, bindingType?: string): { channel: Channel; address: Address } {
  // Only Twilio's channel prefixes: a chat identity may itself contain a colon.
  const prefixed = /^(whatsapp|messenger|instagram|rcs|gbm|tel):(.+)$/i.exec(raw);
  const typed = bindingType ? BINDING_CHANNELS[bindingType.toUpperCase()] : undefined;
  if (prefixed && prefixed[1]!.toLowerCase() !== 'tel') {
    const channel = typed && typed !== 'CHAT' ? typed : normalizeChannel(prefixed[1]);
    return { channel, address: addressFor(channel, prefixed[2]!) };
  }
  const value = prefixed ? prefixed[2]! : raw;
  if (typed === 'CHAT') return { channel: 'CHAT', address: addressFor('CHAT', raw) };
  if (typed || toE164(value) !== undefined) {
    const channel = typed ?? 'SMS';
    return { channel, address: addressFor(channel, value) };
  }
  return { channel: 'CHAT', address: addressFor('CHAT', raw) };
}

/** Twilio receipt statuses on the neutral scale; an unknown status ranks lowest so it never regresses a message. */
export function neutralTwilioStatus(raw: string): DeliveryStatus {
  switch (raw.toLowerCase()) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
    case 'undelivered':
      return 'failed';
    default:
      return 'queued';
  }
}

/**
 * Each participant's furthest receipt status, from a message's history.
 * Receipts move independently per participant and arrive out of order, so
 * this is the highest rank each recipient reached, never the latest report.
 */
export function participantDeliveryStatuses(message: Pick<Message, 'statusHistory'>): Record<string, DeliveryStatus> {
  const out: Record<string, DeliveryStatus> = {};
  for (const change of message.statusHistory) {
    if (!change.recipient) continue;
    const current = out[change.recipient];
    if (current === undefined || DELIVERY_RANK[change.status] > DELIVERY_RANK[current]) out[change.recipient] = change.status;
  }
  return out;
}


function str(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  // A key sent more than once (only MessagingBinding.Address is expected to be).
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0] === '' ? undefined : v[0];
  return undefined;
}

function all(p: Record<string, unknown>, key: string): string[] {
  const v = p[key];
  if (typeof v === 'string') return v === '' ? [] : [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** `{}` is Twilio's "no attributes"; keeping it would only clutter metadata. */
function attributesMetadata(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '{}' ? undefined : raw;
}

/** Conversations media has no public URL; the Media Content Service serves it by service and media sid. */
function toModelMedia(media: readonly TwilioMedia[], chatServiceSid: string | undefined): Media[] {
  return media.flatMap((m) => {
    const url = m.url ?? (m.sid && chatServiceSid ? `https://mcs.us1.twilio.com/v1/Services/${chatServiceSid}/Media/${m.sid}` : m.sid ? `twilio-media:${m.sid}` : undefined);
    if (!url) return [];
    return [{ url, ...(m.contentType ? { type: m.contentType } : {}), ...(m.filename ? { filename: m.filename } : {}) }];
  });
}

function messageChannel(authorChannel: Channel, source: string | undefined): Channel {
  if (authorChannel !== 'CHAT') return authorChannel;
  const bySource = normalizeChannel(source);
  return bySource === 'OTHER' ? 'CHAT' : bySource;
}

async function recordMessage(p: Record<string, unknown>, ctx: RecordContext, opts: RecordOptions): Promise<Recorded> {
  const messageSid = str(p, 'MessageSid')!;
  const conversationSid = str(p, 'ConversationSid')!;
  const author = str(p, 'Author');
  const source = str(p, 'Source');
  const fromBot = author === opts.botIdentity;
  const from = author ? twilioAddress(author) : undefined;
  const channel = messageChannel(from?.channel ?? 'CHAT', source);
  const at = firstIsoTime([p['DateCreated'], p['DateUpdated']], ctx.receivedAt);
  const media = toModelMedia(Array.isArray(p['media']) ? (p['media'] as TwilioMedia[]) : [], str(p, 'ChatServiceSid'));
  const outbound = fromBot || source === 'API';
  const message: Message = {
    id: id(messageSid),
    provider: PROVIDER_ID,
    providerId: messageSid,
    conversationId: id(conversationSid),
    direction: outbound ? 'outbound' : 'inbound',
    channel,
    ...(source ? { rawChannel: source } : {}),
    ...(from ? { from: from.address } : {}),
    ...(author ? { author } : {}),
    ...(typeof p['Body'] === 'string' ? { text: p['Body'] } : {}),
    media,
    kind: media.length > 0 ? 'media' : 'text',
    metadata: compactMetadata({
      index: p['Index'],
      participant_sid: p['ParticipantSid'],
      attributes: attributesMetadata(str(p, 'Attributes')),
      source,
      client_identity: p['ClientIdentity'],
      messaging_service_sid: p['MessagingServiceSid'],
      chat_service_sid: p['ChatServiceSid'],
    }),
    status: outbound ? 'sent' : 'received',
    statusHistory: [],
    createdAt: at,
    updatedAt: isoTime(p['DateUpdated']) ?? at,
  };
  // Independent writes go out together (one round trip on a pipelining store).
  const [appended, conversation] = await Promise.all([
    ctx.store.appendMessage(message),
    ctx.store.upsertConversation({
      id: id(conversationSid),
      provider: PROVIDER_ID,
      providerId: conversationSid,
      ...(channel !== 'CHAT' ? { channel } : {}),
      ...(from && !fromBot ? { participants: [from.address] } : {}),
      at,
    }),
  ]);
  return { message: appended.message, messageCreated: appended.created, conversation };
}

async function recordConversation(p: Record<string, unknown>, state: ConversationState | undefined, at: string, ctx: RecordContext): Promise<Recorded> {
  const conversationSid = str(p, 'ConversationSid')!;
  const addresses = all(p, 'MessagingBinding.Address').map((a) => twilioAddress(a));
  const proxy = str(p, 'MessagingBinding.ProxyAddress');
  const channel = addresses[0]?.channel;
  const conversation = await ctx.store.upsertConversation({
    id: id(conversationSid),
    provider: PROVIDER_ID,
    providerId: conversationSid,
    ...(channel && channel !== 'CHAT' ? { channel } : {}),
    // One address is the customer; a group MMS has several and no single contact.
    ...(addresses.length === 1 ? { contact: addresses[0]!.address } : {}),
    ...(addresses.length > 0 ? { participants: addresses.map((a) => a.address) } : {}),
    ...(state ? { state } : {}),
    metadata: compactMetadata({
      friendly_name: p['FriendlyName'],
      unique_name: p['UniqueName'],
      attributes: attributesMetadata(str(p, 'Attributes')),
      chat_service_sid: p['ChatServiceSid'],
      messaging_service_sid: p['MessagingServiceSid'],
      proxy_address: proxy ? twilioAddress(proxy).address.value : undefined,
      projected_address: p['MessagingBinding.ProjectedAddress'],
    }),
    at,
  });
  return { conversation };
}

function knownState(raw: string | undefined): ConversationState | undefined {
  return raw === 'active' || raw === 'inactive' || raw === 'closed' ? raw : undefined;
}

async function recordParticipant(p: Record<string, unknown>, ctx: RecordContext, removed: boolean): Promise<Recorded> {
  const participantSid = str(p, 'ParticipantSid')!;
  const conversationSid = str(p, 'ConversationSid')!;
  const identity = str(p, 'Identity');
  const binding = str(p, 'MessagingBinding.Address');
  const bindingType = str(p, 'MessagingBinding.Type');
  // Chat participants have an identity; SMS/WhatsApp ones a binding address instead.
  const own = identity ? { channel: 'CHAT' as Channel, address: addressFor('CHAT', identity) } : binding ? twilioAddress(binding, bindingType) : undefined;
  const proxyRaw = str(p, 'MessagingBinding.ProxyAddress');
  const proxy = proxyRaw ? twilioAddress(proxyRaw, bindingType).address : undefined;
  const at = firstIsoTime([p['DateRemoved'], p['DateUpdated'], p['DateCreated']], ctx.receivedAt);
  const [contact, conversation] = await Promise.all([
    ctx.store.upsertContact({
      id: id(participantSid),
      provider: PROVIDER_ID,
      providerId: participantSid,
      ...(own ? { addresses: [own.address] } : {}),
      ...(removed ? { deleted: true } : {}),
      metadata: compactMetadata({
        conversation_sid: conversationSid,
        binding_type: bindingType ?? (identity ? 'CHAT' : undefined),
        proxy_address: proxy?.value,
        projected_address: p['MessagingBinding.ProjectedAddress'],
        identity,
        role_sid: p['RoleSid'],
        attributes: attributesMetadata(str(p, 'Attributes')),
        last_read_message_index: p['LastReadMessageIndex'],
      }),
      at,
    }),
    ctx.store.upsertConversation({
      id: id(conversationSid),
      provider: PROVIDER_ID,
      providerId: conversationSid,
      ...(own && own.channel !== 'CHAT' ? { channel: own.channel, contact: own.address } : {}),
      ...(own && !removed ? { participants: [own.address] } : {}),
      ...(proxy ? { metadata: { proxy_address: proxy.value } } : {}),
      at,
    }),
  ]);
  return { contact, conversation };
}

const CHANNEL_BY_SID_PREFIX: Record<string, Channel> = { SM: 'SMS', MM: 'MMS', WA: 'WHATSAPP' };

async function recordDelivery(p: Record<string, unknown>, ctx: RecordContext): Promise<Recorded> {
  const messageSid = str(p, 'MessageSid')!;
  const conversationSid = str(p, 'ConversationSid');
  const status = str(p, 'Status') ?? '';
  const errorCode = str(p, 'ErrorCode');
  const channel = CHANNEL_BY_SID_PREFIX[(str(p, 'ChannelMessageSid') ?? '').slice(0, 2)];
  const participant = str(p, 'ParticipantSid');
  const delivery = await ctx.store.applyDelivery({
    messageId: id(messageSid),
    provider: PROVIDER_ID,
    providerId: messageSid,
    ...(conversationSid ? { conversationId: id(conversationSid) } : {}),
    ...(channel ? { channel } : {}),
    change: {
      status: neutralTwilioStatus(status),
      rawStatus: status,
      at: firstIsoTime([p['DateUpdated'], p['DateCreated']], ctx.receivedAt),
      // Receipts are per participant: the store keeps each one apart and the message shows the furthest.
      ...(participant ? { recipient: participant } : {}),
      ...(errorCode && errorCode !== '0' ? { reason: { code: errorCode } } : {}),
    },
  });
  return { delivery: { ...delivery, reported: neutralTwilioStatus(status) }, message: delivery.message };
}

async function recordUser(p: Record<string, unknown>, ctx: RecordContext): Promise<Recorded> {
  const userSid = str(p, 'UserSid')!;
  const identity = str(p, 'Identity');
  const contact = await ctx.store.upsertContact({
    id: id(userSid),
    provider: PROVIDER_ID,
    providerId: userSid,
    ...(identity ? { addresses: [addressFor('CHAT', identity)] } : {}),
    ...(str(p, 'FriendlyName') ? { displayName: str(p, 'FriendlyName')! } : {}),
    metadata: compactMetadata({
      role_sid: p['RoleSid'],
      attributes: attributesMetadata(str(p, 'Attributes')),
      chat_service_sid: p['ChatServiceSid'],
      is_online: p['isOnline'],
      is_notifiable: p['isNotifiable'],
    }),
    at: firstIsoTime([p['DateUpdated'], p['DateCreated']], ctx.receivedAt),
  });
  return { contact };
}

/**
 * Writes what a post-action event says into the store; every write is an
 * idempotent upsert. Pre-action events are proposals Twilio may yet drop
 * (a hook may reject them), so they record nothing.
 */
export async function recordTwilioConversations(event: TwilioConversationsEvent, ctx: RecordContext, opts: RecordOptions): Promise<Recorded> {
  if (event.unknown) return {};
  const p = event.payload as Record<string, unknown>;
  switch (event.type) {
    case 'onMessageAdded': {
      const recorded = await recordMessage(p, ctx, opts);
      return { ...recorded, inboundMessage: recorded.message?.direction === 'inbound' };
    }
    case 'onMessageUpdated':
      // The store keeps a message's first content: an edit records the message
      // only if it was not seen yet; the edit itself reaches hooks.
      return { ...(await recordMessage(p, ctx, opts)), inboundMessage: false };
    case 'onConversationAdded':
      return { ...(await recordConversation(p, knownState(str(p, 'State')), firstIsoTime([p['DateUpdated'], p['DateCreated']], ctx.receivedAt), ctx)), conversationStarted: true };
    case 'onConversationUpdated':
      return recordConversation(p, knownState(str(p, 'State')), firstIsoTime([p['DateUpdated'], p['DateCreated']], ctx.receivedAt), ctx);
    case 'onConversationRemoved':
      return recordConversation(p, 'deleted', firstIsoTime([p['DateRemoved'], p['DateUpdated']], ctx.receivedAt), ctx);
    case 'onConversationStateUpdated': {
      const to = knownState(str(p, 'StateTo'));
      const recorded = await recordConversation(p, to, firstIsoTime([p['StateUpdated']], ctx.receivedAt), ctx);
      // Closing is Twilio's end of a conversation (`closed` is final).
      return to === 'closed' ? { ...recorded, conversationEnded: true } : recorded;
    }
    case 'onParticipantAdded':
    case 'onParticipantUpdated':
      return recordParticipant(p, ctx, false);
    case 'onParticipantRemoved':
      return recordParticipant(p, ctx, true);
    case 'onDeliveryUpdated':
      return recordDelivery(p, ctx);
    case 'onUserAdded':
    case 'onUserUpdated':
      return recordUser(p, ctx);
    default:
      return {};
  }
}
