import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { sinchVoice, svaml, type SinchVoiceOptions } from '../../src/providers/sinch-voice/index.js';
import { signSinchVoice } from '../../src/providers/sinch-voice/testing.js';
import { post, serve, type Running } from '../helpers/servers.js';

const KEY = 'record-app';
const SECRET = Buffer.from('record test secret').toString('base64');
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const PATH = '/webhooks/sinch/voice';

function makeVoice(options: Partial<SinchVoiceOptions> = {}) {
  const voice = sinchVoice({ applications: [{ key: KEY, secret: SECRET }], ...options }, { clock: () => NOW });
  const sb = createSwitchboard({ clock: () => NOW, providers: [voice] });
  return { sb, voice };
}

let tick = 0;
/** Each callback gets its own x-timestamp, as Sinch's do. */
function signed(body: string, timestamp?: string) {
  tick += 1;
  return signSinchVoice({ path: PATH, body, key: KEY, secret: SECRET, timestamp: timestamp ?? new Date(NOW - 60_000 + tick * 10).toISOString() });
}

const bodies = (callid: string) => ({
  ice: JSON.stringify({ event: 'ice', callid, timestamp: '2026-11-22T11:58:00Z', cli: '46732001122', to: { type: 'did', endpoint: '+46700000001' }, domain: 'pstn', applicationKey: KEY }),
  ace: JSON.stringify({ event: 'ace', callid, timestamp: '2026-11-22T11:58:05Z', amd: { status: 'human', reason: 'n/a', duration: 2 } }),
  pie: JSON.stringify({ event: 'pie', callid, timestamp: '2026-11-22T11:58:20Z', menuResult: { menuId: 'main', type: 'return', value: 'sales', inputMethod: 'dtmf' } }),
  dice: JSON.stringify({ event: 'dice', callid, timestamp: '2026-11-22T11:59:00Z', reason: 'CALLERHANGUP', result: 'ANSWERED', duration: 55, debit: { currencyId: 'EUR', amount: 0.1758 }, from: '46732001122', to: { type: 'number', endpoint: '46700000001' } }),
  recording: JSON.stringify({ event: 'notify', callid, version: 1, type: 'recording_available', destination: 'https://rec.example.com/call.mp3' }),
  transcription: JSON.stringify({ event: 'notify', callid, version: 1, type: 'transcription_available', destination: 'https://rec.example.com/call.txt' }),
  amd: JSON.stringify({ event: 'notify', callid, version: 1, type: 'amd', amd: { status: 'machine', reason: 'beep', duration: 4 } }),
});

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function deliver(base: string, body: string, headers = signed(body)) {
  const res = await post(`${base}/sinch/voice`, body, headers);
  expect(res.status, res.text).toBe(200);
  return res;
}

describe.each(['express5', 'koa'] as const)('the call record (%s)', (adapter) => {
  it('follows a call from ICE to DiCE, with menu result, AMD, recording and transcription', async () => {
    const { sb } = makeVoice();
    server = await serve(adapter, sb);
    const b = bodies('life-1');
    for (const body of [b.ice, b.ace, b.pie, b.dice, b.recording, b.transcription]) await deliver(server.base, body);

    const call = await sb.store.getCall('sinch-voice:life-1');
    expect(call).toMatchObject({
      id: 'sinch-voice:life-1',
      provider: 'sinch-voice',
      providerId: 'life-1',
      from: { kind: 'tel', value: '+46732001122' },
      to: { kind: 'tel', value: '+46700000001' },
      domain: 'pstn',
      state: 'ended',
      menuResults: [{ menuId: 'main', type: 'return', value: 'sales', inputMethod: 'dtmf', at: '2026-11-22T11:58:20.000Z' }],
      amd: { status: 'human', reason: 'n/a', duration: 2 },
      result: 'ANSWERED',
      reason: 'CALLERHANGUP',
      durationSec: 55,
      debit: { amount: 0.1758, currencyId: 'EUR' },
      createdAt: '2026-11-22T11:58:00.000Z',
    });
    expect(call!.recordings.map((r) => r.url ?? `transcription:${r.transcription}`).sort()).toEqual([
      'https://rec.example.com/call.mp3',
      'transcription:https://rec.example.com/call.txt',
    ]);

    const timeline = await sb.store.timeline('+46732001122');
    expect(timeline.items.map((e) => (e.type === 'call' ? e.call.id : e.type))).toContain('sinch-voice:life-1');
    expect((await sb.store.listCalls()).items.map((c) => c.id)).toContain('sinch-voice:life-1');
  });

  it('is out-of-order safe: a late ACE and ICE after DiCE leave the call ended', async () => {
    const { sb } = makeVoice();
    server = await serve(adapter, sb);
    const b = bodies('ooo-1');
    for (const body of [b.dice, b.ace, b.ice]) await deliver(server.base, body);
    const call = await sb.store.getCall('sinch-voice:ooo-1');
    expect(call).toMatchObject({ state: 'ended', result: 'ANSWERED', amd: { status: 'human' }, domain: 'pstn', from: { value: '+46732001122' }, createdAt: '2026-11-22T11:58:00.000Z' });
  });
});

