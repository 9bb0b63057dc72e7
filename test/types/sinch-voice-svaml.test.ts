import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { sinchVoice, svaml, type AceSvamlBuilder, type IceSvamlBuilder, type PieSvamlBuilder } from '../../src/providers/sinch-voice/index.js';
import type { AceSvaml, ConnectPstnAction, IceSvaml, PieSvaml, SvamlActionFor, SvamlInstructionFor } from '../../schemas/sinch-voice/index.js';

/*
 * Two proofs that disallowed SVAML does not compile:
 * 1. `@ts-expect-error` lines below, checked by `tsc --noEmit` (npm run
 *    typecheck), which fails if any of them stops being an error;
 * 2. the compiler API run at the end, which checks each snippet fails for
 *    the right reason, so a typo in a test cannot pass as "an error".
 */

describe('builder surfaces are exactly the per-event table', () => {
  it('have the allowed methods and nothing else', () => {
    expectTypeOf<keyof IceSvamlBuilder>().toEqualTypeOf<
      'instructions' | 'hangup' | 'connectPstn' | 'connectMxp' | 'connectConf' | 'connectSip' | 'connectStream' | 'runMenu' | 'park'
      | 'playFiles' | 'say' | 'sendDtmf' | 'setCookie' | 'answer' | 'startRecording' | 'stopRecording'
    >();
    expectTypeOf<keyof AceSvamlBuilder>().toEqualTypeOf<
      'instructions' | 'hangup' | 'continue' | 'connectConf' | 'runMenu' | 'playFiles' | 'say' | 'setCookie' | 'startRecording' | 'stopRecording'
    >();
    expectTypeOf<keyof PieSvamlBuilder>().toEqualTypeOf<
      'instructions' | 'hangup' | 'continue' | 'connectPstn' | 'connectConf' | 'connectSip' | 'runMenu'
      | 'playFiles' | 'say' | 'sendDtmf' | 'setCookie' | 'startRecording' | 'stopRecording'
    >();
  });

  it('per-event action and instruction unions follow the table', () => {
    expectTypeOf<SvamlActionFor<'ace'>['name']>().toEqualTypeOf<'hangup' | 'continue' | 'connectConf' | 'runMenu'>();
    expectTypeOf<SvamlInstructionFor<'ace'>['name']>().toEqualTypeOf<'playFiles' | 'say' | 'setCookie' | 'startRecording' | 'stopRecording'>();
    expectTypeOf<SvamlActionFor<'pie'>['name']>().toEqualTypeOf<'hangup' | 'continue' | 'connectPstn' | 'connectConf' | 'connectSip' | 'runMenu'>();
  });

  it('types every field of an action', () => {
    expectTypeOf<ConnectPstnAction['maxDuration']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ConnectPstnAction['amd']>().toEqualTypeOf<{ enabled?: boolean; async?: boolean } | undefined>();
    expectTypeOf<NonNullable<ConnectPstnAction['indications']>>().toExtend<string>();
    expectTypeOf<'xx'>().not.toExtend<NonNullable<ConnectPstnAction['indications']>>();
    expectTypeOf(svaml.ace().say('hi').continue()).toEqualTypeOf<AceSvaml>();
  });

  it('hooks take the SVAML of their own event only', () => {
    const voice = sinchVoice({ applications: [{ key: 'k', secret: 'c2VjcmV0' }] });
    expectTypeOf(voice.onIce).parameter(0).returns.toEqualTypeOf<IceSvaml | undefined | void | Promise<IceSvaml | undefined | void>>();
    expectTypeOf(voice.onPie).parameter(0).returns.toEqualTypeOf<PieSvaml | undefined | void | Promise<PieSvaml | undefined | void>>();
  });
});

/** Never called: only the type checker reads this. */
export function disallowedDoesNotCompile(): void {
  const voice = sinchVoice({ applications: [{ key: 'k', secret: 'c2VjcmV0' }] });
  // @ts-expect-error connectMxp is an ICE-only action
  svaml.ace().connectMxp('bob');
  // @ts-expect-error answer is an ICE-only instruction
  svaml.pie().answer();
  // @ts-expect-error sendDtmf is not allowed after ACE
  svaml.ace().sendDtmf('1');
  // @ts-expect-error continue is not an ICE action
  svaml.ice().continue();
  // @ts-expect-error park is ICE only
  svaml.pie().park();
  // @ts-expect-error an action ends the chain
  svaml.ice().hangup().say('too late');
  // @ts-expect-error a plain object is typed per event too
  const plain: AceSvaml = { action: { name: 'connectMxp' } };
  // @ts-expect-error the onAce hook may not answer with connectMxp
  voice.onAce(() => ({ action: { name: 'connectMxp', destination: { type: 'username', endpoint: 'bob' } } }));
  // @ts-expect-error nor with ICE's SVAML
  voice.onAce(() => svaml.ice().hangup());
  // @ts-expect-error maxDuration is a number
  svaml.ice().connectPstn('+46700000001', { maxDuration: '60' });
  // @ts-expect-error moh is one of ring/music1/music2/music3
  svaml.ace().connectConf('room', { moh: 'jazz' });
  // @ts-expect-error a misspelt field is refused, not ignored
  const typo: IceSvaml = { action: { name: 'connectPstn', numbr: '+46700000001' } };
  // @ts-expect-error a menu option needs an action
  svaml.ice().runMenu({ menus: [{ id: 'main', options: [{ dtmf: '1' }] }] });
  void plain;
  void typo;
}

