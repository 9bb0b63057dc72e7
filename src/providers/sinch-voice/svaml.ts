import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  svamlResponseSchemas,
  svamlRules,
  type ConnectConfAction,
  type ConnectMxpAction,
  type ConnectPstnAction,
  type ConnectSipAction,
  type ConnectStreamAction,
  type ParkAction,
  type RunMenuAction,
  type StartRecordingOptions,
  type Svaml,
  type SvamlActionByName,
  type SvamlActionNameFor,
  type SvamlEvent,
  type SvamlInstructionByName,
  type SvamlInstructionFor,
  type SvamlInstructionNameFor,
} from '../../../schemas/sinch-voice/index.js';

// ---------------------------------------------------------------------------
// Builder types: one interface per event, holding exactly the methods that
// event allows. They are picked from the full method sets below by the
// names in `svamlRules`, so `svaml.ace().connectMxp` is a compile error and,
// for JavaScript callers, not a function at run time.
// ---------------------------------------------------------------------------

export type ConnectPstnOptions = Omit<ConnectPstnAction, 'name' | 'number'>;
export type ConnectMxpOptions = Omit<ConnectMxpAction, 'name' | 'destination'>;
export type ConnectConfOptions = Omit<ConnectConfAction, 'name' | 'conferenceId'>;
export type ConnectSipOptions = Omit<ConnectSipAction, 'name' | 'destination'>;
export type ConnectStreamOptions = Omit<ConnectStreamAction, 'name' | 'destination'>;
export type RunMenuOptions = Omit<RunMenuAction, 'name'>;
export type ParkOptions = Omit<ParkAction, 'name'>;

/** Instructions run in order before the action; each call returns a new builder. */
interface InstructionMethods<Self> {
  /** Plays URLs, `#tts[…]` or `#ssml[…]` prompts (`locale` is required for the last two). */
  playFiles(ids: string | readonly string[], locale?: string): Self;
  /** Text to speech, at most 600 characters. */
  say(text: string, locale?: string): Self;
  /** DTMF tones: digits, `#`, `*`, and `w` for a 500 ms pause. */
  sendDtmf(value: string): Self;
  /** Keeps a value for later callbacks of this call (and on switchboard's call record). */
  setCookie(key: string, value: string): Self;
  /** Answers the call (billing starts); put it before prompts on an unanswered call. */
  answer(): Self;
  startRecording(options?: StartRecordingOptions): Self;
  stopRecording(): Self;
}

/** Each action ends the chain and returns the finished SVAML: exactly one action, by construction. */
interface ActionMethods<E extends SvamlEvent> {
  hangup(): Svaml<E>;
  continue(): Svaml<E>;
  /** Calls a phone number (E.164 with `+`); without one, the number the caller dialled. */
  connectPstn(number: string, options?: ConnectPstnOptions): Svaml<E>;
  connectPstn(options?: ConnectPstnOptions): Svaml<E>;
  /** Connects to an in-app user by username; without one, the user the caller dialled. */
  connectMxp(username?: string, options?: ConnectMxpOptions): Svaml<E>;
  connectConf(conferenceId: string, options?: ConnectConfOptions): Svaml<E>;
  /** Routes the call to a SIP URI, e.g. `sip:alice@sip.example.com`. */
  connectSip(endpoint: string, options?: ConnectSipOptions): Svaml<E>;
  /** Streams the call to a WebSocket server (`wss://…`); closed beta at Sinch. */
  connectStream(endpoint: string, options?: ConnectStreamOptions): Svaml<E>;
  /** Plays an IVR menu; one menu must have id `main`. The choice arrives in a PIE. */
  runMenu(menu: RunMenuOptions): Svaml<E>;
  park(options?: ParkOptions): Svaml<E>;
}

interface BuilderState<E extends SvamlEvent> {
  /** The instructions added so far. */
  readonly instructions: ReadonlyArray<SvamlInstructionFor<E>>;
}

export interface IceSvamlBuilder
  extends BuilderState<'ice'>,
    Pick<InstructionMethods<IceSvamlBuilder>, SvamlInstructionNameFor<'ice'>>,
    Pick<ActionMethods<'ice'>, SvamlActionNameFor<'ice'>> {}

export interface AceSvamlBuilder
  extends BuilderState<'ace'>,
    Pick<InstructionMethods<AceSvamlBuilder>, SvamlInstructionNameFor<'ace'>>,
    Pick<ActionMethods<'ace'>, SvamlActionNameFor<'ace'>> {}

export interface PieSvamlBuilder
  extends BuilderState<'pie'>,
    Pick<InstructionMethods<PieSvamlBuilder>, SvamlInstructionNameFor<'pie'>>,
    Pick<ActionMethods<'pie'>, SvamlActionNameFor<'pie'>> {}

export type SvamlBuilderFor<E extends SvamlEvent> = { ice: IceSvamlBuilder; ace: AceSvamlBuilder; pie: PieSvamlBuilder }[E];

