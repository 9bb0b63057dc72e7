import type { FromSchema } from 'json-schema-to-ts';

/*
 * VoIPBIN sends Go structs marshalled with omitempty: strings and lists may be
 * absent, UUIDs and address objects are always present (possibly nil/empty),
 * and the value sets (address types, conversation types) keep growing, so
 * enums are open strings here and extra fields are always allowed.
 */

/** Three eras: `2022-06-23 05:05:40.950834`, `2026-01-15T09:30:00.000000Z`, RFC 3339 or null; year 9999 means unset. */
const timestamp = { type: ['string', 'null'] } as const;

export const voipbinAddressSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    type: { type: 'string' },
    target: { type: 'string' },
    target_name: { type: 'string' },
    name: { type: 'string' },
    detail: { type: 'string' },
  },
} as const;

export const voipbinConversationSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1 },
    customer_id: { type: 'string' },
    owner_type: { type: 'string' },
    owner_id: { type: 'string' },
    account_id: { type: 'string' },
    name: { type: 'string' },
    detail: { type: 'string' },
    type: { type: 'string' },
    dialog_id: { type: 'string' },
    self: voipbinAddressSchema,
    peer: voipbinAddressSchema,
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
  },
} as const;

export const voipbinMediaSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    customer_id: { type: 'string' },
    type: { type: 'string' },
    filename: { type: 'string' },
    url: { type: 'string' },
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
  },
} as const;

export const voipbinMessageSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['id', 'conversation_id'],
  properties: {
    id: { type: 'string', minLength: 1 },
    customer_id: { type: 'string' },
    conversation_id: { type: 'string', minLength: 1 },
    direction: { type: 'string' },
    status: { type: 'string' },
    reference_type: { type: 'string' },
    reference_id: { type: 'string' },
    source: voipbinAddressSchema,
    destination: voipbinAddressSchema,
    text: { type: 'string' },
    medias: { type: ['array', 'null'], items: voipbinMediaSchema },
    tm_create: timestamp,
    tm_update: timestamp,
    tm_delete: timestamp,
  },
} as const;

const envelope = <T extends string, D>(type: T, data: D) =>
  ({
    type: 'object',
    additionalProperties: true,
    required: ['type', 'data'],
    properties: { type: { const: type }, data },
  }) as const;

export const voipbinEvents = [
  { type: 'conversation_created', hook: 'onConversationCreated', schema: envelope('conversation_created', voipbinConversationSchema) },
  { type: 'conversation_updated', hook: 'onConversationUpdated', schema: envelope('conversation_updated', voipbinConversationSchema) },
  { type: 'conversation_deleted', hook: 'onConversationDeleted', schema: envelope('conversation_deleted', voipbinConversationSchema) },
  { type: 'conversation_message_created', hook: 'onConversationMessageCreated', schema: envelope('conversation_message_created', voipbinMessageSchema) },
  { type: 'conversation_message_updated', hook: 'onConversationMessageUpdated', schema: envelope('conversation_message_updated', voipbinMessageSchema) },
  { type: 'conversation_message_deleted', hook: 'onConversationMessageDeleted', schema: envelope('conversation_message_deleted', voipbinMessageSchema) },
] as const;

export type VoipbinAddress = FromSchema<typeof voipbinAddressSchema>;
export type VoipbinConversation = FromSchema<typeof voipbinConversationSchema>;
export type VoipbinMessage = FromSchema<typeof voipbinMessageSchema>;
export type VoipbinMedia = FromSchema<typeof voipbinMediaSchema>;

/** Known address `type` values, plus any string VoIPBIN adds later. */
export type VoipbinAddressType =
  | 'agent' | 'ai' | 'ai_team' | 'conference' | 'email' | 'extension' | 'line' | 'sip' | 'tel' | 'webchat' | 'web_session' | 'whatsapp'
  | (string & {});

export type VoipbinEventType = (typeof voipbinEvents)[number]['type'];

export interface VoipbinEventMap {
  conversation_created: { type: 'conversation_created'; data: VoipbinConversation };
  conversation_updated: { type: 'conversation_updated'; data: VoipbinConversation };
  conversation_deleted: { type: 'conversation_deleted'; data: VoipbinConversation };
  conversation_message_created: { type: 'conversation_message_created'; data: VoipbinMessage };
  conversation_message_updated: { type: 'conversation_message_updated'; data: VoipbinMessage };
  conversation_message_deleted: { type: 'conversation_message_deleted'; data: VoipbinMessage };
}
