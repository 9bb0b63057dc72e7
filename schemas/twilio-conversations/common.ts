import { bindingTypeString, sourceString } from './open-strings.js';

/*
 * Conventions for every schema in this folder:
 * - A schema describes the webhook's form parameters after decoding: every
 *   value is a string, as Twilio sends it (numbers and booleans arrive as
 *   text). A key Twilio sends more than once becomes an array of its values;
 *   only keys documented as repeatable accept that.
 * - `additionalProperties: true` everywhere: Twilio adds parameters without
 *   notice (its docs say so), and an unknown one must never cost us an event.
 * - `required` lists only what the event cannot be acted on without.
 * - No `format` or `pattern`: values are passed through untouched and
 *   parsed leniently where we use them.
 * - Shared pieces are spread from `as const` objects instead of `$ref`.
 */

const str = { type: 'string' } as const;

/** Parameters every Conversations webhook may carry. */
export const commonProperties = {
  AccountSid: str,
  Source: sourceString,
  /** Only on SDK-originated events. */
  ClientIdentity: str,
  /** Observed (`0` on a first attempt), not in Twilio's tables. */
  RetryCount: str,
  ChatServiceSid: str,
  /** Programmable Chat carried these; no Conversations capture shows them. */
  WebhookSid: str,
  WebhookType: str,
} as const;

/** `Attributes` is a JSON document sent as a string; the raw string is kept. */
export const attributesProperty = { Attributes: str } as const;

/** `Media` is a JSON array sent as a string; the raw string is kept. */
export const mediaProperty = { Media: str } as const;

/** Group-MMS auto-creation sends `MessagingBinding.Address` once per member. */
export const repeatableString = {
  anyOf: [str, { type: 'array', items: str }],
} as const;

/** Addresses of a conversation's messaging binding (null for REST-created conversations). */
export const conversationBindingProperties = {
  'MessagingBinding.ProxyAddress': str,
  'MessagingBinding.Address': repeatableString,
  'MessagingBinding.ProjectedAddress': str,
  'MessagingBinding.AuthorAddress': str,
} as const;

/** A participant's binding: its own address, the Twilio number it talks to, and the channel. */
export const participantBindingProperties = {
  'MessagingBinding.ProxyAddress': str,
  'MessagingBinding.Address': str,
  'MessagingBinding.ProjectedAddress': str,
  'MessagingBinding.Type': bindingTypeString,
} as const;

export const stringProperty = str;
