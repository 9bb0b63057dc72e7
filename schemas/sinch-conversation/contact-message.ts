import { channelIdentitySchema, processingModeProperty, reasonSchema } from './common.js';
import { directionString, type FromSinchSchema } from './open-strings.js';

export const textMessageSchema = {
  type: 'object',
  required: ['text'],
  properties: { text: { type: 'string' } },
  additionalProperties: true,
} as const;

export const mediaMessageSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string' },
    thumbnail_url: { type: 'string' },
    filename_override: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** `title` stays optional although the protocol table lists it: the coordinates alone are usable. */
export const locationMessageSchema = {
  type: 'object',
  required: ['coordinates'],
  properties: {
    title: { type: 'string' },
    label: { type: 'string' },
    coordinates: {
      type: 'object',
      required: ['latitude', 'longitude'],
      properties: {
        latitude: { type: 'number' },
        longitude: { type: 'number' },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/** `message_id` is the app message that carried the choices, not this message. */
export const choiceResponseMessageSchema = {
  type: 'object',
  required: ['message_id', 'postback_data'],
  properties: {
    message_id: { type: 'string' },
    postback_data: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const mediaCardMessageSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string' },
    caption: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** Sinch's catch-all for channel content it cannot map, so nothing in it is guaranteed. */
export const fallbackMessageSchema = {
  type: 'object',
  properties: {
    raw_message: { type: 'string' },
    reason: reasonSchema,
  },
  additionalProperties: true,
} as const;

export const productResponseMessageSchema = {
  type: 'object',
  required: ['products'],
  properties: {
    products: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          marketplace: { type: 'string' },
          // `number`, not `integer`: a fractional quantity is odd but not worth dropping the order over.
          quantity: { type: 'number' },
          item_price: { type: 'number' },
          currency: { type: 'string' },
        },
        additionalProperties: true,
      },
    },
    title: { type: 'string' },
    catalog_id: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/**
 * Today only WhatsApp Flows replies (`nfm_reply`), but the envelope is
 * generic, so the inner `message` is typed loosely beyond the known fields.
 */
export const channelSpecificMessageSchema = {
  type: 'object',
  required: ['message_type', 'message'],
  properties: {
    message_type: { type: 'string' },
    message: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        nfm_reply: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            // A JSON document as text; parsing it is the app's business.
            response_json: { type: 'string' },
            body: { type: 'string' },
          },
          additionalProperties: true,
        },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/** The keys that select a `contact_message` shape, in the order Sinch documents them. */
export const contactMessageKinds = [
  'text_message',
  'media_message',
  'location_message',
  'choice_response_message',
  'media_card_message',
  'fallback_message',
  'product_response_message',
  'channel_specific_message',
] as const;

export type ContactMessageKind = (typeof contactMessageKinds)[number];

/*
 * Every branch declares the other seven keys as `false` (the last branch, for
 * kinds not known yet, all eight). That makes Ajv enforce "at most one
 * documented shape" (the documented contract is exactly one) with `anyOf`, and
 * makes json-schema-to-ts emit `other_key?: undefined` on each union member,
 * so `if (cm.text_message)` narrows the union like a discriminant would.
 * Plain `'text_message' in cm` does not narrow, because of the index
 * signature that `additionalProperties: true` adds.
 */
const noShape = {
  text_message: false,
  media_message: false,
  location_message: false,
  choice_response_message: false,
  media_card_message: false,
  fallback_message: false,
  product_response_message: false,
  channel_specific_message: false,
} as const;

/** `reply_to` is absent, `null`, or `{ message_id }` depending on channel and SDK; all three are real. */
export const replyToSchema = {
  anyOf: [
    {
      type: 'object',
      required: ['message_id'],
      properties: { message_id: { type: 'string' } },
      additionalProperties: true,
    },
    { type: 'null' },
  ],
} as const;

export const contactMessageSchema = {
  type: 'object',
  properties: { reply_to: replyToSchema },
  anyOf: [
    {
      type: 'object',
      required: ['text_message'],
      properties: { ...noShape, text_message: textMessageSchema },
    },
    {
      type: 'object',
      required: ['media_message'],
      properties: { ...noShape, media_message: mediaMessageSchema },
    },
    {
      type: 'object',
      required: ['location_message'],
      properties: { ...noShape, location_message: locationMessageSchema },
    },
    {
      type: 'object',
      required: ['choice_response_message'],
      properties: { ...noShape, choice_response_message: choiceResponseMessageSchema },
    },
    {
      type: 'object',
      required: ['media_card_message'],
      properties: { ...noShape, media_card_message: mediaCardMessageSchema },
    },
    {
      type: 'object',
      required: ['fallback_message'],
      properties: { ...noShape, fallback_message: fallbackMessageSchema },
    },
    {
      type: 'object',
      required: ['product_response_message'],
      properties: { ...noShape, product_response_message: productResponseMessageSchema },
    },
    {
      type: 'object',
      required: ['channel_specific_message'],
      properties: { ...noShape, channel_specific_message: channelSpecificMessageSchema },
    },
    // A kind Sinch adds later (channel_specific_message arrived that way) is
    // accepted rather than refused, so no authentic message is lost until we
    // know its shape; it is recorded as kind 'unknown'.
    { type: 'object', properties: noShape },
  ],
  // Whatever the kind, there must be content besides reply_to. Checked here,
  // outside anyOf, so the error names this rather than the first branch's key.
  minProperties: 1,
  if: { type: 'object', properties: { reply_to: true }, required: ['reply_to'] },
  then: { minProperties: 2 },
  additionalProperties: true,
} as const;

/**
 * The `message` of MESSAGE_INBOUND and the `message_redaction` of
 * MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION: the redaction callback
 * re-sends the same message with the sensitive parts masked.
 */
export const inboundMessageSchema = {
  type: 'object',
  required: ['id', 'contact_message', 'channel_identity'],
  properties: {
    id: { type: 'string' },
    direction: directionString,
    contact_message: contactMessageSchema,
    channel_identity: channelIdentitySchema,
    conversation_id: { type: 'string' },
    // Empty in DISPATCH mode, where Sinch keeps no contacts.
    contact_id: { type: 'string' },
    metadata: { type: 'string' },
    accept_time: { type: 'string' },
    sender_id: { type: 'string' },
    ...processingModeProperty,
    injected: { type: 'boolean' },
  },
  additionalProperties: true,
} as const;

export type TextMessage = FromSinchSchema<typeof textMessageSchema>;
export type MediaMessage = FromSinchSchema<typeof mediaMessageSchema>;
export type LocationMessage = FromSinchSchema<typeof locationMessageSchema>;
export type ChoiceResponseMessage = FromSinchSchema<typeof choiceResponseMessageSchema>;
export type MediaCardMessage = FromSinchSchema<typeof mediaCardMessageSchema>;
export type FallbackMessage = FromSinchSchema<typeof fallbackMessageSchema>;
export type ProductResponseMessage = FromSinchSchema<typeof productResponseMessageSchema>;
export type ChannelSpecificMessage = FromSinchSchema<typeof channelSpecificMessageSchema>;
export type ReplyTo = FromSinchSchema<typeof replyToSchema>;
export type ContactMessage = FromSinchSchema<typeof contactMessageSchema>;
export type InboundMessage = FromSinchSchema<typeof inboundMessageSchema>;
