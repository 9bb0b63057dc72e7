import {
  onConversationAddSchema, onConversationAddedSchema, onConversationRemoveSchema, onConversationRemovedSchema,
  onConversationStateUpdatedSchema, onConversationUpdateSchema, onConversationUpdatedSchema,
  type OnConversationAddParams, type OnConversationAddedParams, type OnConversationRemoveParams,
  type OnConversationRemovedParams, type OnConversationStateUpdatedParams, type OnConversationUpdateParams,
  type OnConversationUpdatedParams,
} from './conversation.js';
import { onDeliveryUpdatedSchema, type OnDeliveryUpdatedParams } from './delivery.js';
import {
  onMessageAddSchema, onMessageAddedSchema, onMessageRemoveSchema, onMessageRemovedSchema, onMessageUpdateSchema,
  onMessageUpdatedSchema,
  type OnMessageAddParams, type OnMessageAddedParams, type OnMessageRemoveParams, type OnMessageRemovedParams,
  type OnMessageUpdateParams, type OnMessageUpdatedParams,
} from './message.js';
import {
  onParticipantAddSchema, onParticipantAddedSchema, onParticipantRemoveSchema, onParticipantRemovedSchema,
  onParticipantUpdateSchema, onParticipantUpdatedSchema,
  type OnParticipantAddParams, type OnParticipantAddedParams, type OnParticipantRemoveParams,
  type OnParticipantRemovedParams, type OnParticipantUpdateParams, type OnParticipantUpdatedParams,
} from './participant.js';
import {
  onUserAddedSchema, onUserUpdateSchema, onUserUpdatedSchema,
  type OnUserAddedParams, type OnUserUpdateParams, type OnUserUpdatedParams,
} from './user.js';
import type { WithParsed } from './parsed.js';

export * from './open-strings.js';
export * from './common.js';
export * from './parsed.js';
export * from './message.js';
export * from './conversation.js';
export * from './participant.js';
export * from './delivery.js';
export * from './user.js';

/**
 * Every Conversations webhook event (the 23 valid `Filters` values). The hook
 * is named after the event type. `modify` says what a pre-action hook may
 * change: message body/author/attributes, a conversation's friendly name,
 * or nothing (it can still reject). Legacy Chat names such as
 * `onMessageSent` are not listed: they reach `onUnknown`.
 */
export const twilioConversationsEvents = [
  { type: 'onMessageAdd', kind: 'pre-action', modify: 'message', schema: onMessageAddSchema },
  { type: 'onMessageAdded', kind: 'post-action', modify: 'none', schema: onMessageAddedSchema },
  { type: 'onMessageUpdate', kind: 'pre-action', modify: 'message', schema: onMessageUpdateSchema },
  { type: 'onMessageUpdated', kind: 'post-action', modify: 'none', schema: onMessageUpdatedSchema },
  { type: 'onMessageRemove', kind: 'pre-action', modify: 'none', schema: onMessageRemoveSchema },
  { type: 'onMessageRemoved', kind: 'post-action', modify: 'none', schema: onMessageRemovedSchema },
  { type: 'onConversationAdd', kind: 'pre-action', modify: 'conversation', schema: onConversationAddSchema },
  { type: 'onConversationAdded', kind: 'post-action', modify: 'none', schema: onConversationAddedSchema },
  { type: 'onConversationUpdate', kind: 'pre-action', modify: 'conversation', schema: onConversationUpdateSchema },
  { type: 'onConversationUpdated', kind: 'post-action', modify: 'none', schema: onConversationUpdatedSchema },
  { type: 'onConversationRemove', kind: 'pre-action', modify: 'none', schema: onConversationRemoveSchema },
  { type: 'onConversationRemoved', kind: 'post-action', modify: 'none', schema: onConversationRemovedSchema },
  { type: 'onConversationStateUpdated', kind: 'post-action', modify: 'none', schema: onConversationStateUpdatedSchema },
  { type: 'onParticipantAdd', kind: 'pre-action', modify: 'none', schema: onParticipantAddSchema },
  { type: 'onParticipantAdded', kind: 'post-action', modify: 'none', schema: onParticipantAddedSchema },
  { type: 'onParticipantUpdate', kind: 'pre-action', modify: 'none', schema: onParticipantUpdateSchema },
  { type: 'onParticipantUpdated', kind: 'post-action', modify: 'none', schema: onParticipantUpdatedSchema },
  { type: 'onParticipantRemove', kind: 'pre-action', modify: 'none', schema: onParticipantRemoveSchema },
  { type: 'onParticipantRemoved', kind: 'post-action', modify: 'none', schema: onParticipantRemovedSchema },
  { type: 'onDeliveryUpdated', kind: 'post-action', modify: 'none', schema: onDeliveryUpdatedSchema },
  { type: 'onUserAdded', kind: 'post-action', modify: 'none', schema: onUserAddedSchema },
  { type: 'onUserUpdate', kind: 'pre-action', modify: 'none', schema: onUserUpdateSchema },
  { type: 'onUserUpdated', kind: 'post-action', modify: 'none', schema: onUserUpdatedSchema },
] as const;

