import {
  attributesProperty, commonProperties, conversationBindingProperties, mediaProperty, stringProperty as str,
} from './common.js';
import { conversationStateString, stateReasonString, type FromTwilioSchema } from './open-strings.js';

const resource = {
  ...commonProperties,
  MessagingServiceSid: str,
  FriendlyName: str,
  UniqueName: str,
  ...attributesProperty,
  State: conversationStateString,
} as const;

/** A conversation that exists: it has a sid and timestamps. */
const existing = { ...resource, ConversationSid: str, DateCreated: str, DateUpdated: str } as const;

/**
 * Pre-action: a conversation is about to be created (no sid yet). When an
 * inbound message auto-creates it, the first message comes along as
 * `MessageBody`/`Media`. Modify `friendlyName` or reject it.
 */
export const onConversationAddSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid'],
  properties: {
    EventType: { type: 'string', const: 'onConversationAdd' },
    ...resource,
    ...conversationBindingProperties,
    MessageBody: str,
    ...mediaProperty,
  },
  additionalProperties: true,
} as const;

export const onConversationAddedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onConversationAdded' }, ...existing, ...conversationBindingProperties },
  additionalProperties: true,
} as const;

/** Pre-action: a conversation's attributes are about to change. Modify `friendlyName` or reject it. */
export const onConversationUpdateSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onConversationUpdate' }, ...existing },
  additionalProperties: true,
} as const;

export const onConversationUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onConversationUpdated' }, ...existing },
  additionalProperties: true,
} as const;

/** Pre-action: a conversation is about to be removed. Reject it to keep it. */
export const onConversationRemoveSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onConversationRemove' }, ...existing },
  additionalProperties: true,
} as const;

export const onConversationRemovedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid'],
  properties: { EventType: { type: 'string', const: 'onConversationRemoved' }, ...existing, DateRemoved: str },
  additionalProperties: true,
} as const;

/** The state moved between active, inactive and closed (by API, timer or event). */
export const onConversationStateUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'StateTo'],
  properties: {
    EventType: { type: 'string', const: 'onConversationStateUpdated' },
    ...commonProperties,
    ConversationSid: str,
    MessagingServiceSid: str,
    StateUpdated: str,
    StateFrom: conversationStateString,
    StateTo: conversationStateString,
    Reason: stateReasonString,
  },
  additionalProperties: true,
} as const;

export type OnConversationAddParams = FromTwilioSchema<typeof onConversationAddSchema>;
export type OnConversationAddedParams = FromTwilioSchema<typeof onConversationAddedSchema>;
export type OnConversationUpdateParams = FromTwilioSchema<typeof onConversationUpdateSchema>;
export type OnConversationUpdatedParams = FromTwilioSchema<typeof onConversationUpdatedSchema>;
export type OnConversationRemoveParams = FromTwilioSchema<typeof onConversationRemoveSchema>;
export type OnConversationRemovedParams = FromTwilioSchema<typeof onConversationRemovedSchema>;
export type OnConversationStateUpdatedParams = FromTwilioSchema<typeof onConversationStateUpdatedSchema>;
