import { attributesProperty, commonProperties, participantBindingProperties, stringProperty as str } from './common.js';
import type { FromTwilioSchema } from './open-strings.js';

/** `Identity` is set for chat participants and empty for SMS/WhatsApp ones, which have a binding instead. */
const resource = {
  ...commonProperties,
  ConversationSid: str,
  DateCreated: str,
  DateUpdated: str,
  Identity: str,
  RoleSid: str,
  ...attributesProperty,
  ...participantBindingProperties,
} as const;

const existing = { ...resource, ParticipantSid: str } as const;

/** Pre-action: a participant is about to join (no sid yet). Reject it to keep them out. */
export const onParticipantAddSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantAdd' }, ...resource },
  additionalProperties: true,
} as const;

export const onParticipantAddedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'ParticipantSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantAdded' }, ...existing },
  additionalProperties: true,
} as const;

/** Pre-action: a participant's attributes or role are about to change (not reachability). */
export const onParticipantUpdateSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'ParticipantSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantUpdate' }, ...existing },
  additionalProperties: true,
} as const;

export const onParticipantUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'ParticipantSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantUpdated' }, ...existing, LastReadMessageIndex: str },
  additionalProperties: true,
} as const;

/** Pre-action: a participant is about to be removed. */
export const onParticipantRemoveSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'ParticipantSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantRemove' }, ...existing },
  additionalProperties: true,
} as const;

export const onParticipantRemovedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'ParticipantSid'],
  properties: { EventType: { type: 'string', const: 'onParticipantRemoved' }, ...existing, DateRemoved: str },
  additionalProperties: true,
} as const;

export type OnParticipantAddParams = FromTwilioSchema<typeof onParticipantAddSchema>;
export type OnParticipantAddedParams = FromTwilioSchema<typeof onParticipantAddedSchema>;
export type OnParticipantUpdateParams = FromTwilioSchema<typeof onParticipantUpdateSchema>;
export type OnParticipantUpdatedParams = FromTwilioSchema<typeof onParticipantUpdatedSchema>;
export type OnParticipantRemoveParams = FromTwilioSchema<typeof onParticipantRemoveSchema>;
export type OnParticipantRemovedParams = FromTwilioSchema<typeof onParticipantRemovedSchema>;
