import type { FromSchema } from 'json-schema-to-ts';
import {
  callHeadersList,
  e164String,
  indicationCodes,
  localeString,
  maxDurationInteger,
  menuSchema,
  musicOnHold,
} from './svaml-parts.js';

/*
 * One schema per SVAML action, closed and strict (see svaml-parts.ts). The
 * TypeScript type of each is derived from its schema, so what compiles is
 * what validates. Field lists follow the Sinch SVAML reference and
 * @sinch/voice's mod-svaml models.
 */

export const hangupActionSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { const: 'hangup' } },
  additionalProperties: false,
} as const;

export const continueActionSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { const: 'continue' } },
  additionalProperties: false,
} as const;

export const connectPstnActionSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { const: 'connectPstn' },
    /** Omitted: the number the caller dialled. */
    number: e164String,
    locale: localeString,
    maxDuration: maxDurationInteger,
    dialTimeout: { type: 'integer', minimum: 1, maximum: 14400 },
    /** Caller id shown to the callee: a number you own, or `private` to withhold it. */
    cli: { type: 'string', pattern: '^(\\+?[1-9][0-9]{1,14}|private)$' },
    suppressCallbacks: { type: 'boolean' },
    /** Tones sent when the callee answers: digits, `#`, and `w` for a 500 ms pause. */
    dtmf: { type: 'string', pattern: '^[0-9#w]+$' },
    indications: { enum: indicationCodes },
    amd: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        async: { type: 'boolean' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export const connectMxpActionSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { const: 'connectMxp' },
    destination: {
      type: 'object',
      required: ['type', 'endpoint'],
      properties: {
        type: { const: 'username' },
        endpoint: { type: 'string', minLength: 1 },
      },
      additionalProperties: false,
    },
    callHeaders: callHeadersList,
  },
  additionalProperties: false,
} as const;

export const connectConfActionSchema = {
  type: 'object',
  required: ['name', 'conferenceId'],
  properties: {
    name: { const: 'connectConf' },
    conferenceId: { type: 'string', minLength: 1, maxLength: 64 },
    conferenceDtmfOptions: {
      type: 'object',
      properties: {
        mode: { enum: ['ignore', 'forward', 'detect'] },
        maxDigits: { type: 'integer', minimum: 1 },
        timeoutMills: { type: 'integer', minimum: 0 },
      },
      additionalProperties: false,
    },
    moh: musicOnHold,
  },
  additionalProperties: false,
} as const;

export const connectSipActionSchema = {
  type: 'object',
  required: ['name', 'destination'],
  properties: {
    name: { const: 'connectSip' },
    destination: {
      type: 'object',
      required: ['type', 'endpoint'],
      properties: {
        type: { const: 'sip' },
        endpoint: { type: 'string', minLength: 1 },
      },
      additionalProperties: false,
    },
    maxDuration: maxDurationInteger,
    cli: { type: 'string', minLength: 1 },
    transport: { enum: ['udp', 'tcp', 'tls', 'UDP', 'TCP', 'TLS'] },
    suppressCallbacks: { type: 'boolean' },
    callHeaders: callHeadersList,
    moh: musicOnHold,
  },
  additionalProperties: false,
} as const;

/** Closed beta at Sinch; ICE only. */
export const connectStreamActionSchema = {
  type: 'object',
  required: ['name', 'destination'],
  properties: {
    name: { const: 'connectStream' },
    destination: {
      type: 'object',
      required: ['type', 'endpoint'],
      properties: {
        type: { const: 'websocket' },
        endpoint: { type: 'string', pattern: '^wss?://.+' },
      },
      additionalProperties: false,
    },
    streamingOptions: {
      type: 'object',
      properties: {
        version: { type: 'integer', minimum: 1 },
        sampleRate: { type: 'integer', minimum: 1 },
      },
      additionalProperties: false,
    },
    maxDuration: maxDurationInteger,
    callHeaders: callHeadersList,
  },
  additionalProperties: false,
} as const;

/**
 * `menus` is required and must contain a menu with id `main`: Sinch always
 * starts there and fails the call otherwise. That `menu(<id>)` targets exist,
 * and that `enableVoice` comes with a `locale`, is checked in code
 * (src/providers/sinch-voice/svaml.ts), which keeps this type simple.
 */
export const runMenuActionSchema = {
  type: 'object',
  required: ['name', 'menus'],
  properties: {
    name: { const: 'runMenu' },
    barge: { type: 'boolean' },
    locale: localeString,
    mainMenu: { type: 'string', minLength: 1 },
    enableVoice: { type: 'boolean' },
    menus: {
      type: 'array',
      minItems: 1,
      items: menuSchema,
      contains: { type: 'object', required: ['id'], properties: { id: { const: 'main' } } },
    },
  },
  additionalProperties: false,
} as const;

export const parkActionSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { const: 'park' },
    locale: localeString,
    introPrompt: { type: 'string', minLength: 1 },
    holdPrompt: { type: 'string', minLength: 1 },
    maxDuration: maxDurationInteger,
  },
  additionalProperties: false,
} as const;

export const svamlActionSchemas = {
  hangup: hangupActionSchema,
  continue: continueActionSchema,
  connectPstn: connectPstnActionSchema,
  connectMxp: connectMxpActionSchema,
  connectConf: connectConfActionSchema,
  connectSip: connectSipActionSchema,
  connectStream: connectStreamActionSchema,
  runMenu: runMenuActionSchema,
  park: parkActionSchema,
} as const;

export type HangupAction = FromSchema<typeof hangupActionSchema>;
export type ContinueAction = FromSchema<typeof continueActionSchema>;
export type ConnectPstnAction = FromSchema<typeof connectPstnActionSchema>;
export type ConnectMxpAction = FromSchema<typeof connectMxpActionSchema>;
export type ConnectConfAction = FromSchema<typeof connectConfActionSchema>;
export type ConnectSipAction = FromSchema<typeof connectSipActionSchema>;
export type ConnectStreamAction = FromSchema<typeof connectStreamActionSchema>;
export type RunMenuAction = FromSchema<typeof runMenuActionSchema>;
export type ParkAction = FromSchema<typeof parkActionSchema>;

/** Every SVAML action by name; which ones an event allows is in svaml.ts. */
export type SvamlActionByName = {
  hangup: HangupAction;
  continue: ContinueAction;
  connectPstn: ConnectPstnAction;
  connectMxp: ConnectMxpAction;
  connectConf: ConnectConfAction;
  connectSip: ConnectSipAction;
  connectStream: ConnectStreamAction;
  runMenu: RunMenuAction;
  park: ParkAction;
};
export type SvamlActionName = keyof SvamlActionByName;
