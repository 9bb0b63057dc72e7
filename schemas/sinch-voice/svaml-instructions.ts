import type { FromSchema } from 'json-schema-to-ts';
import { localeString, startRecordingOptionsSchema } from './svaml-parts.js';

/* One closed schema per SVAML instruction; see svaml-actions.ts. */

/** Plays files, `#tts[…]` or `#ssml[…]` prompts; `locale` is needed for the last two. */
export const playFilesInstructionSchema = {
  type: 'object',
  required: ['name', 'ids'],
  properties: {
    name: { const: 'playFiles' },
    ids: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    locale: localeString,
  },
  additionalProperties: false,
} as const;

/** Text to speech; Sinch's default limit is 600 characters. */
export const sayInstructionSchema = {
  type: 'object',
  required: ['name', 'text'],
  properties: {
    name: { const: 'say' },
    text: { type: 'string', minLength: 1, maxLength: 600 },
    locale: localeString,
  },
  additionalProperties: false,
} as const;

export const sendDtmfInstructionSchema = {
  type: 'object',
  required: ['name', 'value'],
  properties: {
    name: { const: 'sendDtmf' },
    value: { type: 'string', pattern: '^[0-9#*w]+$' },
  },
  additionalProperties: false,
} as const;

/** A value that later callbacks of the same call carry; switchboard also keeps it on the call record. */
export const setCookieInstructionSchema = {
  type: 'object',
  required: ['name', 'key', 'value'],
  properties: {
    name: { const: 'setCookie' },
    key: { type: 'string', minLength: 1 },
    value: { type: 'string' },
  },
  additionalProperties: false,
} as const;

/** Answers (and starts billing) an unanswered call; ICE only. */
export const answerInstructionSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { const: 'answer' } },
  additionalProperties: false,
} as const;

export const startRecordingInstructionSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { const: 'startRecording' },
    options: startRecordingOptionsSchema,
  },
  additionalProperties: false,
} as const;

export const stopRecordingInstructionSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { const: 'stopRecording' } },
  additionalProperties: false,
} as const;

export const svamlInstructionSchemas = {
  playFiles: playFilesInstructionSchema,
  say: sayInstructionSchema,
  sendDtmf: sendDtmfInstructionSchema,
  setCookie: setCookieInstructionSchema,
  answer: answerInstructionSchema,
  startRecording: startRecordingInstructionSchema,
  stopRecording: stopRecordingInstructionSchema,
} as const;

export type PlayFilesInstruction = FromSchema<typeof playFilesInstructionSchema>;
export type SayInstruction = FromSchema<typeof sayInstructionSchema>;
export type SendDtmfInstruction = FromSchema<typeof sendDtmfInstructionSchema>;
export type SetCookieInstruction = FromSchema<typeof setCookieInstructionSchema>;
export type AnswerInstruction = FromSchema<typeof answerInstructionSchema>;
export type StartRecordingInstruction = FromSchema<typeof startRecordingInstructionSchema>;
export type StopRecordingInstruction = FromSchema<typeof stopRecordingInstructionSchema>;

/** Every SVAML instruction by name; which ones an event allows is in svaml.ts. */
export type SvamlInstructionByName = {
  playFiles: PlayFilesInstruction;
  say: SayInstruction;
  sendDtmf: SendDtmfInstruction;
  setCookie: SetCookieInstruction;
  answer: AnswerInstruction;
  startRecording: StartRecordingInstruction;
  stopRecording: StopRecordingInstruction;
};
export type SvamlInstructionName = keyof SvamlInstructionByName;
