import type { JSONSchema } from 'json-schema-to-ts';
import { openString, type FromOpenSchema, type OpenStringPattern } from '../open-string.js';

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

/* Tagged open strings: see ../open-string.ts. */
export const domainString = openString('VoiceDomain');
export const destinationTypeString = openString('VoiceDestinationType');
export const amdStatusString = openString('AmdStatus');
export const amdReasonString = openString('AmdReason');
export const diceReasonString = openString('DiceReason');
export const diceResultString = openString('DiceResult');
export const menuResultTypeString = openString('MenuResultType');
export const inputMethodString = openString('MenuInputMethod');
export const notifyTypeString = openString('NotifyType');


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
export type FromVoiceSchema<S extends JSONSchema> = FromOpenSchema<S, OpenStringPatterns>;
