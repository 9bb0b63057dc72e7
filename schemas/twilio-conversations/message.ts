import { attributesProperty, commonProperties, mediaProperty, stringProperty as str } from './common.js';
import type { FromTwilioSchema } from './open-strings.js';

/** What a message carries in every message event. */
const content = {
  ...commonProperties,
  ConversationSid: str,
  MessagingServiceSid: str,
  Body: str,
  Author: str,
  ParticipantSid: str,
  ...attributesProperty,
  ...mediaProperty,
} as const;

/** Once the message exists it has a sid, an index and a creation time. */
const existing = { ...content, MessageSid: str, Index: str, DateCreated: str, DateUpdated: str } as const;

/** Pre-action: the message is about to be posted; it has no sid or index yet. Modify or reject it. */
export const onMessageAddSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onMessageAdd' }, ...content },
  additionalProperties: true,
} as const;

export const onMessageAddedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid'],
  properties: { EventType: { type: 'string', const: 'onMessageAdded' }, ...existing },
  additionalProperties: true,
} as const;

/** Pre-action: a message's body or attributes are about to change. Modify or reject it. */
export const onMessageUpdateSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid'],
  properties: { EventType: { type: 'string', const: 'onMessageUpdate' }, ...existing },
  additionalProperties: true,
} as const;

export const onMessageUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid'],
  properties: { EventType: { type: 'string', const: 'onMessageUpdated' }, ...existing },
  additionalProperties: true,
} as const;

/** Pre-action: a message is about to be deleted. Reject it to keep it. */
export const onMessageRemoveSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid'],
  properties: { EventType: { type: 'string', const: 'onMessageRemove' }, ...existing },
  additionalProperties: true,
} as const;

export const onMessageRemovedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid'],
  properties: { EventType: { type: 'string', const: 'onMessageRemoved' }, ...existing, DateRemoved: str },
  additionalProperties: true,
} as const;

export type OnMessageAddParams = FromTwilioSchema<typeof onMessageAddSchema>;
export type OnMessageAddedParams = FromTwilioSchema<typeof onMessageAddedSchema>;
export type OnMessageUpdateParams = FromTwilioSchema<typeof onMessageUpdateSchema>;
export type OnMessageUpdatedParams = FromTwilioSchema<typeof onMessageUpdatedSchema>;
export type OnMessageRemoveParams = FromTwilioSchema<typeof onMessageRemoveSchema>;
export type OnMessageRemovedParams = FromTwilioSchema<typeof onMessageRemovedSchema>;
