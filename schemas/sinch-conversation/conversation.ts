import { conversationSchema, envelopeProperties } from './common.js';
import type { FromSinchSchema } from './open-strings.js';

const conversationNotification = {
  type: 'object',
  required: ['conversation'],
  properties: { conversation: conversationSchema },
  additionalProperties: true,
} as const;

export const conversationStartSchema = {
  type: 'object',
  required: ['app_id', 'conversation_start_notification'],
  properties: { ...envelopeProperties, conversation_start_notification: conversationNotification },
  additionalProperties: true,
} as const;

export const conversationStopSchema = {
  type: 'object',
  required: ['app_id', 'conversation_stop_notification'],
  properties: { ...envelopeProperties, conversation_stop_notification: conversationNotification },
  additionalProperties: true,
} as const;

export const conversationDeleteSchema = {
  type: 'object',
  required: ['app_id', 'conversation_delete_notification'],
  properties: { ...envelopeProperties, conversation_delete_notification: conversationNotification },
  additionalProperties: true,
} as const;

export type ConversationStartEvent = FromSinchSchema<typeof conversationStartSchema>;
export type ConversationStopEvent = FromSinchSchema<typeof conversationStopSchema>;
export type ConversationDeleteEvent = FromSinchSchema<typeof conversationDeleteSchema>;
