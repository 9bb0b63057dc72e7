import type { JSONSchema } from 'json-schema-to-ts';
import { openString, type FromOpenSchema, type OpenStringPattern } from '../open-string.js';

/*
 * Twilio grows these value sets without notice (`Source` is documented as
 * SDK|API and `SMS` is observed too), so a schema `enum` would turn a
 * harmless change on their side into rejected webhooks on ours. At run time
 * they are plain strings; the literal unions exist for editor completion.
 * `(string & {})` keeps the literals from collapsing into `string`.
 */

/** Where the action came from. */
export type TwilioSource = 'SDK' | 'API' | 'SMS' | 'WHATSAPP' | (string & {});

/** A conversation's state; `closed` is final. */
export type TwilioConversationState = 'active' | 'inactive' | 'closed' | (string & {});

/** Why `onConversationStateUpdated` fired. */
export type TwilioStateReason = 'API' | 'TIMER' | 'EVENT' | (string & {});

/** A delivery receipt's status, per participant. */
export type TwilioDeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered' | (string & {});

/** `MessagingBinding.Type` of a participant. */
export type TwilioBindingType = 'SMS' | 'WHATSAPP' | 'CHAT' | (string & {});

/** Form values that carry a boolean, e.g. `isOnline`. */
export type TwilioBooleanString = 'true' | 'false' | (string & {});

/* Tagged open strings: see ../open-string.ts. */
export const sourceString = openString('TwilioSource');
export const conversationStateString = openString('TwilioConversationState');
export const stateReasonString = openString('TwilioStateReason');
export const deliveryStatusString = openString('TwilioDeliveryStatus');
export const bindingTypeString = openString('TwilioBindingType');
export const booleanString = openString('TwilioBooleanString');


type OpenStringPatterns = [
  OpenStringPattern<'TwilioSource', TwilioSource>,
  OpenStringPattern<'TwilioConversationState', TwilioConversationState>,
  OpenStringPattern<'TwilioStateReason', TwilioStateReason>,
  OpenStringPattern<'TwilioDeliveryStatus', TwilioDeliveryStatus>,
  OpenStringPattern<'TwilioBindingType', TwilioBindingType>,
  OpenStringPattern<'TwilioBooleanString', TwilioBooleanString>,
];

/** `FromSchema` with the open-string titles above resolved to their unions. */
export type FromTwilioSchema<S extends JSONSchema> = FromOpenSchema<S, OpenStringPatterns>;
