import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard, SwitchboardError, type Logger } from '../../src/index.js';
import { sinchVoice, svaml, type SinchVoiceOptions } from '../../src/providers/sinch-voice/index.js';
import { signSinchVoice } from '../../src/providers/sinch-voice/testing.js';
import type { AceSvaml } from '../../schemas/sinch-voice/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';

const KEY = 'switchboard-voice-app';
const SECRET = Buffer.from('switchboard voice test secret').toString('base64');
/** A fixed "now"; tests move x-timestamp around it to probe the window. */
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const PATH = '/webhooks/sinch/voice';

function makeVoice(options: Partial<SinchVoiceOptions> = {}, logger?: Logger) {
  const voice = sinchVoice({ applications: [{ key: KEY, secret: SECRET }], ...options }, { clock: () => NOW });
  const sb = createSwitchboard({ clock: () => NOW, providers: [voice], ...(logger ? { logger } : {}) });
  return { sb, voice };
}

let seq = 0;
const nextTs = (offsetMs = 0) => new Date(NOW + offsetMs - 1000 + (seq++ % 500)).toISOString();

function signed(body: string, opts: { path?: string; timestamp?: string; key?: string; secret?: string; contentType?: string; method?: string } = {}) {
  return signSinchVoice({
    path: opts.path ?? PATH,
    body,
    key: opts.key ?? KEY,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp ?? nextTs(),
    ...(opts.contentType ? { contentType: opts.contentType } : {}),
    ...(opts.method ? { method: opts.method } : {}),
  });
}

const ice = (callid = `call-${++seq}`) =>
  JSON.stringify({ event: 'ice', callid, timestamp: '2026-11-22T11:59:59Z', version: 1, cli: '46732001122', to: { type: 'did', endpoint: '+46700000001' }, domain: 'pstn', applicationKey: KEY });
const ace = (callid = `call-${++seq}`) => JSON.stringify({ event: 'ace', callid, timestamp: '2026-11-22T12:00:00Z', version: 1, amd: { status: 'human', reason: 'n/a', duration: 2 } });
const pie = (callid = `call-${++seq}`, value = 'sales') =>
  JSON.stringify({ event: 'pie', callid, timestamp: '2026-11-22T12:00:05Z', version: 1, menuResult: { menuId: 'main', type: 'return', value, inputMethod: 'dtmf' } });
const dice = (callid = `call-${++seq}`) =>
  JSON.stringify({ event: 'dice', callid, timestamp: '2026-11-22T12:01:00Z', reason: 'CALLERHANGUP', result: 'ANSWERED', duration: 55, debit: { currencyId: 'EUR', amount: 0.02 } });
const notify = (callid = `call-${++seq}`) => JSON.stringify({ event: 'notify', callid, version: 1, type: 'recording_available', destination: 'https://rec.example.com/r.mp3' });

