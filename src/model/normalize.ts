import type { Address, AddressKind, Channel } from './index.js';

const CHANNELS: Record<string, Channel> = {
  SMS: 'SMS', MMS: 'MMS', WHATSAPP: 'WHATSAPP', MESSENGER: 'MESSENGER', INSTAGRAM: 'INSTAGRAM',
  TELEGRAM: 'TELEGRAM', VIBER: 'VIBER', VIBERBM: 'VIBER', LINE: 'LINE', WECHAT: 'WECHAT',
  KAKAOTALK: 'KAKAOTALK', KAKAOTALKCHAT: 'KAKAOTALK', RCS: 'RCS', EMAIL: 'EMAIL', MAIL: 'EMAIL',
  CHAT: 'CHAT', VOICE: 'VOICE', CALL: 'VOICE', APPLEBC: 'APPLEBC', WEBCHAT: 'CHAT',
};

/** Maps a provider's channel name (any case, `WHATS_APP`, `whatsapp`…) to the neutral enum. */
export function normalizeChannel(raw: string | undefined): Channel {
  if (!raw) return 'OTHER';
  const key = raw.toUpperCase().replace(/[^A-Z]/g, '');
  return CHANNELS[key] ?? 'OTHER';
}

const KIND_BY_CHANNEL: Record<Channel, AddressKind> = {
  SMS: 'tel', MMS: 'tel', VOICE: 'tel', WHATSAPP: 'whatsapp', MESSENGER: 'messenger', INSTAGRAM: 'instagram',
  TELEGRAM: 'telegram', VIBER: 'viber', LINE: 'line', WECHAT: 'wechat', KAKAOTALK: 'kakaotalk', RCS: 'rcs',
  EMAIL: 'email', CHAT: 'chat', APPLEBC: 'other', OTHER: 'other',
};

/** Channels whose identities are phone numbers, so they join on E.164. */
const PHONE_KINDS = new Set<AddressKind>(['tel', 'whatsapp', 'rcs']);

/**
 * E.164 for something that looks like a phone number, else undefined.
 * Providers disagree on the `+` (Sinch sends `46732001122`, Twilio
 * `+46732001122`, some send `0046…`); all become `+46732001122`.
 */
export function toE164(value: string): string | undefined {
  const trimmed = value.trim().replace(/^tel:/i, '');
  const compact = trimmed.replace(/[\s().-]/g, '');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else digits = compact;
  if (!/^[1-9]\d{6,14}$/.test(digits)) return undefined;
  return `+${digits}`;
}

/** The neutral address of a channel identity; phone-like identities become E.164. */
export function addressFor(channel: Channel, identity: string, displayName?: string): Address {
  const kind = KIND_BY_CHANNEL[channel];
  const value = PHONE_KINDS.has(kind) ? (toE164(identity) ?? identity) : identity;
  return displayName ? { kind, value, displayName } : { kind, value };
}

/** Key-value metadata with empty values left out, so `""` placeholders do not clutter records. */
export function compactMetadata(entries: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined || v === null || v === '') continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
