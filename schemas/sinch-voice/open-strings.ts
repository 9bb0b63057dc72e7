import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/*
 * Value sets Sinch grows without notice (hang-up reasons, notification
 * types, AMD reasons). A schema `enum` would turn a harmless addition on
 * their side into a rejected callback on ours, and a rejected ICE is a
 * dropped call. At run time they are plain strings; the unions exist for
 * editor completion. `(string & {})` keeps the literals from collapsing.
 */

export type VoiceDomain = 'pstn' | 'mxp' | (string & {});

/** `did` and `number` carry phone numbers, `username` an in-app user, `sip` a SIP URI. */
export type VoiceDestinationType = 'did' | 'number' | 'username' | 'sip' | (string & {});

export type AmdStatus = 'machine' | 'human' | 'notsure' | 'hangup' | 'inprogress' | (string & {});

export type AmdReason = 'longgreeting' | 'initialsilence' | 'greeting' | 'beep' | 'n/a' | (string & {});

export type DiceReason =
  | 'N/A' | 'TIMEOUT' | 'CALLERHANGUP' | 'CALLEEHANGUP' | 'BLOCKED' | 'MANAGERHANGUP' | 'NOCREDITPARTNER'
  | 'GENERALERROR' | 'CANCEL' | 'USERNOTFOUND' | 'CALLBACKERROR' | 'INVALIDSVAMLACTION'
  | (string & {});

export type DiceResult = 'N/A' | 'ANSWERED' | 'BUSY' | 'NOANSWER' | 'FAILED' | (string & {});

export type MenuResultType = 'return' | 'sequence' | 'timeout' | 'hangup' | 'invalidinput' | 'error' | (string & {});

export type MenuInputMethod = 'dtmf' | 'voice' | (string & {});

export type NotifyType =
  | 'recording_finished' | 'recording_available' | 'transcription_available' | 'amd' | 'amd_beep' | 'callingerror'
  | (string & {});

/*
 * Tagged with a `title` that Ajv ignores and json-schema-to-ts's
 * `deserialize` option matches, so the derived types carry the unions above
 * without a hand-written type drifting from the schema.
 */
export const domainString = { type: 'string', title: 'VoiceDomain' } as const;
export const destinationTypeString = { type: 'string', title: 'VoiceDestinationType' } as const;
export const amdStatusString = { type: 'string', title: 'AmdStatus' } as const;
export const amdReasonString = { type: 'string', title: 'AmdReason' } as const;
export const diceReasonString = { type: 'string', title: 'DiceReason' } as const;
export const diceResultString = { type: 'string', title: 'DiceResult' } as const;
export const menuResultTypeString = { type: 'string', title: 'MenuResultType' } as const;
export const inputMethodString = { type: 'string', title: 'MenuInputMethod' } as const;
export const notifyTypeString = { type: 'string', title: 'NotifyType' } as const;

type OpenStringPattern<Title extends string, Output> = {
  pattern: { type: 'string'; title: Title };
  output: Output;
};

type OpenStringPatterns = [
  OpenStringPattern<'VoiceDomain', VoiceDomain>,
  OpenStringPattern<'VoiceDestinationType', VoiceDestinationType>,
  OpenStringPattern<'AmdStatus', AmdStatus>,
  OpenStringPattern<'AmdReason', AmdReason>,
  OpenStringPattern<'DiceReason', DiceReason>,
  OpenStringPattern<'DiceResult', DiceResult>,
  OpenStringPattern<'MenuResultType', MenuResultType>,
  OpenStringPattern<'MenuInputMethod', MenuInputMethod>,
  OpenStringPattern<'NotifyType', NotifyType>,
];

/** `FromSchema` with the open-string titles above resolved to their unions. */
export type FromVoiceSchema<S extends JSONSchema> = FromSchema<S, { deserialize: OpenStringPatterns }>;
