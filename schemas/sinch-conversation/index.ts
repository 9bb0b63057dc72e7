import {
  contactCreateSchema,
  contactDeleteSchema,
  contactIdentitiesDuplicationSchema,
  contactMergeSchema,
  contactUpdateSchema,
  type ContactCreateEvent,
  type ContactDeleteEvent,
  type ContactIdentitiesDuplicationEvent,
  type ContactMergeEvent,
  type ContactUpdateEvent,
} from './contact.js';
import {
  conversationDeleteSchema,
  conversationStartSchema,
  conversationStopSchema,
  type ConversationDeleteEvent,
  type ConversationStartEvent,
  type ConversationStopEvent,
} from './conversation.js';
import {
  eventDeliverySchema,
  eventInboundSchema,
  type EventDeliveryEvent,
  type EventInboundEvent,
} from './event.js';
import {
  messageDeliverySchema,
  messageInboundSchema,
  messageRedactionSchema,
  messageSubmitSchema,
  type MessageDeliveryEvent,
  type MessageInboundEvent,
  type MessageRedactionEvent,
  type MessageSubmitEvent,
} from './message.js';
import {
  capabilitySchema,
  channelEventSchema,
  optInSchema,
  optOutSchema,
  recordNotificationSchema,
  smartConversationSchema,
  unsupportedSchema,
  type CapabilityEvent,
  type ChannelEvent,
  type OptInEvent,
  type OptOutEvent,
  type RecordNotificationEvent,
  type SmartConversationEvent,
  type UnsupportedEvent,
} from './notification.js';

export * from './open-strings.js';
export * from './common.js';
export * from './contact-message.js';
export * from './message.js';
export * from './event.js';
export * from './conversation.js';
export * from './contact.js';
export * from './notification.js';

/**
 * Sinch puts no trigger name in the body: the one trigger-specific top-level
 * `key` is how a callback is recognised. `trigger` is the webhook
 * subscription value, spelled as in the Java and .NET SDKs (Node's
 * `SMART_CONVERSATIONS` is not what Sinch accepts).
 */
export const sinchConversationTriggers = [
  { trigger: 'MESSAGE_INBOUND', key: 'message', hook: 'onMessageInbound', schema: messageInboundSchema },
  { trigger: 'MESSAGE_DELIVERY', key: 'message_delivery_report', hook: 'onMessageDelivery', schema: messageDeliverySchema },
  { trigger: 'MESSAGE_SUBMIT', key: 'message_submit_notification', hook: 'onMessageSubmit', schema: messageSubmitSchema },
  { trigger: 'EVENT_INBOUND', key: 'event', hook: 'onEventInbound', schema: eventInboundSchema },
  { trigger: 'EVENT_DELIVERY', key: 'event_delivery_report', hook: 'onEventDelivery', schema: eventDeliverySchema },
  { trigger: 'CONVERSATION_START', key: 'conversation_start_notification', hook: 'onConversationStart', schema: conversationStartSchema },
  { trigger: 'CONVERSATION_STOP', key: 'conversation_stop_notification', hook: 'onConversationStop', schema: conversationStopSchema },
  { trigger: 'CONVERSATION_DELETE', key: 'conversation_delete_notification', hook: 'onConversationDelete', schema: conversationDeleteSchema },
  { trigger: 'CONTACT_CREATE', key: 'contact_create_notification', hook: 'onContactCreate', schema: contactCreateSchema },
  { trigger: 'CONTACT_UPDATE', key: 'contact_update_notification', hook: 'onContactUpdate', schema: contactUpdateSchema },
  { trigger: 'CONTACT_DELETE', key: 'contact_delete_notification', hook: 'onContactDelete', schema: contactDeleteSchema },
  { trigger: 'CONTACT_MERGE', key: 'contact_merge_notification', hook: 'onContactMerge', schema: contactMergeSchema },
  {
    trigger: 'CONTACT_IDENTITIES_DUPLICATION',
    key: 'duplicated_contact_identities_notification',
    hook: 'onContactIdentitiesDuplication',
    schema: contactIdentitiesDuplicationSchema,
  },
  { trigger: 'CAPABILITY', key: 'capability_notification', hook: 'onCapability', schema: capabilitySchema },
  { trigger: 'OPT_IN', key: 'opt_in_notification', hook: 'onOptIn', schema: optInSchema },
  { trigger: 'OPT_OUT', key: 'opt_out_notification', hook: 'onOptOut', schema: optOutSchema },
  { trigger: 'CHANNEL_EVENT', key: 'channel_event_notification', hook: 'onChannelEvent', schema: channelEventSchema },
  { trigger: 'UNSUPPORTED', key: 'unsupported_callback', hook: 'onUnsupported', schema: unsupportedSchema },
  {
    trigger: 'SMART_CONVERSATION',
    key: 'smart_conversation_notification',
    hook: 'onSmartConversation',
    schema: smartConversationSchema,
  },
  {
    trigger: 'MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION',
    key: 'message_redaction',
    hook: 'onMessageRedaction',
    schema: messageRedactionSchema,
  },
  { trigger: 'RECORD_NOTIFICATION', key: 'record_notification', hook: 'onRecordNotification', schema: recordNotificationSchema },
] as const;

export type SinchConversationTriggerEntry = (typeof sinchConversationTriggers)[number];
export type SinchConversationTrigger = SinchConversationTriggerEntry['trigger'];
export type SinchConversationTriggerKey = SinchConversationTriggerEntry['key'];
export type SinchConversationHook = SinchConversationTriggerEntry['hook'];

/** Whole callback body per trigger, as delivered (no `trigger` field is added). */
export type SinchConversationEventMap = {
  MESSAGE_INBOUND: MessageInboundEvent;
  MESSAGE_DELIVERY: MessageDeliveryEvent;
  MESSAGE_SUBMIT: MessageSubmitEvent;
  EVENT_INBOUND: EventInboundEvent;
  EVENT_DELIVERY: EventDeliveryEvent;
  CONVERSATION_START: ConversationStartEvent;
  CONVERSATION_STOP: ConversationStopEvent;
  CONVERSATION_DELETE: ConversationDeleteEvent;
  CONTACT_CREATE: ContactCreateEvent;
  CONTACT_UPDATE: ContactUpdateEvent;
  CONTACT_DELETE: ContactDeleteEvent;
  CONTACT_MERGE: ContactMergeEvent;
  CONTACT_IDENTITIES_DUPLICATION: ContactIdentitiesDuplicationEvent;
  CAPABILITY: CapabilityEvent;
  OPT_IN: OptInEvent;
  OPT_OUT: OptOutEvent;
  CHANNEL_EVENT: ChannelEvent;
  UNSUPPORTED: UnsupportedEvent;
  SMART_CONVERSATION: SmartConversationEvent;
  MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION: MessageRedactionEvent;
  RECORD_NOTIFICATION: RecordNotificationEvent;
};

/** Hook name → the event it receives, for typing a handler object. */
export type SinchConversationEventByHook = {
  [E in SinchConversationTriggerEntry as E['hook']]: SinchConversationEventMap[E['trigger']];
};

/*
 * Compile-time guard: the map and the table must list the same triggers, or
 * a trigger added to one would silently lose its type or its schema.
 */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type TableMatchesMap = Assert<SameKeys<keyof SinchConversationEventMap, SinchConversationTrigger>>;
