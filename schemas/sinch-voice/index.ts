import {
  aceEventSchema,
  diceEventSchema,
  iceEventSchema,
  notifyEventSchema,
  pieEventSchema,
  type AceEvent,
  type DiceEvent,
  type IceEvent,
  type NotifyEvent,
  type PieEvent,
} from './events.js';

export * from './open-strings.js';
export * from './common.js';
export * from './events.js';
export * from './svaml-parts.js';
export * from './svaml-actions.js';
export * from './svaml-instructions.js';
export * from './svaml.js';

/** Sinch Voice names the callback in the body's `event` field. */
export const sinchVoiceEvents = [
  { event: 'ice', hook: 'onIce', schema: iceEventSchema },
  { event: 'ace', hook: 'onAce', schema: aceEventSchema },
  { event: 'dice', hook: 'onDice', schema: diceEventSchema },
  { event: 'pie', hook: 'onPie', schema: pieEventSchema },
  { event: 'notify', hook: 'onNotify', schema: notifyEventSchema },
] as const;

export type SinchVoiceEventEntry = (typeof sinchVoiceEvents)[number];
export type SinchVoiceEventName = SinchVoiceEventEntry['event'];
export type SinchVoiceHookName = SinchVoiceEventEntry['hook'];

/** Whole callback body per event, as delivered (with `callid` filled from `callId` when only that was sent). */
export type SinchVoiceEventMap = {
  ice: IceEvent;
  ace: AceEvent;
  dice: DiceEvent;
  pie: PieEvent;
  notify: NotifyEvent;
};

/*
 * Compile-time guard: the map and the table must list the same events, or an
 * event added to one would silently lose its type or its schema.
 */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type TableMatchesMap = Assert<SameKeys<keyof SinchVoiceEventMap, SinchVoiceEventName>>;
