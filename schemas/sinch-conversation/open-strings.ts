import type { JSONSchema } from 'json-schema-to-ts';
import { openString, type FromOpenSchema, type OpenStringPattern } from '../open-string.js';

/*
 * Sinch grows these value sets without notice (new channels, reason codes,
 * statuses), so a schema `enum` would turn a harmless upgrade on their side
 * into rejected callbacks on ours. At runtime they are plain strings; the
 * literal unions below exist only for editor completion. `(string & {})`
 * keeps the literals from collapsing into `string`.
 */

export type ConversationChannel =
  | 'SMS' | 'MMS' | 'WHATSAPP' | 'MESSENGER' | 'INSTAGRAM' | 'TELEGRAM' | 'VIBER' | 'VIBERBM'
  | 'LINE' | 'WECHAT' | 'KAKAOTALK' | 'KAKAOTALKCHAT' | 'RCS' | 'APPLEBC' | 'CHANNEL_UNSPECIFIED'
  | (string & {});

/**
 * `QUEUED` is absent on purpose: Sinch never sends a callback for it.
 * Prefixed because the package root also exports the provider-neutral `DeliveryStatus`.
 */
export type SinchDeliveryStatus =
  | 'QUEUED_ON_CHANNEL' | 'DELIVERED' | 'READ' | 'FAILED' | 'SWITCHING_CHANNEL' | (string & {});

export type ReasonCode =
  | 'UNKNOWN' | 'INTERNAL_ERROR' | 'RATE_LIMITED' | 'RECIPIENT_INVALID_CHANNEL_IDENTITY'
  | 'RECIPIENT_NOT_REACHABLE' | 'RECIPIENT_NOT_OPTED_IN' | 'OUTSIDE_ALLOWED_SENDING_WINDOW'
  | 'CHANNEL_FAILURE' | 'CHANNEL_BAD_CONFIGURATION' | 'CHANNEL_CONFIGURATION_MISSING'
  | 'MEDIA_TYPE_UNSUPPORTED' | 'MEDIA_TOO_LARGE' | 'MEDIA_NOT_REACHABLE' | 'NO_CHANNELS_LEFT'
  | 'TEMPLATE_NOT_FOUND' | 'TEMPLATE_INSUFFICIENT_PARAMETERS' | 'TEMPLATE_NON_EXISTING_LANGUAGE_OR_VERSION'
  | 'DELIVERY_TIMED_OUT' | 'DELIVERY_REJECTED_DUE_TO_POLICY' | 'CONTACT_NOT_FOUND' | 'BAD_REQUEST'
  | 'UNKNOWN_APP' | 'NO_CHANNEL_IDENTITY_FOR_CONTACT' | 'CHANNEL_REJECT' | 'NO_PERMISSION'
  | 'NO_PROFILE_AVAILABLE' | 'UNSUPPORTED_OPERATION' | 'INACTIVE_CREDENTIAL' | 'MESSAGE_EXPIRED'
  | 'MESSAGE_SPLIT_REQUIRED' | 'DELIVERY_REPORT_TIME_OUT'
  | (string & {});

export type ReasonSubCode =
  | 'UNSPECIFIED_SUB_CODE' | 'ATTACHMENT_REJECTED' | 'MEDIA_TYPE_UNDETERMINED' | 'INACTIVE_SENDER'
  | (string & {});

export type ProcessingMode = 'CONVERSATION' | 'DISPATCH' | (string & {});

export type MessageDirection = 'TO_APP' | 'TO_CONTACT' | (string & {});

/** `CAPABILITY_UNKNOWN` is only in the Node SDK typing and Sinch's skills docs, never in an example. */
export type CapabilityStatus =
  | 'CAPABILITY_FULL' | 'CAPABILITY_PARTIAL' | 'NO_CAPABILITY' | 'CAPABILITY_UNKNOWN' | (string & {});

export type OptInStatus =
  | 'OPT_IN_SUCCEEDED' | 'OPT_IN_FAILED' | 'OPT_IN_STATUS_UNSPECIFIED' | (string & {});

export type OptOutStatus =
  | 'OPT_OUT_SUCCEEDED' | 'OPT_OUT_FAILED' | 'OPT_OUT_STATUS_UNSPECIFIED' | (string & {});

export type ChannelEventType = 'WHATS_APP_QUALITY_RATING_CHANGED' | (string & {});

export type RecordStatus = 'EVENT_RECORD_STORED' | 'RECORD_STATUS_UNSPECIFIED' | (string & {});

export type ReactionAction =
  | 'REACTION_ACTION_REACT' | 'REACTION_ACTION_UNREACT' | 'REACTION_ACTION_UNKNOWN' | (string & {});

/* Tagged open strings: see ../open-string.ts. */
export const channelString = openString('ConversationChannel');
export const deliveryStatusString = openString('SinchDeliveryStatus');
export const reasonCodeString = openString('ReasonCode');
export const reasonSubCodeString = openString('ReasonSubCode');
export const processingModeString = openString('ProcessingMode');
export const directionString = openString('MessageDirection');
export const capabilityStatusString = openString('CapabilityStatus');
export const optInStatusString = openString('OptInStatus');
export const optOutStatusString = openString('OptOutStatus');
export const channelEventTypeString = openString('ChannelEventType');
export const recordStatusString = openString('RecordStatus');
export const reactionActionString = openString('ReactionAction');


type OpenStringPatterns = [
  OpenStringPattern<'ConversationChannel', ConversationChannel>,
  OpenStringPattern<'SinchDeliveryStatus', SinchDeliveryStatus>,
  OpenStringPattern<'ReasonCode', ReasonCode>,
  OpenStringPattern<'ReasonSubCode', ReasonSubCode>,
  OpenStringPattern<'ProcessingMode', ProcessingMode>,
  OpenStringPattern<'MessageDirection', MessageDirection>,
  OpenStringPattern<'CapabilityStatus', CapabilityStatus>,
  OpenStringPattern<'OptInStatus', OptInStatus>,
  OpenStringPattern<'OptOutStatus', OptOutStatus>,
  OpenStringPattern<'ChannelEventType', ChannelEventType>,
  OpenStringPattern<'RecordStatus', RecordStatus>,
  OpenStringPattern<'ReactionAction', ReactionAction>,
];

/** `FromSchema` with the open-string titles above resolved to their unions. */
export type FromSinchSchema<S extends JSONSchema> = FromOpenSchema<S, OpenStringPatterns>;
