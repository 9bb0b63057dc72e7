import {
  channelIdentitySchema,
  envelopeProperties,
  processingModeProperty,
  reasonSchema,
} from './common.js';
import {
  deliveryStatusString,
  directionString,
  reactionActionString,
  type FromSinchSchema,
} from './open-strings.js';

/** Composing indicators and the like carry no data; the key's presence is the event. */
const markerEvent = { type: 'object', additionalProperties: true } as const;

/*
 * Sinch sends exactly one of `contact_event` / `contact_message_event`, each
 * with exactly one inner key. Unlike contact_message this is not enforced:
 * an event kind we do not know yet (typing-style signals are open-ended)
 * should still reach the hook instead of being rejected.
 */
export const eventInboundSchema = {
  type: 'object',
  required: ['app_id', 'event'],
  properties: {
    ...envelopeProperties,
    event: {
      type: 'object',
      // `id` is missing from the official doc example, so nothing here is required.
      properties: {
        id: { type: 'string' },
        direction: directionString,
        channel_identity: channelIdentitySchema,
        contact_id: { type: 'string' },
        conversation_id: { type: 'string' },
        accept_time: { type: 'string' },
        ...processingModeProperty,
        contact_event: {
          type: 'object',
          properties: {
            composing_event: markerEvent,
            composing_end_event: markerEvent,
            conversation_deleted_event: markerEvent,
            comment_event: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                text: { type: 'string' },
                comment_type: { type: 'string' },
                commented_on: { type: 'string' },
                user: { type: 'string' },
              },
              additionalProperties: true,
            },
            generic_event: {
              type: 'object',
              // Channel-defined; left untyped so any JSON value passes.
              properties: { payload: {} },
              additionalProperties: true,
            },
          },
          additionalProperties: true,
        },
        contact_message_event: {
          type: 'object',
          properties: {
            payment_status_update_event: {
              type: 'object',
              properties: {
                reference_id: { type: 'string' },
                payment_status: { type: 'string' },
                payment_transaction_status: { type: 'string' },
                payment_transaction_id: { type: 'string' },
              },
              additionalProperties: true,
            },
            shortlink_activated_event: {
              type: 'object',
              properties: {
                payload: { type: 'string' },
                title: { type: 'string' },
                ref: { type: 'string' },
                source: { type: 'string' },
                type: { type: 'string' },
                existing_thread: { type: 'boolean' },
              },
              additionalProperties: true,
            },
            reaction_event: {
              type: 'object',
              // Without these two there is nothing to attach the reaction to or to apply.
              required: ['action', 'message_id'],
              properties: {
                emoji: { type: 'string' },
                action: reactionActionString,
                message_id: { type: 'string' },
                reaction_category: { type: 'string' },
              },
              additionalProperties: true,
            },
          },
          additionalProperties: true,
        },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export const eventDeliverySchema = {
  type: 'object',
  required: ['app_id', 'event_delivery_report'],
  properties: {
    ...envelopeProperties,
    event_delivery_report: {
      type: 'object',
      required: ['event_id', 'status'],
      properties: {
        event_id: { type: 'string' },
        status: deliveryStatusString,
        channel_identity: channelIdentitySchema,
        contact_id: { type: 'string' },
        reason: reasonSchema,
        metadata: { type: 'string' },
        ...processingModeProperty,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export type EventInboundEvent = FromSinchSchema<typeof eventInboundSchema>;
export type EventDeliveryEvent = FromSinchSchema<typeof eventDeliverySchema>;
