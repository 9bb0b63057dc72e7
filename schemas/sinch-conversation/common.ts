import {
  channelString,
  processingModeString,
  reasonCodeString,
  reasonSubCodeString,
  type FromSinchSchema,
} from './open-strings.js';

/*
 * Conventions for every schema in this folder:
 * - `additionalProperties: true` on every object, because Sinch adds fields
 *   to callbacks over time and an unknown field must never cost us an event.
 * - `required` only lists fields without which the callback cannot be acted
 *   on; the official doc examples omit plenty of the rest.
 * - Shared pieces are reused by spreading `as const` objects rather than
 *   `$ref`, which keeps json-schema-to-ts cheap and needs no `$id`s.
 * - No `format` keywords: plain Ajv in strict mode throws on formats it does
 *   not know, and timestamps are passed through untouched anyway.
 */

/**
 * Fields every callback carries next to its one trigger key. Only `app_id`
 * is required: the doc examples leave out `event_time`, `accepted_time` and
 * `message_metadata`, and send `project_id: ""`.
 */
export const envelopeProperties = {
  app_id: { type: 'string' },
  project_id: { type: 'string' },
  accepted_time: { type: 'string' },
  event_time: { type: 'string' },
  message_metadata: { type: 'string' },
  correlation_id: { type: 'string' },
} as const;

/** `app_id` is `""` in several doc examples, so it stays optional. */
export const channelIdentitySchema = {
  type: 'object',
  required: ['channel', 'identity'],
  properties: {
    channel: channelString,
    identity: { type: 'string' },
    app_id: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** Sinch sends reasons with any subset of these fields, so none is required. */
export const reasonSchema = {
  type: 'object',
  properties: {
    code: reasonCodeString,
    description: { type: 'string' },
    sub_code: reasonSubCodeString,
    channel_code: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const processingModeProperty = { processing_mode: processingModeString } as const;

export const conversationSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    app_id: { type: 'string' },
    contact_id: { type: 'string' },
    active_channel: channelString,
    active: { type: 'boolean' },
    last_received: { type: 'string' },
    metadata: { type: 'string' },
    metadata_json: { type: 'object', additionalProperties: true },
    correlation_id: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const contactSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    channel_identities: { type: 'array', items: channelIdentitySchema },
    channel_priority: { type: 'array', items: channelString },
    display_name: { type: 'string' },
    email: { type: 'string' },
    external_id: { type: 'string' },
    metadata: { type: 'string' },
    // Open string: Sinch's list has 70+ codes and keeps growing.
    language: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export type ChannelIdentity = FromSinchSchema<typeof channelIdentitySchema>;
export type DeliveryReason = FromSinchSchema<typeof reasonSchema>;
// Prefixed: the package root also exports the provider-neutral `Conversation` and `Contact`.
export type SinchConversationResource = FromSinchSchema<typeof conversationSchema>;
export type SinchContact = FromSinchSchema<typeof contactSchema>;
