import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { Voice } from '@sinch/sdk-core';
import { svaml, validateSvaml } from '../../src/providers/sinch-voice/svaml.js';
import { svamlResponseSchemas, svamlRules, type SvamlEvent, type SvamlMenu } from '../../schemas/sinch-voice/index.js';

/*
 * The per-event table of protocols/sinch-voice.md §3.2, copied by hand so the
 * test does not take the code's own table as the truth.
 */
const DOC_TABLE: Record<SvamlEvent, { actions: string[]; instructions: string[] }> = {
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
};
const ALL_ACTIONS = ['hangup', 'continue', 'connectPstn', 'connectMxp', 'connectConf', 'connectSip', 'connectStream', 'runMenu', 'park'];
const ALL_INSTRUCTIONS = ['playFiles', 'say', 'sendDtmf', 'setCookie', 'answer', 'startRecording', 'stopRecording'];
const EVENTS: SvamlEvent[] = ['ice', 'ace', 'pie'];

const mainMenu: SvamlMenu = {
  id: 'main',
  mainPrompt: '#tts[Press 1 for sales, 2 for support]',
  maxDigits: 1,
  options: [
    { dtmf: '1', action: 'return(sales)' },
    { dtmf: '2', action: 'return(support)' },
    { dtmf: '9', action: 'menu(more)' },
  ],
};
const moreMenu: SvamlMenu = { id: 'more', mainPrompt: '#tts[Press 0 to go back]', options: [{ dtmf: '0', action: 'menu(main)' }] };

/** One well-formed example of every action and instruction, written out by hand. */
const ACTION_EXAMPLES: Record<string, object> = {
  hangup: { name: 'hangup' },
  continue: { name: 'continue' },
  connectPstn: { name: 'connectPstn', number: '+46700000001', cli: 'private', maxDuration: 600, dialTimeout: 30, dtmf: 'ww12#', indications: 'se', amd: { enabled: true, async: true }, suppressCallbacks: false, locale: 'sv-SE' },
  connectMxp: { name: 'connectMxp', destination: { type: 'username', endpoint: 'alice' }, callHeaders: [{ key: 'ticket', value: '42' }] },
  connectConf: { name: 'connectConf', conferenceId: 'room-1', conferenceDtmfOptions: { mode: 'detect', maxDigits: 4, timeoutMills: 3000 }, moh: 'music1' },
  connectSip: { name: 'connectSip', destination: { type: 'sip', endpoint: 'sip:alice@sip.example.com' }, transport: 'tls', moh: 'ring', callHeaders: [{ key: 'x', value: 'y' }] },
  connectStream: { name: 'connectStream', destination: { type: 'websocket', endpoint: 'wss://stream.example.com/audio' }, streamingOptions: { version: 1, sampleRate: 16000 }, maxDuration: 60 },
  runMenu: { name: 'runMenu', barge: true, locale: 'en-US', mainMenu: 'main', menus: [mainMenu, moreMenu] },
  park: { name: 'park', locale: 'en-US', introPrompt: '#tts[Please hold]', holdPrompt: '#tts[Still holding]', maxDuration: 300 },
};
const INSTRUCTION_EXAMPLES: Record<string, object> = {
  playFiles: { name: 'playFiles', ids: ['https://example.com/hello.mp3', '#tts[Hello]'], locale: 'en-US' },
  say: { name: 'say', text: 'Hello', locale: 'en-US' },
  sendDtmf: { name: 'sendDtmf', value: '1234#w' },
  setCookie: { name: 'setCookie', key: 'step', value: '1' },
  answer: { name: 'answer' },
  startRecording: { name: 'startRecording', options: { destinationUrl: 's3://bucket/calls', credentials: 'key:secret:eu-west-1', format: 'mp3', notificationEvents: true, transcriptionOptions: { enabled: true, locale: 'en-US' } } },
  stopRecording: { name: 'stopRecording' },
};

