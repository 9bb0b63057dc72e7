import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

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

/*
 * Each open string is tagged with a `title`. Ajv ignores titles, while
 * json-schema-to-ts's `deserialize` option matches on them and swaps
 * `string` for the union.
 */
export const sourceString = { type: 'string', title: 'TwilioSource' } as const;
export const conversationStateString = { type: 'string', title: 'TwilioConversationState' } as const;
export const stateReasonString = { type: 'string', title: 'TwilioStateReason' } as const;
export const deliveryStatusString = { type: 'string', title: 'TwilioDeliveryStatus' } as const;
export const bindingTypeString = { type: 'string', title: 'TwilioBindingType' } as const;
export const booleanString = { type: 'string', title: 'TwilioBooleanString' } as const;

type OpenStringPattern<Title extends string, Output> = {
  pattern: { type: 'string'; title: Title };
  output: Output;
};

type OpenStringPatterns = [
  OpenStringPattern<'TwilioSource', TwilioSource>,
  OpenStringPattern<'TwilioConversationState', TwilioConversationState>,
  OpenStringPattern<'TwilioStateReason', TwilioStateReason>,
  OpenStringPattern<'TwilioDeliveryStatus', TwilioDeliveryStatus>,
  OpenStringPattern<'TwilioBindingType', TwilioBindingType>,
  OpenStringPattern<'TwilioBooleanString', TwilioBooleanString>,
];

/** `FromSchema` with the open-string titles above resolved to their unions. */
export type FromTwilioSchema<S extends JSONSchema> = FromSchema<S, { deserialize: OpenStringPatterns }>;