// ---------------------------------------------------------------------------
// Compiler API: each snippet alone, with the project's compiler options.
// ---------------------------------------------------------------------------

const root = fileURLToPath(new URL('../../', import.meta.url));
const header = `import { sinchVoice, svaml } from '../../src/providers/sinch-voice/index.js';
import type { AceSvaml, IceSvaml, PieSvaml } from '../../schemas/sinch-voice/index.js';
const voice = sinchVoice({ applications: [{ key: 'k', secret: 'c2VjcmV0' }] });
void voice;
`;

const NEGATIVE: Record<string, { code: string; message: RegExp }> = {
  aceConnectMxp: { code: `svaml.ace().connectMxp('bob');`, message: /Property 'connectMxp' does not exist on type 'AceSvamlBuilder'/ },
  aceConnectPstn: { code: `svaml.ace().connectPstn('+46700000001');`, message: /Property 'connectPstn' does not exist on type 'AceSvamlBuilder'/ },
  aceConnectSip: { code: `svaml.ace().connectSip('sip:a@b');`, message: /Property 'connectSip' does not exist on type 'AceSvamlBuilder'/ },
  acePark: { code: `svaml.ace().park();`, message: /Property 'park' does not exist on type 'AceSvamlBuilder'/ },
  aceAnswer: { code: `svaml.ace().answer();`, message: /Property 'answer' does not exist on type 'AceSvamlBuilder'/ },
  aceSendDtmf: { code: `svaml.ace().sendDtmf('1');`, message: /Property 'sendDtmf' does not exist on type 'AceSvamlBuilder'/ },
  pieConnectMxp: { code: `svaml.pie().connectMxp('bob');`, message: /Property 'connectMxp' does not exist on type 'PieSvamlBuilder'/ },
  pieConnectStream: { code: `svaml.pie().connectStream('wss://x');`, message: /Property 'connectStream' does not exist on type 'PieSvamlBuilder'/ },
  piePark: { code: `svaml.pie().park();`, message: /Property 'park' does not exist on type 'PieSvamlBuilder'/ },
  pieAnswer: { code: `svaml.pie().answer();`, message: /Property 'answer' does not exist on type 'PieSvamlBuilder'/ },
  iceContinue: { code: `svaml.ice().continue();`, message: /Property 'continue' does not exist on type 'IceSvamlBuilder'/ },
  chainAfterAction: { code: `svaml.ice().hangup().say('x');`, message: /Property 'say' does not exist/ },
  plainAce: { code: `const x: AceSvaml = { action: { name: 'connectMxp' } }; void x;`, message: /'"connectMxp"' is not assignable/ },
  plainPieInstruction: { code: `const x: PieSvaml = { instructions: [{ name: 'answer' }], action: { name: 'hangup' } }; void x;`, message: /'"answer"' is not assignable/ },
  hookAce: { code: `voice.onAce(() => ({ action: { name: 'connectMxp', destination: { type: 'username', endpoint: 'b' } } }));`, message: /not assignable/ },
  hookAceGetsIce: { code: `voice.onAce(() => svaml.ice().hangup());`, message: /not assignable/ },
  hookPieAsync: { code: `voice.onPie(async () => svaml.ace().continue());`, message: /not assignable/ },
  numberField: { code: `svaml.ice().connectPstn('+46700000001', { maxDuration: '60' });`, message: /Type 'string' is not assignable to type 'number'/ },
  mohEnum: { code: `svaml.ace().connectConf('room', { moh: 'jazz' });`, message: /'"jazz"' is not assignable/ },
  transportEnum: { code: `svaml.ice().connectSip('sip:a@b', { transport: 'sctp' });`, message: /'"sctp"' is not assignable/ },
  indicationEnum: { code: `svaml.ice().connectPstn('+46700000001', { indications: 'xx' });`, message: /'"xx"' is not assignable/ },
  typo: { code: `const x: IceSvaml = { action: { name: 'connectPstn', numbr: '+46700000001' } }; void x;`, message: /'numbr' does not exist/ },
  menuOption: { code: `svaml.ice().runMenu({ menus: [{ id: 'main', options: [{ dtmf: '1' }] }] });`, message: /Property 'action' is missing/ },
  recordingCredentials: { code: `svaml.ice().startRecording({ destinationUrl: 's3://b' });`, message: /Property 'credentials' is missing/ },
  sayText: { code: `svaml.ice().say(42);`, message: /'number' is not assignable to parameter of type 'string'/ },
  cookieValue: { code: `svaml.pie().setCookie('n', 7);`, message: /'number' is not assignable to parameter of type 'string'/ },
};