export type TwilioConversationsEventEntry = (typeof twilioConversationsEvents)[number];
export type TwilioConversationsEventType = TwilioConversationsEventEntry['type'];
export type TwilioPreActionEventType = Extract<TwilioConversationsEventEntry, { kind: 'pre-action' }>['type'];
export type TwilioPostActionEventType = Extract<TwilioConversationsEventEntry, { kind: 'post-action' }>['type'];
export type TwilioMessageModifyingEventType = Extract<TwilioConversationsEventEntry, { modify: 'message' }>['type'];
export type TwilioConversationModifyingEventType = Extract<TwilioConversationsEventEntry, { modify: 'conversation' }>['type'];

/** Decoded form parameters per event type, as the schema describes them. */
export type TwilioConversationsParamsMap = {
  onMessageAdd: OnMessageAddParams;
  onMessageAdded: OnMessageAddedParams;
  onMessageUpdate: OnMessageUpdateParams;
  onMessageUpdated: OnMessageUpdatedParams;
  onMessageRemove: OnMessageRemoveParams;
  onMessageRemoved: OnMessageRemovedParams;
  onConversationAdd: OnConversationAddParams;
  onConversationAdded: OnConversationAddedParams;
  onConversationUpdate: OnConversationUpdateParams;
  onConversationUpdated: OnConversationUpdatedParams;
  onConversationRemove: OnConversationRemoveParams;
  onConversationRemoved: OnConversationRemovedParams;
  onConversationStateUpdated: OnConversationStateUpdatedParams;
  onParticipantAdd: OnParticipantAddParams;
  onParticipantAdded: OnParticipantAddedParams;
  onParticipantUpdate: OnParticipantUpdateParams;
  onParticipantUpdated: OnParticipantUpdatedParams;
  onParticipantRemove: OnParticipantRemoveParams;
  onParticipantRemoved: OnParticipantRemovedParams;
  onDeliveryUpdated: OnDeliveryUpdatedParams;
  onUserAdded: OnUserAddedParams;
  onUserUpdate: OnUserUpdateParams;
  onUserUpdated: OnUserUpdatedParams;
};

/** What a hook receives: the parameters plus parsed `attributes` / `media` where the event has them. */
export type TwilioConversationsEventMap = {
  [T in TwilioConversationsEventType]: WithParsed<TwilioConversationsParamsMap[T]>;
};

/*
 * Compile-time guard: the map and the table must list the same event types,
 * or an event added to one would silently lose its type or its schema.
 */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type TableMatchesMap = Assert<SameKeys<keyof TwilioConversationsParamsMap, TwilioConversationsEventType>>;
