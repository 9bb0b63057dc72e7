import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAuthorizationHeader, validateAuthenticationHeader } from '@sinch/sdk-core';
import { createSwitchboard } from '../../src/index.js';
import { sinchVoice, svaml } from '../../src/providers/sinch-voice/index.js';
import { signSinchVoice } from '../../src/providers/sinch-voice/testing.js';
import { ADAPTERS, serve, type Running } from '../helpers/servers.js';
import { loadVectors } from '../helpers/vectors.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

/** Any method with a body, over a real socket (fetch refuses a GET body). */
function send(url: string, method: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let servers: Array<Running | { close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const events = loadVectors<{ events: Record<string, Array<{ payload: Record<string, unknown> }>> }>('sinch-voice-events.json').events;

describe.each(ADAPTERS)('@sinch/sdk-core@1.4.0 generateAuthorizationHeader signs → we accept over real HTTP, mounted at a sub-path (%s)', (adapter) => {
  it('ICE, ACE, PIE, DiCE and Notify, each to its own sub-path below /api/v2/hooks/sinch/voice', async () => {
    const key = '669E367E-6BBA-48AB-AF15-266871C28135';
    const secret = 'BeIukql3pTKJ8RGL5zo0DA==';
    const voice = sinchVoice({ applications: [{ key: 'another-app', secret: 'b3RoZXI=' }, { key, secret }] }, { clock: () => NOW });
    const sb = createSwitchboard({ clock: () => NOW, providers: [voice] });
    const seen: string[] = [];
    voice.onIce((e) => {
      seen.push(`ice:${e.callid}`);
      return svaml.ice().say('Hello').connectPstn('+46700000001');
    });
    voice.onAce((e) => {
      seen.push(`ace:${e.callid}`);
      return svaml.ace().continue();
    });
    voice.onPie((e) => {
      seen.push(`pie:${e.callid}:${e.menuResult.value}`);
      return svaml.pie().hangup();
    });
    voice.onDice((e) => {
      seen.push(`dice:${e.callid}`);
    });
    voice.onNotify((e) => {
      seen.push(`notify:${e.callid}`);
    });
    const running = await serve(adapter, sb, { mount: '/api/v2/hooks' });
    servers.push(running);

    const expected: Record<string, unknown> = {
      ice: { instructions: [{ name: 'say', text: 'Hello' }], action: { name: 'connectPstn', number: '+46700000001' } },
      ace: { instructions: [], action: { name: 'continue' } },
      pie: { instructions: [], action: { name: 'hangup' } },
    };
    let n = 0;
    for (const event of ['ice', 'ace', 'pie', 'dice', 'notify']) {
      for (const { payload } of events[event]!) {
        n += 1;
        const body = JSON.stringify(payload);
        const path = `/api/v2/hooks/sinch/voice/${event}`;
        const ts = new Date(NOW - n * 1000).toISOString().replace('Z', '1234Z');
        const contentType = 'application/json; charset=utf-8';
        const authorization = generateAuthorizationHeader('POST', body, contentType, `x-timestamp:${ts}`, path, key, secret);
        const res = await send(`${running.url}${path}`, 'POST', body, { authorization, 'content-type': contentType, 'x-timestamp': ts });
        expect(res.status, `${event}: ${res.text}`).toBe(200);
        if (expected[event]) {
          expect(res.contentType).toMatch(/^application\/json/);
          expect(JSON.parse(res.text)).toEqual(expected[event]);
        } else {
          expect(res.text).toBe('');
        }
      }
    }
    expect(seen).toEqual([
      'ice:a call id', 'ice:callId',
      'ace:a call id', 'ace:822aa4b7-05b4-4d83-87c7-1f835ee0b6f6_257',
      'pie:a call id:1452', 'pie:callId:6789',
      'dice:a call id', 'dice:callId',
      'notify:a call id', 'notify:callId',
    ]);
  });

  it('the SDK signature for the mount-relative path (the Express req.path mistake) is refused', async () => {
    const key = 'k1';
    const secret = 'c2VjcmV0LW9uZQ==';
    const voice = sinchVoice({ applications: [{ key, secret }] }, { clock: () => NOW });
    const sb = createSwitchboard({ clock: () => NOW, providers: [voice] });
    const running = await serve(adapter, sb, { mount: '/api/v2/hooks' });
    servers.push(running);
    const body = JSON.stringify(events['ice']![1]!.payload);
    const ts = new Date(NOW).toISOString();
    const authorization = generateAuthorizationHeader('POST', body, 'application/json', `x-timestamp:${ts}`, '/sinch/voice', key, secret);
    const res = await send(`${running.base}/sinch/voice`, 'POST', body, { authorization, 'content-type': 'application/json', 'x-timestamp': ts });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).error.code).toBe('invalid_signature');
    expect(JSON.parse(res.text).error.message).toContain('/api/v2/hooks/sinch/voice');
  });
});

describe('publicPath: behind a proxy that rewrites the path', () => {
  it('a fixed public path, and a function of the request, verify what Sinch signed', async () => {
    const key = 'proxy-app';
    const secret = 'cHJveHktc2VjcmV0';
    const body = JSON.stringify(events['ace']![1]!.payload);
    const ts = new Date(NOW).toISOString();
    const authorization = generateAuthorizationHeader('POST', body, 'application/json', `x-timestamp:${ts}`, '/public/voice', key, secret);
    for (const publicPath of ['/public/voice', (req: { url: string }) => req.url.replace('/internal/webhooks/sinch/voice', '/public/voice')]) {
      const voice = sinchVoice({ applications: [{ key, secret }], publicPath }, { clock: () => NOW });
      const sb = createSwitchboard({ clock: () => NOW, providers: [voice] });
      const running = await serve('express5', sb, { mount: '/internal/webhooks' });
      servers.push(running);
      const res = await send(`${running.base}/sinch/voice`, 'POST', body, { authorization, 'content-type': 'application/json', 'x-timestamp': ts });
      expect(res.status, res.text).toBe(200);
    }
  });
});