const POSITIVE = `
const menu = { id: 'main', mainPrompt: '#tts[1 sales, 2 support]', options: [{ dtmf: '1', action: 'return(sales)' }, { dtmf: '2', action: 'return(support)' }] };
voice.onIce((event, ctx) => {
  const caller: string | undefined = event.cli;
  void caller; void ctx.call?.state; ctx.signal.throwIfAborted();
  return svaml.ice().answer().playFiles(['#tts[Hi]'], 'en-US').sendDtmf('1w2').setCookie('a', 'b').startRecording().stopRecording().say('Welcome', 'en-US').runMenu({ locale: 'en-US', menus: [menu] });
});
voice.onIce(() => svaml.ice().connectMxp('alice', { callHeaders: [{ key: 'k', value: 'v' }] }));
voice.onIce(() => svaml.ice().connectStream('wss://s.example/a', { streamingOptions: { sampleRate: 16000 } }));
voice.onIce(() => svaml.ice().park({ holdPrompt: '#tts[hold]', maxDuration: 60 }));
voice.onIce(() => undefined);
voice.onAce(async (event) => (event.amd?.status === 'machine' ? svaml.ace().hangup() : svaml.ace().say('Hi').continue()));
voice.onAce(() => ({ instructions: [{ name: 'stopRecording' }], action: { name: 'connectConf', conferenceId: 'room', moh: 'ring' } }));
voice.onPie((event) => event.menuResult.value === 'sales' ? svaml.pie().connectPstn('+15551000003', { amd: { enabled: true } }) : svaml.pie().say('Bye').hangup());
voice.onPie(() => svaml.pie().connectSip('sip:desk@pbx.example.com', { transport: 'tls' }));
voice.onDice((event, ctx) => { void event.debit?.amount; void ctx.eventType; });
voice.onNotify((event) => { void event.destination; });
const fixed: IceSvaml = { action: { name: 'hangup' } };
const fromAce: AceSvaml = svaml.ace().continue();
const fromPie: PieSvaml = svaml.pie().sendDtmf('5').hangup();
void fixed; void fromAce; void fromPie;
`;

function compile(files: Record<string, string>): Map<string, readonly ts.Diagnostic[]> {
  const configPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json')!;
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const options = { ...config.options, noEmit: true };
  const virtual = new Map(Object.entries(files).map(([name, text]) => [ts.sys.resolvePath(`${root}test/types/${name}`), text]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(ts.sys.resolvePath(f)) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(ts.sys.resolvePath(f)) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(ts.sys.resolvePath(f));
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile.call(host, f, lang, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map<string, readonly ts.Diagnostic[]>();
  for (const path of virtual.keys()) {
    const sf = program.getSourceFile(path)!;
    out.set(path.slice(path.lastIndexOf('/') + 1), [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]);
  }
  return out;
}

describe('the TypeScript compiler refuses disallowed SVAML, each for the right reason', () => {
  it('compiles the allowed usage cleanly and rejects each disallowed snippet', { timeout: 120_000 }, () => {
    const files: Record<string, string> = { 'sinch-voice-virtual-positive.ts': `${header}${POSITIVE}` };
    for (const [name, { code }] of Object.entries(NEGATIVE)) files[`sinch-voice-virtual-${name}.ts`] = `${header}${code}\n`;
    const diagnostics = compile(files);
    const text = (d: readonly ts.Diagnostic[]) => d.map((x) => ts.flattenDiagnosticMessageText(x.messageText, '\n')).join('\n');

    expect(text(diagnostics.get('sinch-voice-virtual-positive.ts')!)).toBe('');
    for (const [name, { message }] of Object.entries(NEGATIVE)) {
      const found = diagnostics.get(`sinch-voice-virtual-${name}.ts`)!;
      expect(found.length, `${name} should not compile`).toBeGreaterThan(0);
      expect(text(found), name).toMatch(message);
    }
  });
});
