import type { FromSchema } from 'json-schema-to-ts';

/*
 * Building blocks shared by SVAML actions and instructions. Unlike the
 * callback schemas these are closed (`additionalProperties: false`) and
 * strict: they check what *we* send, and a typo such as `numbr` must be
 * caught before Sinch receives it, not silently ignored by Sinch.
 */

/** E.164 with the leading `+`, which Sinch requires for PSTN numbers. */
export const e164String = { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$' } as const;

/** A TTS voice or locale (`en-US`, `en-US/female`, `Joanna`, …); Sinch's list is long and grows. */
export const localeString = { type: 'string', minLength: 1 } as const;

/** Seconds; Sinch disconnects at most after 4 h. */
export const maxDurationInteger = { type: 'integer', minimum: 1, maximum: 14400 } as const;

export const callHeadersList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['key', 'value'],
    properties: {
      key: { type: 'string', minLength: 1 },
      value: { type: 'string' },
    },
    additionalProperties: false,
  },
} as const;

export const musicOnHold = { enum: ['ring', 'music1', 'music2', 'music3'] } as const;

/** Ring-back tone country codes, as listed by Sinch. */
export const indicationCodes = [
  'at', 'au', 'bg', 'br', 'be', 'ch', 'cl', 'cn', 'cz', 'de', 'dk', 'ee', 'es', 'fi', 'fr', 'gr', 'hu', 'il', 'in', 'it',
  'lt', 'jp', 'mx', 'my', 'nl', 'no', 'nz', 'ph', 'pl', 'pt', 'ru', 'se', 'sg', 'th', 'uk', 'us', 'tw', 've', 'za',
] as const;

/**
 * One IVR menu. Options navigate with `menu(<id>)` or end the menu with
 * `return(<value>)`, which Sinch reports in a PIE as `menuResult.value`.
 */
export const menuSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1 },
    mainPrompt: { type: 'string', minLength: 1 },
    repeatPrompt: { type: 'string', minLength: 1 },
    repeats: { type: 'integer', minimum: 0 },
    maxDigits: { type: 'integer', minimum: 1 },
    timeoutMills: { type: 'integer', minimum: 0 },
    maxTimeoutMills: { type: 'integer', minimum: 0 },
    options: {
      type: 'array',
      items: {
        type: 'object',
        required: ['dtmf', 'action'],
        properties: {
          dtmf: { type: 'string', pattern: '^[0-9*#]$' },
          action: { type: 'string', pattern: '^(menu\\([^()]+\\)|return(\\([^()]*\\))?)$' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const startRecordingOptionsSchema = {
  type: 'object',
  required: ['destinationUrl', 'credentials'],
  properties: {
    destinationUrl: { type: 'string', minLength: 1 },
    credentials: { type: 'string' },
    format: { type: 'string', minLength: 1 },
    notificationEvents: { type: 'boolean' },
    transcriptionOptions: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        locale: localeString,
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export type SvamlMenu = FromSchema<typeof menuSchema>;
export type SvamlCallHeader = FromSchema<typeof callHeadersList>[number];
export type MusicOnHold = FromSchema<typeof musicOnHold>;
export type Indication = (typeof indicationCodes)[number];
export type StartRecordingOptions = FromSchema<typeof startRecordingOptionsSchema>;