describe('our signSinchVoice → the SDK’s validateAuthenticationHeader accepts, over real HTTP', () => {
  it('for every event, at the SDK receiver’s full path', async () => {
    const key = 'peer-app';
    const secret = Buffer.from('peer secret').toString('base64');
    const verdicts: boolean[] = [];
    // A receiver written the way Sinch's sample does it: raw body, full path without query.
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        verdicts.push(validateAuthenticationHeader(key, secret, req.headers, Buffer.concat(chunks).toString('utf8'), path, req.method ?? 'POST'));
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => receiver.close(() => resolve())) });
    const { port } = receiver.address() as AddressInfo;
    for (const event of ['ice', 'ace', 'pie', 'dice', 'notify']) {
      const body = JSON.stringify(events[event]![0]!.payload);
      const path = `/sdk/receiver/${event}`;
      await send(`http://127.0.0.1:${port}${path}?ignored=1`, 'POST', body, signSinchVoice({ path, body, key, secret }));
    }
    // And one it must refuse: signed for another path.
    const body = JSON.stringify(events['ice']![0]!.payload);
    await send(`http://127.0.0.1:${port}/sdk/receiver/ice`, 'POST', body, signSinchVoice({ path: '/elsewhere', body, key, secret }));
    expect(verdicts).toEqual([true, true, true, true, true, false]);
  });
});

interface CallbackVector {
  id: string;
  applicationKey: string;
  applicationSecret: string;
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
  expected_valid: boolean;
}

const vectors = loadVectors<{ callback_validation_vectors: CallbackVector[] }>('sinch-voice.json').callback_validation_vectors;

/** Our verdict per vector: `expected_valid`, except the two documented quirks (see the conformance test). */
const REJECTED_WITH: Record<string, string> = {
  'voice-doc-ace-bad-signature': 'invalid_signature',
  'voice-doc-ace-missing-authorization': 'missing_signature',
  'voice-doc-ace-wrong-path': 'invalid_signature',
  'voice-doc-ace-wrong-method': 'invalid_signature',
  'voice-doc-ace-wrong-timestamp': 'invalid_signature',
  'voice-doc-ace-wrong-content-type': 'invalid_signature',
  'voice-doc-ace-wrong-body': 'invalid_signature',
  'voice-doc-ace-wrong-scheme': 'unsupported_algorithm',
  'voice-java-bad-keyword': 'unsupported_algorithm',
  'voice-java-bad-key': 'invalid_signature',
  'voice-java-bad-hash': 'invalid_signature',
  'voice-node-validate-quirk-prefixed-timestamp-header': 'stale_timestamp',
  'voice-node-basic-raw-quirk': 'unsupported_algorithm',
  'voice-node-basic-wrong-secret': 'unsupported_algorithm',
  'voice-node-double-space-malformed': 'invalid_signature',
  'voice-node-unknown-scheme': 'unsupported_algorithm',
};

/**
 * Mounts the router so the full public path is the vector's path, split over
 * the host's mount point, the provider's path and a sub-path where it has
 * enough segments (`/sinch` + `/callback` + `/ace`): this is what proves the
 * signature is checked against the full path, not the mount-relative one.
 * A one-segment path (`/webhook`) is mounted at the root.
 */
function layout(path: string): { mount: string; providerPath: string } {
  const segments = path.split('/').filter(Boolean);
  if (segments.length === 1) return { mount: '', providerPath: `/${segments[0]}` };
  return { mount: `/${segments[0]}`, providerPath: `/${segments[1]}` };
}

describe.each(ADAPTERS)('every signature vector over real HTTP, with the full public path split across mount, provider path and sub-path (%s)', (adapter) => {
  it.each(vectors.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    const ts = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/.exec(v.headers['x-timestamp'] ?? '')?.[0] ?? '';
    const clock = () => Date.parse(ts.replace(/(\.\d{3})\d+Z$/, '$1Z'));
    const { mount, providerPath } = layout(v.path);
    const voice = sinchVoice({ applications: [{ key: v.applicationKey, secret: v.applicationSecret }], path: providerPath }, { clock });
    let hooks = 0;
    voice.onAce(() => {
      hooks += 1;
    });
    voice.onUnknown(() => {
      hooks += 1;
    });
    const sb = createSwitchboard({ clock, providers: [voice] });
    const running = await serve(adapter, sb, { mount });
    servers.push(running);
    const res = await send(`${running.url}${v.path}`, v.method, v.body, v.headers);
    const code = REJECTED_WITH[v.id];
    if (code) {
      expect(res.status, res.text).toBe(401);
      expect(JSON.parse(res.text).error.code).toBe(code);
      expect(hooks).toBe(0);
    } else {
      expect(v.expected_valid).toBe(true);
      expect(res.status, res.text).toBe(200);
      expect(hooks).toBe(1);
      if (v.body.includes('"event":"ace"')) expect(JSON.parse(res.text)).toEqual({ action: { name: 'continue' } });
    }
  });
});
