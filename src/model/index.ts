/**
 * The provider-neutral model. Every provider's `record` step writes these
 * shapes, so an app can read conversations, messages and calls without
 * knowing which provider they came from. Ids are `provider:providerId`.
 */

/** Channels normalized across providers; the provider's own value is kept in `rawChannel`. */
export type Channel =
  | 'SMS' | 'MMS' | 'WHATSAPP' | 'MESSENGER' | 'INSTAGRAM' | 'TELEGRAM' | 'VIBER' | 'LINE'
  | 'WECHAT' | 'KAKAOTALK' | 'RCS' | 'EMAIL' | 'CHAT' | 'VOICE' | 'APPLEBC' | 'OTHER';

export type AddressKind =
  | 'tel' | 'whatsapp' | 'messenger' | 'instagram' | 'telegram' | 'viber' | 'line' | 'wechat'
  | 'kakaotalk' | 'rcs' | 'email' | 'chat' | 'sip' | 'other';

export interface Address {
  kind: AddressKind;
  /** E.164 for phone-number kinds (tel, whatsapp, rcs, sms-like), otherwise the provider's identity. */
  value: string;
  displayName?: string;
}

export type Direction = 'inbound' | 'outbound';

/**
 * Neutral delivery status. Ordered by `DELIVERY_RANK`: a status only ever
 * replaces one of lower rank, so late or repeated reports cannot move a
 * message backwards.
 */
export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'failed' | 'delivered' | 'read';

export const DELIVERY_RANK: Readonly<Record<DeliveryStatus, number>> = {
  received: 0,
  queued: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};

export interface StatusChange {
  status: DeliveryStatus;
  /** The provider's own status string, e.g. `SWITCHING_CHANNEL` or `QUEUED_ON_CHANNEL`. */
  rawStatus: string;
  at: string;
  /** Who the status is about when a provider reports per participant (Twilio). */
  recipient?: string;
  reason?: { code?: string; description?: string; subCode?: string };
}

export interface Media {
  url: string;
  type?: string;
  filename?: string;
  thumbnailUrl?: string;
  caption?: string;
}

export interface Location {
  latitude: number;
  longitude: number;
  title?: string;
  label?: string;
}

export interface Choice {
  /** The message that carried the choices. */
  messageId?: string;
  postbackData: string;
}

export interface Message {
  id: string;
  provider: string;
  providerId: string;
  conversationId?: string;
  direction: Direction;
  channel: Channel;
  rawChannel?: string;
  from?: Address;
  to?: Address;
  author?: string;
  text?: string;
  media: Media[];
  location?: Location;
  choice?: Choice;
  /** The provider id of the message this one quotes or replies to. */
  quotedMessageId?: string;
  /** What kind of content the provider sent (`text`, `media`, `location`, `choice`, …). */
  kind: string;
  metadata: Record<string, string>;
  status: DeliveryStatus;
  statusHistory: StatusChange[];
  createdAt: string;
  updatedAt: string;
}

export type ConversationState = 'active' | 'inactive' | 'closed' | 'deleted';

export interface Conversation {
  id: string;
  provider: string;
  providerId: string;
  channel?: Channel;
  rawChannel?: string;
  contactId?: string;
  contact?: Address;
  participants: Address[];
  state: ConversationState;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface Contact {
  id: string;
  provider: string;
  providerId: string;
  displayName?: string;
  email?: string;
  language?: string;
  externalId?: string;
  addresses: Address[];
  deleted?: boolean;
  /** Set when a provider merged this contact into another. */
  mergedInto?: string;
  metadata: Record<string, string>;
  updatedAt: string;
}

export type CallState = 'ringing' | 'answered' | 'ended';

export const CALL_RANK: Readonly<Record<CallState, number>> = { ringing: 0, answered: 1, ended: 2 };

export interface Call {
  id: string;
  provider: string;
  providerId: string;
  from?: Address;
  to?: Address;
  domain?: string;
  state: CallState;
  menuResults: Array<{ menuId?: string; type?: string; value?: string; inputMethod?: string; at: string }>;
  amd?: { status?: string; reason?: string; duration?: number };
  result?: string;
  reason?: string;
  durationSec?: number;
  debit?: { amount: number; currencyId?: string };
  recordings: Array<{ url?: string; id?: string; at: string; transcription?: string }>;
  cookies: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** One row of a contact's cross-provider timeline. */
export type TimelineEntry =
  | { type: 'message'; at: string; provider: string; channel: Channel; message: Message }
  | { type: 'call'; at: string; provider: string; channel: 'VOICE'; call: Call };
