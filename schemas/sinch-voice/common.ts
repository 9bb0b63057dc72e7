import {
  amdReasonString,
  amdStatusString,
  destinationTypeString,
  inputMethodString,
  menuResultTypeString,
  type FromVoiceSchema,
} from './open-strings.js';

/*
 * Conventions for the callback schemas in this folder (the SVAML schemas
 * follow the opposite rules, see svaml-actions.ts):
 * - `additionalProperties: true` everywhere: Sinch adds fields over time, and
 *   a rejected ICE is a dropped call.
 * - `required` lists only what the callback cannot be acted on without; the
 *   official examples omit most fields.
 * - Shared pieces are spread `as const` objects rather than `$ref`, which
 *   keeps json-schema-to-ts cheap and needs no `$id`s.
 * - No `format` keywords: strict Ajv throws on formats it does not know, and
 *   timestamps are passed through untouched.
 */

export const priceSchema = {
  type: 'object',
  properties: {
    currencyId: { type: 'string' },
    amount: { type: 'number' },
  },
  additionalProperties: true,
} as const;

/** The callee (ICE, DiCE `to`): a number, a DID, an in-app username or a SIP URI. */
export const destinationSchema = {
  type: 'object',
  properties: {
    type: destinationTypeString,
    endpoint: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export const callHeadersSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      key: { type: 'string' },
      value: { type: 'string' },
    },
    additionalProperties: true,
  },
} as const;

/** Answering machine detection: in ACE (synchronous mode) or a notify of type `amd`/`amd_beep` (async). */
export const amdSchema = {
  type: 'object',
  properties: {
    status: amdStatusString,
    reason: amdReasonString,
    duration: { type: 'number' },
  },
  additionalProperties: true,
} as const;

export const menuResultSchema = {
  type: 'object',
  properties: {
    menuId: { type: 'string' },
    type: menuResultTypeString,
    value: { type: 'string' },
    inputMethod: inputMethodString,
    // Present (empty) in the Node SDK's test payload; undocumented.
    addToContext: { type: 'array' },
  },
  additionalProperties: true,
} as const;

/**
 * Fields every callback may carry. `callid` is required: the parser copies
 * the API reference's `callId` spelling into it, and without a call id the
 * callback can neither be recorded nor deduplicated.
 */
export const baseEventProperties = {
  callid: { type: 'string', minLength: 1 },
  callId: { type: 'string' },
  timestamp: { type: 'string' },
  version: { type: 'number' },
  custom: { type: 'string' },
  applicationKey: { type: 'string' },
  conferenceId: { type: 'string' },
} as const;

export type VoicePrice = FromVoiceSchema<typeof priceSchema>;
export type VoiceDestination = FromVoiceSchema<typeof destinationSchema>;
export type VoiceCallHeaders = FromVoiceSchema<typeof callHeadersSchema>;
export type AmdResult = FromVoiceSchema<typeof amdSchema>;
export type MenuResult = FromVoiceSchema<typeof menuResultSchema>;
