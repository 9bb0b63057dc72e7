import { svamlActionSchemas, type SvamlActionByName } from './svaml-actions.js';
import { svamlInstructionSchemas, type SvamlInstructionByName } from './svaml-instructions.js';

/**
 * Which actions and instructions Sinch accepts in the answer to each
 * callback: the action table of the SVAML reference and the instruction
 * table of Sinch's own skills docs (protocols/sinch-voice.md §3.2). The
 * builders, the types and the JSON Schemas are all generated from this one
 * table, so they cannot disagree. DiCE and Notify take no SVAML.
 */
export const svamlRules = {
  ice: {
    actions: ['hangup', 'connectPstn', 'connectMxp', 'connectConf', 'connectSip', 'connectStream', 'runMenu', 'park'],
    instructions: ['playFiles', 'say', 'sendDtmf', 'setCookie', 'answer', 'startRecording', 'stopRecording'],
  },
  ace: {
    actions: ['hangup', 'continue', 'connectConf', 'runMenu'],
    instructions: ['playFiles', 'say', 'setCookie', 'startRecording', 'stopRecording'],
  },
  pie: {
    actions: ['hangup', 'continue', 'connectPstn', 'connectConf', 'connectSip', 'runMenu'],
    instructions: ['playFiles', 'say', 'sendDtmf', 'setCookie', 'startRecording', 'stopRecording'],
  },
} as const;

/** The callbacks that are answered with SVAML. */
export type SvamlEvent = keyof typeof svamlRules;
export type SvamlActionNameFor<E extends SvamlEvent> = (typeof svamlRules)[E]['actions'][number];
export type SvamlInstructionNameFor<E extends SvamlEvent> = (typeof svamlRules)[E]['instructions'][number];
export type SvamlActionFor<E extends SvamlEvent> = SvamlActionByName[SvamlActionNameFor<E>];
export type SvamlInstructionFor<E extends SvamlEvent> = SvamlInstructionByName[SvamlInstructionNameFor<E>];

/** A complete SVAML answer to one callback: exactly one action, optional instructions before it. */
export interface Svaml<E extends SvamlEvent> {
  instructions?: ReadonlyArray<SvamlInstructionFor<E>>;
  action: SvamlActionFor<E>;
}
export type IceSvaml = Svaml<'ice'>;
export type AceSvaml = Svaml<'ace'>;
export type PieSvaml = Svaml<'pie'>;

function discriminated(schemas: readonly object[]) {
  // Ajv's discriminator picks the one branch by `name`, so an error names the
  // field that is wrong in *that* action instead of one per oneOf branch.
  return {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' } },
    discriminator: { propertyName: 'name' },
    oneOf: schemas,
  } as const;
}

function responseSchema(event: SvamlEvent) {
  const rules = svamlRules[event];
  return {
    type: 'object',
    required: ['action'],
    properties: {
      action: discriminated(rules.actions.map((name) => svamlActionSchemas[name])),
      instructions: { type: 'array', items: discriminated(rules.instructions.map((name) => svamlInstructionSchemas[name])) },
    },
    additionalProperties: false,
  } as const;
}

/**
 * The JSON Schema of a complete answer per event. Compile with Ajv's
 * `discriminator: true` option.
 */
export const svamlResponseSchemas = {
  ice: responseSchema('ice'),
  ace: responseSchema('ace'),
  pie: responseSchema('pie'),
} as const;
