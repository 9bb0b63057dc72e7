import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSwitchboard, type Logger } from '../../src/index.js';
import { sinchVoice, type SinchVoiceRouter } from '../../src/providers/sinch-voice/index.js';
import { signSinchVoice } from '../../src/providers/sinch-voice/testing.js';
import { post, serve, type Running } from '../helpers/servers.js';

/*
 * The example imports `svaml` from the package name, which resolves to the
 * built dist. Until the package entry re-exports the Sinch Voice provider
 * and is rebuilt, point the name at the sources so the example runs as
 * written, unmodified.
 */
vi.mock('switchboard', async () => ({
  ...(await import('../../src/index.js')),
  ...(await import('../../src/providers/sinch-voice/index.js')),
}));

type RegisterIvr = (voice: SinchVoiceRouter, numbers: { salesNumber?: string; supportNumber?: string }) => void;
// The example is plain JavaScript without declarations; its shape is stated here.
// @ts-ignore TS7016
const { registerIvr } = (await import('../../examples/shared/voice-ivr.mjs')) as { registerIvr: RegisterIvr };

const KEY = 'ivr-app';
const SECRET = Buffer.from('ivr secret').toString('base64');
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const SALES = '+15551000003';
const SUPPORT = '+15551000004';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setup() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = (obj: object | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { obj: {}, msg: obj } : { obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  const logger: Logger = { debug: () => {}, info: log, warn: log, error: log };
  const voice = sinchVoice({ applications: [{ key: KEY, secret: SECRET }] }, { clock: () => NOW });
  const sb = createSwitchboard({ clock: () => NOW, logger, providers: [voice] });
  registerIvr(voice, { salesNumber: SALES, supportNumber: SUPPORT });
  return { sb, lines };
}

let tick = 0;
async function call(base: string, payload: Record<string, unknown>) {
  const body = JSON.stringify(payload);
  tick += 1;
  const headers = signSinchVoice({ path: '/webhooks/sinch/voice', body, key: KEY, secret: SECRET, timestamp: new Date(NOW - 10_000 + tick).toISOString() });
  const res = await post(`${base}/sinch/voice`, body, headers);
  expect(res.status, res.text).toBe(200);
  return res.text === '' ? undefined : res.json();
}

describe.each(['express5', 'koa'] as const)('the example IVR (%s)', (adapter) => {
  it('ICE → greeting and menu; PIE sales → transfer; DiCE → recorded and logged', async () => {
    const { sb, lines } = setup();
    server = await serve(adapter, sb);
    const answer = await call(server.base, { event: 'ice', callid: 'ivr-1', cli: '46732001122', to: { type: 'did', endpoint: '+15551000001' }, domain: 'pstn' });
    expect(answer).toEqual({
      instructions: [{ name: 'say', text: 'Thanks for calling Example Inc.', locale: 'en-US' }],
      action: {
        name: 'runMenu',
        locale: 'en-US',
        menus: [{
          id: 'main',
          mainPrompt: '#tts[For sales, press 1. For support, press 2.]',
          repeatPrompt: '#tts[Sorry, press 1 for sales or 2 for support.]',
          repeats: 2,
          maxDigits: 1,
          timeoutMills: 5000,
          options: [{ dtmf: '1', action: 'return(sales)' }, { dtmf: '2', action: 'return(support)' }],
        }],
      },
    });
    const transfer = await call(server.base, { event: 'pie', callid: 'ivr-1', menuResult: { menuId: 'main', type: 'return', value: 'sales', inputMethod: 'dtmf' } });
    expect(transfer).toEqual({
      instructions: [{ name: 'setCookie', key: 'department', value: 'sales' }, { name: 'say', text: 'Connecting you to sales.', locale: 'en-US' }],
      action: { name: 'connectPstn', number: SALES },
    });
    expect(await call(server.base, { event: 'dice', callid: 'ivr-1', result: 'ANSWERED', reason: 'CALLEEHANGUP', duration: 42 })).toBeUndefined();

    expect(await sb.store.getCall('sinch-voice:ivr-1')).toMatchObject({
      state: 'ended',
      from: { kind: 'tel', value: '+46732001122' },
      menuResults: [{ menuId: 'main', type: 'return', value: 'sales' }],
      cookies: { department: 'sales' },
      result: 'ANSWERED',
      durationSec: 42,
    });
    expect(lines.find((l) => l.msg === 'ivr: call ended')?.obj).toMatchObject({ callId: 'ivr-1', result: 'ANSWERED', department: 'sales' });
  });

  it('PIE support → the support number; a timeout or an unknown choice → apology and hangup', async () => {
    const { sb } = setup();
    server = await serve(adapter, sb);
    expect((await call(server.base, { event: 'pie', callid: 'ivr-2', menuResult: { menuId: 'main', type: 'return', value: 'support' } })).action).toEqual({ name: 'connectPstn', number: SUPPORT });
    for (const menuResult of [{ menuId: 'main', type: 'timeout' }, { menuId: 'main', type: 'return', value: 'billing' }]) {
      expect(await call(server.base, { event: 'pie', callid: 'ivr-3', menuResult })).toEqual({
        instructions: [{ name: 'say', text: 'Sorry, nobody can take your call right now. Goodbye.', locale: 'en-US' }],
        action: { name: 'hangup' },
      });
    }
  });
});

describe('registerIvr', () => {
  it('refuses a department number that is not E.164, naming the option', () => {
    const voice = sinchVoice({ applications: [{ key: KEY, secret: SECRET }] });
    expect(() => registerIvr(voice, { salesNumber: '0701234567', supportNumber: SUPPORT })).toThrow(/salesNumber must be E\.164/);
  });

  it('without numbers, every choice gets the apology', async () => {
    const voice = sinchVoice({ applications: [{ key: KEY, secret: SECRET }] }, { clock: () => NOW });
    const sb = createSwitchboard({ clock: () => NOW, providers: [voice] });
    registerIvr(voice, {});
    server = await serve('node', sb);
    expect((await call(server.base, { event: 'pie', callid: 'ivr-4', menuResult: { type: 'return', value: 'sales' } })).action).toEqual({ name: 'hangup' });
  });
});