describe('the per-event table', () => {
  it('matches the protocol file’s table exactly', () => {
    for (const event of EVENTS) {
      expect([...svamlRules[event].actions].sort(), event).toEqual([...DOC_TABLE[event].actions].sort());
      expect([...svamlRules[event].instructions].sort(), event).toEqual([...DOC_TABLE[event].instructions].sort());
    }
  });

  it('each builder has exactly the allowed methods at run time too (JavaScript callers get no connectMxp on ACE)', () => {
    for (const event of EVENTS) {
      const builder = svaml[event]() as unknown as Record<string, unknown>;
      const methods = Object.keys(builder).filter((k) => typeof builder[k] === 'function').sort();
      expect(methods, event).toEqual([...DOC_TABLE[event].actions, ...DOC_TABLE[event].instructions].sort());
    }
    expect((svaml.ace() as unknown as Record<string, unknown>)['connectMxp']).toBeUndefined();
    expect((svaml.pie() as unknown as Record<string, unknown>)['answer']).toBeUndefined();
  });

  it('every action and instruction is valid where the table allows it and refused where it does not', () => {
    for (const event of EVENTS) {
      for (const name of ALL_ACTIONS) {
        const verdict = validateSvaml(event, { action: ACTION_EXAMPLES[name] });
        const allowed = DOC_TABLE[event].actions.includes(name);
        expect(verdict.ok, `${event} action ${name}: ${JSON.stringify(verdict)}`).toBe(allowed);
        if (!allowed && !verdict.ok) expect(verdict.reason).toContain(`action "${name}" is not allowed in the answer to ${event}`);
      }
      for (const name of ALL_INSTRUCTIONS) {
        const verdict = validateSvaml(event, { instructions: [INSTRUCTION_EXAMPLES[name]], action: { name: 'hangup' } });
        const allowed = DOC_TABLE[event].instructions.includes(name);
        expect(verdict.ok, `${event} instruction ${name}: ${JSON.stringify(verdict)}`).toBe(allowed);
        if (!allowed && !verdict.ok) expect(verdict.reason).toContain(`instruction "${name}" (/instructions/0) is not allowed in the answer to ${event}`);
      }
    }
  });
});