// ---------------------------------------------------------------------------
// Run-time builders
// ---------------------------------------------------------------------------

type AnyInstruction = SvamlInstructionByName[keyof SvamlInstructionByName];
type AnyAction = SvamlActionByName[keyof SvamlActionByName];

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

const instructionMakers: { [K in keyof SvamlInstructionByName]: (...args: never[]) => SvamlInstructionByName[K] } = {
  playFiles: (ids: string | readonly string[], locale?: string) => ({ name: 'playFiles', ids: typeof ids === 'string' ? [ids] : [...ids], ...optional('locale', locale) }),
  say: (text: string, locale?: string) => ({ name: 'say', text, ...optional('locale', locale) }),
  sendDtmf: (value: string) => ({ name: 'sendDtmf', value }),
  setCookie: (key: string, value: string) => ({ name: 'setCookie', key, value }),
  answer: () => ({ name: 'answer' }),
  startRecording: (options?: StartRecordingOptions) => ({ name: 'startRecording', ...optional('options', options) }),
  stopRecording: () => ({ name: 'stopRecording' }),
};

const actionMakers: { [K in keyof SvamlActionByName]: (...args: never[]) => SvamlActionByName[K] } = {
  hangup: () => ({ name: 'hangup' }),
  continue: () => ({ name: 'continue' }),
  connectPstn: (numberOrOptions?: string | ConnectPstnOptions, options?: ConnectPstnOptions) =>
    typeof numberOrOptions === 'string'
      ? { name: 'connectPstn', number: numberOrOptions, ...options }
      : { name: 'connectPstn', ...numberOrOptions },
  connectMxp: (username?: string, options?: ConnectMxpOptions) => ({
    name: 'connectMxp',
    ...(username === undefined ? {} : { destination: { type: 'username', endpoint: username } as const }),
    ...options,
  }),
  connectConf: (conferenceId: string, options?: ConnectConfOptions) => ({ name: 'connectConf', conferenceId, ...options }),
  connectSip: (endpoint: string, options?: ConnectSipOptions) => ({ name: 'connectSip', destination: { type: 'sip', endpoint }, ...options }),
  connectStream: (endpoint: string, options?: ConnectStreamOptions) => ({ name: 'connectStream', destination: { type: 'websocket', endpoint }, ...options }),
  runMenu: (menu: RunMenuOptions) => ({ name: 'runMenu', ...menu }),
  park: (options?: ParkOptions) => ({ name: 'park', ...options }),
};

function makeBuilder<E extends SvamlEvent>(event: E, instructions: readonly AnyInstruction[]): SvamlBuilderFor<E> {
  const rules = svamlRules[event];
  const builder: Record<string, unknown> = { instructions };
  for (const name of rules.instructions) {
    const make = instructionMakers[name] as (...args: unknown[]) => AnyInstruction;
    builder[name] = (...args: unknown[]) => makeBuilder(event, [...instructions, make(...args)]);
  }
  for (const name of rules.actions) {
    const make = actionMakers[name] as (...args: unknown[]) => AnyAction;
    builder[name] = (...args: unknown[]) => ({ instructions: [...instructions], action: make(...args) });
  }
  // Frozen and copied on every step, so a shared prefix (a greeting kept in a
  // module-level constant) can never be changed by one call's chain.
  return Object.freeze(builder) as unknown as SvamlBuilderFor<E>;
}

/**
 * SVAML builders, one per callback that takes SVAML:
 * `svaml.ice().say('Welcome', 'en-US').runMenu({ menus: [...] })`.
 * Each offers exactly the actions and instructions Sinch allows in that
 * answer; an action ends the chain.
 */
export const svaml = {
  ice: (): IceSvamlBuilder => makeBuilder('ice', []),
  ace: (): AceSvamlBuilder => makeBuilder('ace', []),
  pie: (): PieSvamlBuilder => makeBuilder('pie', []),
};

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

export type SvamlCheck = { ok: true } | { ok: false; reason: string };
export type SvamlValidator = (event: SvamlEvent, value: unknown) => SvamlCheck;

/** Compiles the per-event SVAML schemas (~100 ms): never per request; routers share one, see sharedSvamlValidator. */
export function createSvamlValidator(): SvamlValidator {
  const ajv = new Ajv({ allErrors: false, strict: false, discriminator: true });
  const compiled = {
    ice: ajv.compile(svamlResponseSchemas.ice as object),
    ace: ajv.compile(svamlResponseSchemas.ace as object),
    pie: ajv.compile(svamlResponseSchemas.pie as object),
  } satisfies Record<SvamlEvent, ValidateFunction>;
  return (event, value) => {
    const shape = checkShape(event, value);
    if (shape) return { ok: false, reason: shape };
    const validate = compiled[event];
    if (!validate(value)) return { ok: false, reason: describeAjvError(validate.errors?.[0]) };
    const menu = checkMenus((value as { action: AnyAction }).action);
    if (menu) return { ok: false, reason: menu };
    return { ok: true };
  };
}