/** Any method with a body, over a real socket (fetch refuses a GET body). */
function send(url: string, method: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function recordingLogger() {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    entries.push(typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(ADAPTERS)('Sinch Voice callbacks are answered by event (%s)', (adapter) => {
  it('ICE → the hook’s SVAML as JSON, with the typed event and the recorded call in ctx', async () => {
    const { sb, voice } = makeVoice();
    let seen: { cli?: string; callId?: string; state?: string; eventType?: string } = {};
    voice.onIce((event, ctx) => {
      seen = { cli: event.cli, callId: ctx.callId, state: ctx.call?.state, eventType: ctx.eventType };
      return svaml.ice().say('Welcome to Example', 'en-US').runMenu({
        menus: [{ id: 'main', mainPrompt: '#tts[Press 1 for sales]', options: [{ dtmf: '1', action: 'return(sales)' }] }],
      });
    });
    server = await serve(adapter, sb);
    const body = ice('ice-1');
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      instructions: [{ name: 'say', text: 'Welcome to Example', locale: 'en-US' }],
      action: { name: 'runMenu', menus: [{ id: 'main', mainPrompt: '#tts[Press 1 for sales]', options: [{ dtmf: '1', action: 'return(sales)' }] }] },
    });
    expect(seen).toEqual({ cli: '46732001122', callId: 'ice-1', state: 'ringing', eventType: 'ice' });
  });

  it('a plain object is accepted too', async () => {
    const { sb, voice } = makeVoice();
    voice.onAce(() => ({ instructions: [{ name: 'say', text: 'Hi' }], action: { name: 'continue' } }));
    server = await serve(adapter, sb);
    const body = ace();
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    expect(res.json()).toEqual({ instructions: [{ name: 'say', text: 'Hi' }], action: { name: 'continue' } });
  });

  it('with no hook: ICE → hangup, ACE → continue, PIE → hangup; a hook returning nothing gets the same', async () => {
    const { sb, voice } = makeVoice();
    voice.onPie(() => undefined);
    server = await serve(adapter, sb);
    for (const [body, action] of [[ice(), 'hangup'], [ace(), 'continue'], [pie(), 'hangup']] as const) {
      const res = await post(`${server.base}/sinch/voice`, body, signed(body));
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ action: { name: action } });
    }
  });

  it('the defaults are configurable (and checked at start-up)', async () => {
    const { sb } = makeVoice({ defaults: { ice: svaml.ice().say('We are closed').hangup() } });
    server = await serve(adapter, sb);
    const body = ice();
    expect((await post(`${server.base}/sinch/voice`, body, signed(body))).json()).toEqual({ instructions: [{ name: 'say', text: 'We are closed' }], action: { name: 'hangup' } });
    expect(() => makeVoice({ defaults: { ace: { action: { name: 'connectMxp' } } as unknown as AceSvaml } })).toThrow(/sinchVoice\.defaults\.ace is not valid SVAML for ace: action "connectMxp" is not allowed/);
  });

  it('DiCE and Notify → 200 with an empty body, after their hooks ran', async () => {
    const { sb, voice } = makeVoice();
    const seen: string[] = [];
    voice.onDice((event) => {
      seen.push(`dice:${event.reason}:${event.result}:${event.debit?.amount}`);
    });
    voice.onNotify((event) => {
      seen.push(`notify:${event.type}:${event.destination}`);
    });
    server = await serve(adapter, sb);
    for (const body of [dice(), notify()]) {
      const res = await post(`${server.base}/sinch/voice`, body, signed(body));
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    }
    expect(seen).toEqual(['dice:CALLERHANGUP:ANSWERED:0.02', 'notify:recording_available:https://rec.example.com/r.mp3']);
  });

  it('an unknown event → 200 and onUnknown', async () => {
    const { sb, voice } = makeVoice();
    const unknown: unknown[] = [];
    voice.onUnknown((payload, ctx) => {
      unknown.push([payload['event'], ctx.eventType]);
    });
    server = await serve(adapter, sb);
    const body = '{"event":"qoe","callid":"c-q","mos":4.2}';
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(unknown).toEqual([['qoe', 'UNKNOWN']]);
  });

  it('sub-paths of the mount point are routed and verified with their full path', async () => {
    const { sb, voice } = makeVoice();
    voice.onAce(() => svaml.ace().hangup());
    server = await serve(adapter, sb);
    for (const sub of ['/ace', '/callbacks/2026/ace']) {
      const body = ace();
      const res = await post(`${server.base}/sinch/voice${sub}`, body, signed(body, { path: `${PATH}${sub}` }));
      expect(res.status, `${sub}: ${res.text}`).toBe(200);
      expect(res.json()).toEqual({ instructions: [], action: { name: 'hangup' } });
    }
  });
});