describe('builders', () => {
  it('produce the protocol file’s §3.1 example exactly', () => {
    const built = svaml.ice().say('Hello', 'en-US').setCookie('step', '1').connectPstn('+14045009000', { cli: '+14045001000', amd: { enabled: true } });
    const doc = JSON.parse('{"action":{"name":"connectPstn","number":"+14045009000","cli":"+14045001000","amd":{"enabled":true}},"instructions":[{"name":"say","text":"Hello","locale":"en-US"},{"name":"setCookie","key":"step","value":"1"}]}');
    expect(JSON.parse(JSON.stringify(built))).toEqual(doc);
    expect(validateSvaml('ice', built)).toEqual({ ok: true });
  });

  it('produce what the official SDK’s Svamlet builders produce (ICE, ACE, PIE)', () => {
    const iceSdk = new Voice.IceSvamletBuilder()
      .addInstruction(Voice.iceInstructionHelper.answer())
      .addInstruction(Voice.iceInstructionHelper.playFiles(['#tts[Hi]'], 'en-US'))
      .addInstruction(Voice.iceInstructionHelper.sendDtmf('12#'))
      .addInstruction(Voice.iceInstructionHelper.startRecording({ destinationUrl: 's3://b', credentials: 'c' }))
      .setAction(Voice.iceActionHelper.connectSip({ destination: { type: 'sip', endpoint: 'sip:a@b.example' }, transport: 'tcp' }))
      .build();
    const iceOurs = svaml.ice().answer().playFiles(['#tts[Hi]'], 'en-US').sendDtmf('12#').startRecording({ destinationUrl: 's3://b', credentials: 'c' }).connectSip('sip:a@b.example', { transport: 'tcp' });
    expect(JSON.parse(JSON.stringify(iceOurs))).toEqual(JSON.parse(JSON.stringify(iceSdk)));

    const aceSdk = new Voice.AceSvamletBuilder()
      .addInstruction(Voice.aceInstructionHelper.say('Connecting you', 'en-GB'))
      .setAction(Voice.aceActionHelper.connectConf({ conferenceId: 'conf-9', moh: 'music2' }))
      .build();
    const aceOurs = svaml.ace().say('Connecting you', 'en-GB').connectConf('conf-9', { moh: 'music2' });
    expect(JSON.parse(JSON.stringify(aceOurs))).toEqual(JSON.parse(JSON.stringify(aceSdk)));

    const pieSdk = new Voice.PieSvamletBuilder()
      .addInstruction(Voice.pieInstructionHelper.setCookie('choice', 'sales'))
      .addInstruction(Voice.pieInstructionHelper.stopRecording())
      .setAction(Voice.pieActionHelper.runMenu({ locale: 'en-US', menus: [mainMenu, moreMenu] }))
      .build();
    const pieOurs = svaml.pie().setCookie('choice', 'sales').stopRecording().runMenu({ locale: 'en-US', menus: [mainMenu, moreMenu] });
    expect(JSON.parse(JSON.stringify(pieOurs))).toEqual(JSON.parse(JSON.stringify(pieSdk)));
    for (const [event, built] of [['ice', iceOurs], ['ace', aceOurs], ['pie', pieOurs]] as const) {
      expect(validateSvaml(event, built), event).toEqual({ ok: true });
    }
  });

  it('accept where the SDK’s type unions drift from the docs: PIE connectPstn and stopRecording in ICE/ACE', () => {
    expect(validateSvaml('pie', { action: Voice.pieActionHelper.connectPstn({ number: '+15551000003' }) })).toEqual({ ok: true });
    expect(validateSvaml('ice', { instructions: [Voice.iceInstructionHelper.stopRecording()], action: { name: 'hangup' } })).toEqual({ ok: true });
    expect(validateSvaml('ace', { instructions: [{ name: 'stopRecording' }], action: { name: 'continue' } })).toEqual({ ok: true });
  });

  it('are immutable: a shared greeting is not changed by one call’s chain', () => {
    const greeting = svaml.ice().say('Welcome');
    const a = greeting.say('to sales').hangup();
    const b = greeting.hangup();
    expect(a.instructions).toHaveLength(2);
    expect(b.instructions).toHaveLength(1);
    expect(greeting.instructions).toHaveLength(1);
    expect(Object.isFrozen(greeting)).toBe(true);
  });

  it('cover every action shape: connectPstn with options only, connectMxp without a username, park without options', () => {
    expect(svaml.ice().connectPstn({ cli: 'private' }).action).toEqual({ name: 'connectPstn', cli: 'private' });
    expect(svaml.ice().connectMxp().action).toEqual({ name: 'connectMxp' });
    expect(svaml.ice().connectMxp('alice').action).toEqual({ name: 'connectMxp', destination: { type: 'username', endpoint: 'alice' } });
    expect(svaml.ice().connectStream('wss://s.example/a').action).toEqual({ name: 'connectStream', destination: { type: 'websocket', endpoint: 'wss://s.example/a' } });
    expect(svaml.ice().park().action).toEqual({ name: 'park' });
    expect(svaml.ace().continue()).toEqual({ instructions: [], action: { name: 'continue' } });
    expect(svaml.ice().playFiles('https://example.com/a.mp3').instructions).toEqual([{ name: 'playFiles', ids: ['https://example.com/a.mp3'] }]);
  });
});