describe('the call record (express5)', () => {
  it('a retried callback adds no second menu result or recording', async () => {
    const { sb } = makeVoice();
    server = await serve('express5', sb);
    const b = bodies('retry-1');
    const pieHeaders = signed(b.pie);
    const recHeaders = signed(b.recording);
    for (let i = 0; i < 3; i++) {
      await deliver(server.base, b.pie, pieHeaders);
      await deliver(server.base, b.recording, recHeaders);
    }
    const call = await sb.store.getCall('sinch-voice:retry-1');
    expect(call!.menuResults).toHaveLength(1);
    expect(call!.recordings).toHaveLength(1);
  });

  it('keeps the async AMD result of a notify', async () => {
    const { sb } = makeVoice();
    server = await serve('express5', sb);
    await deliver(server.base, bodies('amd-1').amd);
    expect((await sb.store.getCall('sinch-voice:amd-1'))?.amd).toEqual({ status: 'machine', reason: 'beep', duration: 4 });
  });

  it('records a callback that spells the id `callId`', async () => {
    const { sb } = makeVoice();
    server = await serve('express5', sb);
    await deliver(server.base, JSON.stringify({ event: 'dice', callId: 'camel-1', result: 'NOANSWER', reason: 'TIMEOUT' }));
    expect(await sb.store.getCall('sinch-voice:camel-1')).toMatchObject({ state: 'ended', result: 'NOANSWER', reason: 'TIMEOUT' });
  });

  it('leaves a withheld caller out of the record instead of storing "private"', async () => {
    const { sb } = makeVoice();
    server = await serve('express5', sb);
    await deliver(server.base, JSON.stringify({ event: 'dice', callid: 'priv-1', from: 'private', to: { type: 'number', endpoint: '123456789' }, result: 'ANSWERED' }));
    const call = await sb.store.getCall('sinch-voice:priv-1');
    expect(call?.from).toBeUndefined();
    expect(call?.to).toEqual({ kind: 'tel', value: '+123456789' });
  });

  it('keeps cookies set by setCookie in the answers that were sent, merged across callbacks', async () => {
    const { sb, voice } = makeVoice();
    voice.onIce(() => svaml.ice().setCookie('lang', 'sv').setCookie('step', 'menu').runMenu({ menus: [{ id: 'main', options: [{ dtmf: '1', action: 'return(sales)' }] }] }));
    voice.onPie(() => svaml.pie().setCookie('step', 'sales').connectPstn('+46700000009'));
    server = await serve('express5', sb);
    const b = bodies('cookie-1');
    await deliver(server.base, b.ice);
    expect((await sb.store.getCall('sinch-voice:cookie-1'))?.cookies).toEqual({ lang: 'sv', step: 'menu' });
    await deliver(server.base, b.pie);
    expect((await sb.store.getCall('sinch-voice:cookie-1'))?.cookies).toEqual({ lang: 'sv', step: 'sales' });
  });

  it('does not keep cookies of an answer that was replaced by the fallback (invalid, or too late)', async () => {
    const { sb, voice } = makeVoice({ responseTimeoutMs: 100 });
    // Invalid: a cookie next to an action ACE does not allow.
    voice.onAce(() => ({ instructions: [{ name: 'setCookie', key: 'bad', value: '1' }], action: { name: 'park' } }) as never);
    voice.onPie(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return svaml.pie().setCookie('late', '1').hangup();
    });
    server = await serve('express5', sb);
    const b = bodies('cookie-2');
    expect((await deliver(server.base, b.ace)).json()).toEqual({ action: { name: 'hangup' } });
    expect((await deliver(server.base, b.pie)).json()).toEqual({ action: { name: 'hangup' } });
    await new Promise((r) => setTimeout(r, 400));
    expect((await sb.store.getCall('sinch-voice:cookie-2'))?.cookies).toEqual({});
  });

  it('keeps cookies of a configured default answer', async () => {
    const { sb } = makeVoice({ defaults: { ice: svaml.ice().setCookie('route', 'default').hangup() } });
    server = await serve('express5', sb);
    await deliver(server.base, bodies('cookie-3').ice);
    expect((await sb.store.getCall('sinch-voice:cookie-3'))?.cookies).toEqual({ route: 'default' });
  });
});