describe.each(ADAPTERS)('bad requests → 401 with the right code, and no hook runs (%s)', (adapter) => {
  const { sb, voice } = makeVoice();
  let hookCalls = 0;
  voice.onIce(() => {
    hookCalls += 1;
    return svaml.ice().hangup();
  });
  const errors: string[] = [];
  sb.onError((e) => {
    errors.push(e.code);
  });
  let running: Running;
  beforeAll(async () => {
    running = await serve(adapter, sb);
  });
  afterAll(async () => {
    await running.close();
  });

  const cases: Array<{ name: string; code: string; make: () => { body: string; headers: Record<string, string>; method?: string; path?: string } }> = [
    { name: 'wrong key', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: signed(b, { key: 'some-other-app' }) }; } },
    { name: 'wrong secret', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: signed(b, { secret: Buffer.from('not the secret').toString('base64') }) }; } },
    { name: 'wrong path (signed for another path)', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: signed(b, { path: '/sinch/voice' }) }; } },
    { name: 'wrong method (signed POST, sent PUT)', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: signed(b), method: 'PUT' }; } },
    { name: 'wrong method (signed POST, sent GET with the body)', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: signed(b), method: 'GET' }; } },
    { name: 'changed content type', code: 'invalid_signature', make: () => { const b = ice(); return { body: b, headers: { ...signed(b), 'content-type': 'application/json' } }; } },
    { name: 'changed body', code: 'invalid_signature', make: () => { const b = ice(); return { body: b.replace('46732001122', '46732009999'), headers: signed(b) }; } },
    { name: 'stale x-timestamp (−301 s)', code: 'stale_timestamp', make: () => { const b = ice(); return { body: b, headers: signed(b, { timestamp: new Date(NOW - 301_000).toISOString() }) }; } },
    { name: 'future x-timestamp (+301 s)', code: 'stale_timestamp', make: () => { const b = ice(); return { body: b, headers: signed(b, { timestamp: new Date(NOW + 301_000).toISOString() }) }; } },
    { name: 'x-timestamp that is not a time', code: 'stale_timestamp', make: () => { const b = ice(); return { body: b, headers: signed(b, { timestamp: 'yesterday' }) }; } },
    { name: 'missing Authorization', code: 'missing_signature', make: () => { const b = ice(); const { authorization: _, ...rest } = signed(b); return { body: b, headers: rest }; } },
    { name: 'missing x-timestamp', code: 'missing_signature', make: () => { const b = ice(); const { 'x-timestamp': _, ...rest } = signed(b); return { body: b, headers: rest }; } },
    { name: 'another scheme', code: 'unsupported_algorithm', make: () => { const b = ice(); return { body: b, headers: { ...signed(b), authorization: signed(b).authorization!.replace('Application', 'Bearer') } }; } },
    { name: 'Basic while allowBasicAuth is off', code: 'unsupported_algorithm', make: () => { const b = ice(); return { body: b, headers: { ...signed(b), authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` } }; } },
  ];

  it.each(cases)('$name → 401 $code', async ({ code, make }) => {
    const before = hookCalls;
    const { body, headers, method } = make();
    const res = await send(`${running.base}/sinch/voice`, method ?? 'POST', body, headers);
    expect(res.status, res.text).toBe(401);
    const json = JSON.parse(res.text);
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(20);
    expect(res.text).not.toContain(SECRET);
    expect(hookCalls).toBe(before);
    expect(errors.at(-1)).toBe(code);
  });

  it('the same request signed correctly is accepted (the cases above differ only in what they name)', async () => {
    const b = ice();
    const res = await send(`${running.base}/sinch/voice`, 'POST', b, signed(b));
    expect(res.status).toBe(200);
  });
});

describe.each(['express5', 'koa'] as const)('a call never gets garbage or a 5xx from ICE/ACE/PIE (%s)', (adapter) => {
  it('a hook that sleeps past responseTimeoutMs → the fallback SVAML in time, and ctx.signal is aborted', async () => {
    const { logger, entries } = recordingLogger();
    const { sb, voice } = makeVoice({ responseTimeoutMs: 250 }, logger);
    let aborted: Promise<unknown> | undefined;
    voice.onIce(async (_event, ctx) => {
      aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true }));
      await sleep(3_000);
      return svaml.ice().setCookie('late', 'yes').connectPstn('+46700000002');
    });
    server = await serve(adapter, sb);
    const body = ice('slow-1');
    const started = performance.now();
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ action: { name: 'hangup' } });
    // Answered in time: well before the hook would have finished.
    expect(elapsed).toBeLessThan(2_000);
    await expect(aborted).resolves.toMatchObject({ code: 'hook_timeout' });
    expect(entries.some((e) => e.level === 'error' && /did not finish within 250 ms/.test(e.msg))).toBe(true);
  });

  it('a hook that returns invalid SVAML → the configured fallback, and the reason is logged', async () => {
    const { logger, entries } = recordingLogger();
    const fallback = { ace: svaml.ace().say('Sorry, something went wrong').hangup() };
    const { sb, voice } = makeVoice({ fallback }, logger);
    // What a JavaScript caller (or a cast) can still return: connectMxp is not allowed after ACE.
    voice.onAce(() => ({ action: { name: 'connectMxp', destination: { type: 'username', endpoint: 'bob' } } }) as unknown as AceSvaml);
    server = await serve(adapter, sb);
    const body = ace('bad-svaml');
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ instructions: [{ name: 'say', text: 'Sorry, something went wrong' }], action: { name: 'hangup' } });
    const logged = entries.find((e) => e.level === 'error' && e.msg.includes('onAce hook returned invalid SVAML'));
    expect(logged?.msg).toContain('action "connectMxp" is not allowed in the answer to ace');
    expect(logged?.obj).toMatchObject({ callId: 'bad-svaml', event: 'ace', reason: expect.stringContaining('connectMxp') });
  });

  it('a hook that returns a field of the wrong shape → fallback, with the field named in the log', async () => {
    const { logger, entries } = recordingLogger();
    const { sb, voice } = makeVoice({}, logger);
    voice.onPie(() => ({ action: { name: 'connectPstn', number: 'sales desk' } }));
    server = await serve(adapter, sb);
    const body = pie();
    const res = await post(`${server.base}/sinch/voice`, body, signed(body));
    expect(res.json()).toEqual({ action: { name: 'hangup' } });
    expect(entries.some((e) => e.msg.includes('/action/number must match pattern'))).toBe(true);
  });

  it('a hook that throws (an Error, or a 4xx SwitchboardError) → the fallback, never a 5xx', async () => {
    const { sb, voice } = makeVoice({ fallback: { pie: svaml.pie().say('Please call again later').hangup() } });
    let n = 0;
    voice.onPie(() => {
      n += 1;
      if (n === 1) throw new Error('CRM down');
      throw new SwitchboardError('rejected', 'caller is blocked');
    });
    server = await serve(adapter, sb);
    for (let i = 0; i < 2; i++) {
      const body = pie();
      const res = await post(`${server.base}/sinch/voice`, body, signed(body));
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ instructions: [{ name: 'say', text: 'Please call again later' }], action: { name: 'hangup' } });
    }
    expect(n).toBe(2);
  });

  it('DiCE/Notify hooks that throw keep the engine default: 500, released, so Sinch’s retry runs them again', async () => {
    const { sb, voice } = makeVoice();
    let n = 0;
    voice.onDice(() => {
      n += 1;
      if (n === 1) throw new Error('warehouse down');
    });
    server = await serve(adapter, sb);
    const body = dice();
    const headers = signed(body);
    expect((await post(`${server.base}/sinch/voice`, body, headers)).status).toBe(500);
    expect((await post(`${server.base}/sinch/voice`, body, headers)).status).toBe(200);
    expect(n).toBe(2);
  });
});

describe.each(ADAPTERS)('a repeated callback is answered from the store (%s)', (adapter) => {
  it('the same signed ICE 3 times → the same SVAML each time, hook once', async () => {
    const { sb, voice } = makeVoice();
    let runs = 0;
    voice.onIce(() => {
      runs += 1;
      return svaml.ice().say(`run ${runs}`).hangup();
    });
    server = await serve(adapter, sb);
    const body = ice('dup-1');
    const headers = signed(body);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(`${server.base}/sinch/voice`, body, headers));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.json()).toEqual({ instructions: [{ name: 'say', text: 'run 1' }], action: { name: 'hangup' } });
    expect(runs).toBe(1);
  });

  it('a fallback answer is replayed too: a retry after a timeout does not run the slow hook again', async () => {
    const { sb, voice } = makeVoice({ responseTimeoutMs: 100 });
    let runs = 0;
    voice.onAce(async () => {
      runs += 1;
      await sleep(400);
      return svaml.ace().continue();
    });
    server = await serve(adapter, sb);
    const body = ace('dup-timeout');
    const headers = signed(body);
    const first = await post(`${server.base}/sinch/voice`, body, headers);
    const second = await post(`${server.base}/sinch/voice`, body, headers);
    expect(first.json()).toEqual({ action: { name: 'hangup' } });
    expect(second.text).toBe(first.text);
    expect(runs).toBe(1);
  });

  it('the same call and event with a new x-timestamp is a new callback: the hook runs again', async () => {
    const { sb, voice } = makeVoice();
    const values: string[] = [];
    voice.onPie((event) => {
      values.push(event.menuResult.value ?? '');
      return svaml.pie().hangup();
    });
    server = await serve(adapter, sb);
    const body = pie('dup-2', 'support');
    await post(`${server.base}/sinch/voice`, body, signed(body, { timestamp: new Date(NOW - 2000).toISOString() }));
    await post(`${server.base}/sinch/voice`, body, signed(body, { timestamp: new Date(NOW - 1000).toISOString() }));
    expect(values).toEqual(['support', 'support']);
  });
});
