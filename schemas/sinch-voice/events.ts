import {
  amdSchema,
  baseEventProperties,
  callHeadersSchema,
  destinationSchema,
  menuResultSchema,
  priceSchema,
} from './common.js';
import {
  diceReasonString,
  diceResultString,
  domainString,
  notifyTypeString,
  type FromVoiceSchema,
} from './open-strings.js';

/** Incoming Call Event: a call reached one of the application's numbers or users. Answer with SVAML. */
export const iceEventSchema = {
  type: 'object',
  required: ['event', 'callid'],
  properties: {
    event: { const: 'ice' },
    ...baseEventProperties,
    callResourceUrl: { type: 'string' },
    userRate: priceSchema,
    cli: { type: 'string' },
    to: destinationSchema,
    domain: domainString,
    originationType: domainString,
    duration: { type: 'number' },
    rdnis: { type: 'string' },
    callHeaders: callHeadersSchema,
  },
  additionalProperties: true,
} as const;

/** Answered Call Event: the callee picked up (not sent for in-app `username` destinations). */
export const aceEventSchema = {
  type: 'object',
  required: ['event', 'callid'],
  properties: {
    event: { const: 'ace' },
    ...baseEventProperties,
    amd: amdSchema,
  },
  additionalProperties: true,
} as const;

/** Disconnected Call Event: the call ended. Answered 200 with an empty body. */
export const diceEventSchema = {
  type: 'object',
  required: ['event', 'callid'],
  properties: {
    event: { const: 'dice' },
    ...baseEventProperties,
    reason: diceReasonString,
    result: diceResultString,
    debit: priceSchema,
    userRate: priceSchema,
    to: destinationSchema,
    duration: { type: 'number' },
    from: { type: 'string' },
    callHeaders: callHeadersSchema,
  },
  additionalProperties: true,
} as const;

/**
 * Prompt Input Event: the result of a `runMenu`. `menuResult` is required
 * because a PIE without it says nothing a hook could act on.
 */
export const pieEventSchema = {
  type: 'object',
  required: ['event', 'callid', 'menuResult'],
  properties: {
    event: { const: 'pie' },
    ...baseEventProperties,
    menuResult: menuResultSchema,
  },
  additionalProperties: true,
} as const;

/**
 * Notification: recordings, transcriptions, async AMD results and calling
 * errors. `destination` is the recording or transcription URL.
 */
export const notifyEventSchema = {
  type: 'object',
  required: ['event', 'callid'],
  properties: {
    event: { const: 'notify' },
    ...baseEventProperties,
    type: notifyTypeString,
    amd: amdSchema,
    destination: { type: 'string' },
    // The `callingerror` variant.
    errorCode: { type: 'number' },
    errorMsg: { type: 'string' },
    user: { type: 'string' },
  },
  additionalProperties: true,
} as const;

export type IceEvent = FromVoiceSchema<typeof iceEventSchema>;
export type AceEvent = FromVoiceSchema<typeof aceEventSchema>;
export type DiceEvent = FromVoiceSchema<typeof diceEventSchema>;
export type PieEvent = FromVoiceSchema<typeof pieEventSchema>;
export type NotifyEvent = FromVoiceSchema<typeof notifyEventSchema>;
