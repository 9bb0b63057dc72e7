import { commonProperties, stringProperty as str } from './common.js';
import { deliveryStatusString, type FromTwilioSchema } from './open-strings.js';

/**
 * One participant's delivery receipt changed. A message to a group gets one
 * receipt per participant, each moving on its own (sent → delivered → read,
 * or failed/undelivered). `ErrorCode` is an integer as text; whether it is
 * `0` or absent on success is not documented.
 */
export const onDeliveryUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'ConversationSid', 'MessageSid', 'Status'],
  properties: {
    EventType: { type: 'string', const: 'onDeliveryUpdated' },
    ...commonProperties,
    ConversationSid: str,
    MessageSid: str,
    DeliveryReceiptSid: str,
    /** SM… for SMS, WA… for WhatsApp: the channel's own message id. */
    ChannelMessageSid: str,
    ParticipantSid: str,
    Status: deliveryStatusString,
    ErrorCode: str,
    DateCreated: str,
    DateUpdated: str,
  },
  additionalProperties: true,
} as const;

export type OnDeliveryUpdatedParams = FromTwilioSchema<typeof onDeliveryUpdatedSchema>;