describe('validateSvaml refuses garbage with a reason an operator can act on', () => {
  const cases: Array<{ name: string; event: SvamlEvent; value: unknown; reason: string | RegExp }> = [
    { name: 'nothing', event: 'ice', value: undefined, reason: 'expected an SVAML object' },
    { name: 'a string', event: 'ice', value: 'hangup', reason: 'got string' },
    { name: 'no action', event: 'ice', value: { instructions: [{ name: 'say', text: 'hi' }] }, reason: 'there is no action' },
    { name: 'two actions', event: 'ice', value: { action: [{ name: 'hangup' }, { name: 'hangup' }] }, reason: 'exactly one action' },
    { name: 'an unfinished builder', event: 'ice', value: svaml.ice().say('hi'), reason: 'unfinished builder' },
    { name: 'connectMxp from ACE', event: 'ace', value: { action: { name: 'connectMxp', destination: { type: 'username', endpoint: 'a' } } }, reason: 'action "connectMxp" is not allowed in the answer to ace; allowed: hangup, continue, connectConf, runMenu' },
    { name: 'continue from ICE', event: 'ice', value: { action: { name: 'continue' } }, reason: 'action "continue" is not allowed' },
    { name: 'answer in PIE', event: 'pie', value: { instructions: [{ name: 'answer' }], action: { name: 'hangup' } }, reason: 'instruction "answer"' },
    { name: 'a misspelt field', event: 'ice', value: { action: { name: 'connectPstn', numbr: '+46700000001' } }, reason: '/action has an unknown field "numbr"' },
    { name: 'a number that is not E.164', event: 'pie', value: { action: { name: 'connectPstn', number: '0701234567' } }, reason: '/action/number must match pattern' },
    { name: 'say over 600 characters', event: 'ice', value: { instructions: [{ name: 'say', text: 'x'.repeat(601) }], action: { name: 'hangup' } }, reason: '/instructions/0/text must NOT have more than 600 characters' },
    { name: 'say without text', event: 'ice', value: { instructions: [{ name: 'say' }], action: { name: 'hangup' } }, reason: '/instructions/0 is missing "text"' },
    { name: 'a cookie value that is not a string', event: 'ace', value: { instructions: [{ name: 'setCookie', key: 'n', value: 7 }], action: { name: 'continue' } }, reason: '/instructions/0/value must be string' },
    { name: 'maxDuration over 4 h', event: 'ice', value: { action: { name: 'connectPstn', number: '+46700000001', maxDuration: 14401 } }, reason: '/action/maxDuration must be <= 14400' },
    { name: 'a conference id over 64 characters', event: 'ace', value: { action: { name: 'connectConf', conferenceId: 'c'.repeat(65) } }, reason: '/action/conferenceId must NOT have more than 64 characters' },
    { name: 'an unknown music on hold', event: 'ice', value: { action: { name: 'connectConf', conferenceId: 'c', moh: 'jazz' } }, reason: '/action/moh must be one of "ring", "music1", "music2", "music3"' },
    { name: 'runMenu without a main menu', event: 'ice', value: { action: { name: 'runMenu', menus: [moreMenu] } }, reason: 'needs a menu with id "main"' },
    { name: 'runMenu with no menus', event: 'ice', value: { action: { name: 'runMenu' } }, reason: 'is missing "menus"' },
    { name: 'a menu option going nowhere', event: 'ice', value: { action: { name: 'runMenu', menus: [mainMenu] } }, reason: 'goes to a menu that does not exist' },
    { name: 'voice input without a locale', event: 'ice', value: { action: { name: 'runMenu', enableVoice: true, menus: [mainMenu, moreMenu] } }, reason: 'locale is required when enableVoice is true' },
    { name: 'a bad option action', event: 'ice', value: { action: { name: 'runMenu', menus: [{ id: 'main', options: [{ dtmf: '1', action: 'goto(x)' }] }] } }, reason: '/action/menus/0/options/0/action must match pattern' },
    { name: 'a SIP destination of the wrong type', event: 'pie', value: { action: { name: 'connectSip', destination: { type: 'number', endpoint: '+4670' } } }, reason: '/action/destination/type must be equal to constant' },
    { name: 'a stream that is not a WebSocket', event: 'ice', value: { action: { name: 'connectStream', destination: { type: 'websocket', endpoint: 'http://x' } } }, reason: '/action/destination/endpoint must match pattern' },
    { name: 'extra top-level keys', event: 'ice', value: { action: { name: 'hangup' }, note: 'x' }, reason: '/ has an unknown field "note"' },
    { name: 'a BigInt', event: 'ice', value: { action: { name: 'connectPstn', maxDuration: 10n } }, reason: 'cannot be serialised as JSON' },
    { name: 'a toJSON that turns into garbage', event: 'ice', value: { action: { name: 'hangup' }, toJSON: () => ({ action: { name: 'explode' } }) }, reason: 'action "explode" is not allowed' },
  ];

  it.each(cases)('$name', ({ event, value, reason }) => {
    const verdict = validateSvaml(event, value);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      if (typeof reason === 'string') expect(verdict.reason).toContain(reason);
      else expect(verdict.reason).toMatch(reason);
    }
  });
});

describe('SVAML JSON Schemas', () => {
  it('compile under strict Ajv (no unknown keywords, no ignored `required`)', () => {
    const ajv = new Ajv({ strict: true, allErrors: false, discriminator: true });
    for (const event of EVENTS) {
      const validate = ajv.compile(svamlResponseSchemas[event]);
      expect(validate({ action: { name: 'hangup' } }), event).toBe(true);
    }
  });
});