export type PreparedSvaml = { ok: true; body: string; svaml: Svaml<SvamlEvent> } | { ok: false; reason: string };

/**
 * Serialises a hook's answer and validates the parsed result, so what is
 * checked is exactly what is sent: a `toJSON`, a getter or a Date inside the
 * object cannot slip past the schema.
 */
export function prepareSvaml(check: SvamlValidator, event: SvamlEvent, value: unknown): PreparedSvaml {
  if (isObject(value) && !('action' in value) && typeof value['hangup'] === 'function') {
    return { ok: false, reason: 'this is an unfinished builder: end the chain with an action, e.g. .hangup()' };
  }
  let body: string | undefined;
  try {
    body = JSON.stringify(value);
  } catch (err) {
    return { ok: false, reason: `it cannot be serialised as JSON (${(err as Error).message})` };
  }
  if (body === undefined) return { ok: false, reason: `expected an SVAML object { instructions?, action }, got ${typeof value}` };
  const parsed: unknown = JSON.parse(body);
  const verdict = check(event, parsed);
  return verdict.ok ? { ok: true, body, svaml: parsed as Svaml<SvamlEvent> } : verdict;
}

let shared: SvamlValidator | undefined;

/**
 * One compiled validator per process: the schemas are constants, and
 * compiling them costs ~100 ms, which every router (and every test that
 * builds one) would otherwise pay again.
 */
export function sharedSvamlValidator(): SvamlValidator {
  shared ??= createSvamlValidator();
  return shared;
}

/** Checks SVAML against the schema of the answer to `event`, e.g. in your own tests. */
export function validateSvaml(event: SvamlEvent, value: unknown): SvamlCheck {
  const prepared = prepareSvaml(sharedSvamlValidator(), event, value);
  return prepared.ok ? { ok: true } : prepared;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The mistakes people make most, with messages that say what to change. */
function checkShape(event: SvamlEvent, value: unknown): string | undefined {
  const rules = svamlRules[event];
  if (!isObject(value)) {
    return `expected an SVAML object { instructions?, action }, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  if (!('action' in value)) {
    return 'there is no action: SVAML needs exactly one action';
  }
  const action = value['action'];
  if (Array.isArray(action)) return '/action is a list: SVAML takes exactly one action';
  if (!isObject(action) || typeof action['name'] !== 'string') return '/action must be an object with a string name';
  if (!(rules.actions as readonly string[]).includes(action['name'])) {
    return `action ${JSON.stringify(action['name'])} is not allowed in the answer to ${event}; allowed: ${rules.actions.join(', ')}`;
  }
  const instructions = value['instructions'];
  if (instructions === undefined) return undefined;
  if (!Array.isArray(instructions)) return '/instructions must be a list';
  for (const [i, instruction] of instructions.entries()) {
    if (!isObject(instruction) || typeof instruction['name'] !== 'string') return `/instructions/${i} must be an object with a string name`;
    if (!(rules.instructions as readonly string[]).includes(instruction['name'])) {
      return `instruction ${JSON.stringify(instruction['name'])} (/instructions/${i}) is not allowed in the answer to ${event}; allowed: ${rules.instructions.join(', ')}`;
    }
  }
  return undefined;
}

function describeAjvError(error: ErrorObject | undefined): string {
  if (!error) return 'does not match the SVAML schema';
  const at = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      return `${at} has an unknown field ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `${at} is missing ${JSON.stringify(params['missingProperty'])}`;
    case 'enum':
      return `${at} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'contains':
      return `${at} needs a menu with id "main": Sinch always starts there`;
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

/** What JSON Schema cannot say about runMenu without making its type expensive. */
function checkMenus(action: AnyAction): string | undefined {
  if (action.name !== 'runMenu') return undefined;
  if (action.enableVoice === true && action.locale === undefined) {
    return '/action/locale is required when enableVoice is true (it selects the speech-recognition language)';
  }
  const ids = new Set<string>();
  for (const [i, menu] of action.menus.entries()) {
    if (ids.has(menu.id)) return `/action/menus/${i}/id ${JSON.stringify(menu.id)} is used by two menus`;
    ids.add(menu.id);
  }
  if (action.mainMenu !== undefined && !ids.has(action.mainMenu)) {
    return `/action/mainMenu ${JSON.stringify(action.mainMenu)} names no menu`;
  }
  for (const [i, menu] of action.menus.entries()) {
    for (const [j, option] of (menu.options ?? []).entries()) {
      const target = /^menu\((.+)\)$/.exec(option.action)?.[1];
      if (target !== undefined && !ids.has(target)) {
        return `/action/menus/${i}/options/${j}/action ${JSON.stringify(option.action)} goes to a menu that does not exist`;
      }
    }
  }
  return undefined;
}
