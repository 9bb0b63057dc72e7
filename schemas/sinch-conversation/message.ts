import {
  channelIdentitySchema,
  envelopeProperties,
  processingModeProperty,
  reasonSchema,
} from './common.js';
import { inboundMessageSchema, locationMessageSchema, mediaMessageSchema, textMessageSchema } from './contact-message.js';
import { deliveryStatusString, type FromSinchSchema } from './open-strings.js';

export const messageInboundSchema = {
  type: 'object',
  required: ['app_id', 'message'],
  properties: { ...envelopeProperties, message: inboundMessageSchema },
  additionalProperties: true,
} as const;

export const messageRedactionSchema = {
  type: 'object',
  required: ['app_id', 'message_redaction'],
  properties: { ...envelopeProperties, message_redaction: inboundMessageSchema },
  additionalProperties: true,
} as const;

/**
 * One message yields several of these, possibly out of order, so
 * `message_id` + `status` is what a consumer deduplicates and ranks on.
 */
export const messageDeliverySchema = {
  type: 'object',
  required: ['app_id', 'message_delivery_report'],
  properties: {
    ...envelopeProperties,
    message_delivery_report: {
      type: 'object',
      required: ['message_id', 'status'],
      properties: {
        message_id: { type: 'string' },
        conversation_id: { type: 'string' },
        status: deliveryStatusString,
        channel_identity: channelIdentitySchema,
        contact_id: { type: 'string' },
        // Documented for FAILED and SWITCHING_CHANNEL, yet the SDK fixtures attach one to
        // DELIVERED as well, so it is not tied to the status.
        reason: reasonSchema,
        // Echo of the send request's `message_metadata`, the app's own correlation handle.
        metadata: { type: 'string' },
        ...processingModeProperty,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/** An open object: the AppMessage kinds we only pass through are not worth typing. */
const openObject = { type: 'object', additionalProperties: true } as const;

/*
 * `submitted_message` is an AppMessage (what the app sent), not a
 * contact_message: it may combine a message with per-channel overrides, and
 * its `channel_specific_message` is a map keyed by channel name, unlike the
 * contact_message field of the same name.
 */
export const messageSubmitSchema = {
  type: 'object',
  required: ['app_id', 'message_submit_notification'],
  properties: {
    ...envelopeProperties,
    message_submit_notification: {
      type: 'object',
      required: ['message_id'],
      properties: {
        message_id: { type: 'string' },
        conversation_id: { type: 'string' },
        channel_identity: channelIdentitySchema,
        contact_id: { type: 'string' },
        submitted_message: {
          type: 'object',
          properties: {
            text_message: textMessageSchema,
            media_message: mediaMessageSchema,
            location_message: locationMessageSchema,
            choice_message: openObject,
            card_message: openObject,
            carousel_message: openObject,
            list_message: openObject,
            contact_info_message: openObject,
            template_message: openObject,
            explicit_channel_message: openObject,
            explicit_channel_omni_message: openObject,
            channel_specific_message: openObject,
            agent: {
              type: 'object',
              properties: {
                display_name: { type: 'string' },
                type: { type: 'string' },
                picture_url: { type: 'string' },
              },
              additionalProperties: true,
            },
          },
          additionalProperties: true,
        },
        metadata: { type: 'string' },
        ...processingModeProperty,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export type MessageInboundEvent = FromSinchSchema<typeof messageInboundSchema>;
export type MessageRedactionEvent = FromSinchSchema<typeof messageRedactionSchema>;
export type MessageDeliveryEvent = FromSinchSchema<typeof messageDeliverySchema>;
export type MessageSubmitEvent = FromSinchSchema<typeof messageSubmitSchema>;
