import {
  channelIdentitySchema,
  envelopeProperties,
  processingModeProperty,
  reasonSchema,
} from './common.js';
import {
  capabilityStatusString,
  channelEventTypeString,
  channelString,
  optInStatusString,
  optOutStatusString,
  recordStatusString,
  type FromSinchSchema,
} from './open-strings.js';

/** `request_id` ties the callback back to the capability lookup that asked for it. */
export const capabilitySchema = {
  type: 'object',
  required: ['app_id', 'capability_notification'],
  properties: {
    ...envelopeProperties,
    capability_notification: {
      type: 'object',
      required: ['channel', 'capability_status'],
      properties: {
        request_id: { type: 'string' },
        contact_id: { type: 'string' },
        channel: channelString,
        identity: { type: 'string' },
        capability_status: capabilityStatusString,
        channel_capabilities: { type: 'array', items: { type: 'string' } },
        reason: reasonSchema,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/** `identity` is absent from the SDK fixtures, so only channel and outcome are required. */
const optFields = {
  request_id: { type: 'string' },
  contact_id: { type: 'string' },
  channel: channelString,
  identity: { type: 'string' },
  error_details: {
    type: 'object',
    properties: { description: { type: 'string' } },
    additionalProperties: true,
  },
  ...processingModeProperty,
} as const;

export const optInSchema = {
  type: 'object',
  required: ['app_id', 'opt_in_notification'],
  properties: {
    ...envelopeProperties,
    opt_in_notification: {
      type: 'object',
      required: ['channel', 'status'],
      properties: { ...optFields, status: optInStatusString },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export const optOutSchema = {
  type: 'object',
  required: ['app_id', 'opt_out_notification'],
  properties: {
    ...envelopeProperties,
    opt_out_notification: {
      type: 'object',
      required: ['channel', 'status'],
      properties: { ...optFields, status: optOutStatusString },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/** `additional_data` depends on `event_type`, so it stays an open bag. */
export const channelEventSchema = {
  type: 'object',
  required: ['app_id', 'channel_event_notification'],
  properties: {
    ...envelopeProperties,
    channel_event_notification: {
      type: 'object',
      required: ['channel_event'],
      properties: {
        channel_event: {
          type: 'object',
          required: ['channel', 'event_type'],
          properties: {
            channel: channelString,
            event_type: channelEventTypeString,
            additional_data: { type: 'object', additionalProperties: true },
          },
          additionalProperties: true,
        },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/**
 * `payload` is the channel's raw JSON *as a string*; it is kept a string so
 * that an app can re-parse it exactly as the channel sent it.
 */
export const unsupportedSchema = {
  type: 'object',
  required: ['app_id', 'unsupported_callback'],
  properties: {
    ...envelopeProperties,
    unsupported_callback: {
      type: 'object',
      required: ['channel', 'payload'],
      properties: {
        channel: channelString,
        payload: { type: 'string' },
        ...processingModeProperty,
        id: { type: 'string' },
        contact_id: { type: 'string' },
        conversation_id: { type: 'string' },
        channel_identity: channelIdentitySchema,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

const messageScore = {
  message: { type: 'string' },
  score: { type: 'number' },
} as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;

/*
 * A notification without `analysis_results` tells the app nothing, so that is
 * the one required field. Its five lists are each optional: which ones appear
 * depends on the analyses enabled for the app.
 */
export const smartConversationSchema = {
  type: 'object',
  required: ['app_id', 'smart_conversation_notification'],
  properties: {
    ...envelopeProperties,
    smart_conversation_notification: {
      type: 'object',
      required: ['analysis_results'],
      properties: {
        contact_id: { type: 'string' },
        // A bare identity string here, unlike the `{channel, identity}` object everywhere else.
        channel_identity: { type: 'string' },
        channel: channelString,
        message_id: { type: 'string' },
        conversation_id: { type: 'string' },
        analysis_results: {
          type: 'object',
          properties: {
            ml_sentiment_result: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  ...messageScore,
                  sentiment: { type: 'string' },
                  results: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { sentiment: { type: 'string' }, score: { type: 'number' } },
                      additionalProperties: true,
                    },
                  },
                },
                additionalProperties: true,
              },
            },
            ml_nlu_result: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  ...messageScore,
                  intent: { type: 'string' },
                  results: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { intent: { type: 'string' }, score: { type: 'number' } },
                      additionalProperties: true,
                    },
                  },
                },
                additionalProperties: true,
              },
            },
            ml_image_recognition_result: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  url: { type: 'string' },
                  document_image_classification: {
                    type: 'object',
                    properties: { doc_type: { type: 'string' }, confidence: { type: 'number' } },
                    additionalProperties: true,
                  },
                  optical_character_recognition: {
                    type: 'object',
                    properties: {
                      result: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: { data: stringList },
                          additionalProperties: true,
                        },
                      },
                    },
                    additionalProperties: true,
                  },
                  document_field_classification: {
                    type: 'object',
                    properties: {
                      // Each entry maps a detected field name (e.g. "John") to its values,
                      // so the names are data and only the value shape can be described.
                      result: {
                        type: 'array',
                        items: {
                          type: 'object',
                          additionalProperties: {
                            type: 'object',
                            properties: { data: stringList },
                            additionalProperties: true,
                          },
                        },
                      },
                    },
                    additionalProperties: true,
                  },
                },
                additionalProperties: true,
              },
            },
            ml_pii_result: {
              type: 'array',
              items: {
                type: 'object',
                properties: { message: { type: 'string' }, masked: { type: 'string' } },
                additionalProperties: true,
              },
            },
            ml_offensive_analysis_result: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  ...messageScore,
                  url: { type: 'string' },
                  evaluation: { type: 'string' },
                },
                additionalProperties: true,
              },
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

/*
 * Snake_case as in the Java fixture. The Node SDK types this camelCase
 * (`entityId`) but marks it "TBC"; the wire format elsewhere is snake_case.
 */
export const recordNotificationSchema = {
  type: 'object',
  required: ['app_id', 'record_notification'],
  properties: {
    ...envelopeProperties,
    record_notification: {
      type: 'object',
      required: ['entity_id', 'record_status'],
      properties: {
        entity_id: { type: 'string' },
        record_status: recordStatusString,
        channel_identity: channelIdentitySchema,
        contact_id: { type: 'string' },
        conversation_id: { type: 'string' },
        reason: reasonSchema,
        ...processingModeProperty,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export type CapabilityEvent = FromSinchSchema<typeof capabilitySchema>;
export type OptInEvent = FromSinchSchema<typeof optInSchema>;
export type OptOutEvent = FromSinchSchema<typeof optOutSchema>;
export type ChannelEvent = FromSinchSchema<typeof channelEventSchema>;
export type UnsupportedEvent = FromSinchSchema<typeof unsupportedSchema>;
export type SmartConversationEvent = FromSinchSchema<typeof smartConversationSchema>;
export type RecordNotificationEvent = FromSinchSchema<typeof recordNotificationSchema>;
