import { describe, expect, it } from 'vitest';
import { sinchVoice, svaml, type SinchVoiceOptions } from '../../src/providers/sinch-voice/index.js';
import { isSwitchboardError, type Logger } from '../../src/index.js';
import type { PieSvaml } from '../../schemas/sinch-voice/index.js';

const app = { key: 'app-key-1', secret: 'c2VjcmV0LW9uZQ==' };

function misconfigured(options: unknown): string {
  try {
    sinchVoice(options as SinchVoiceOptions);
  } catch (err) {
    if (isSwitchboardError(err)) {
      expect(err.code).toBe('misconfigured');
      return err.message;
    }
    throw err;
  }
  return 'accepted';
}

describe('sinchVoice() options', () => {
  it('has the documented defaults', () => {
    const voice = sinchVoice({ applications: [app] });
    expect(voice.id).toBe('sinch-voice');
    expect(voice.path).toBe('/sinch/voice');
    expect(voice.hookTimeoutMs).toBe(3000);
    expect(voice.methods).toContain('POST');
    expect(voice.contentTypes).toEqual([]);
    expect(sinchVoice({ applications: [app], path: '/voice-eu', responseTimeoutMs: 2500 })).toMatchObject({ path: '/voice-eu', hookTimeoutMs: 2500 });
  });

  it.each([
    ['no options', undefined, /applications is empty/],
    ['no applications', { applications: [] }, /applications is empty/],
    ['a key with a colon', { applications: [{ key: 'a:b', secret: app.secret }] }, /applications\[0\]\.key/],
    ['an empty secret', { applications: [{ key: 'k', secret: '' }] }, /applications\[0\]\.secret \(for key k\)/],
    ['a negative tolerance', { applications: [app], toleranceSec: -1 }, /toleranceSec must be a number of seconds/],
    ['a zero deadline', { applications: [app], responseTimeoutMs: 0 }, /responseTimeoutMs must be a positive number/],
    ['a relative public path', { applications: [app], publicPath: 'sinch/voice' }, /publicPath must be a path starting with "\/"/],
    ['an invalid fallback', { applications: [app], fallback: { pie: { action: { name: 'park' } } as unknown as PieSvaml } }, /fallback\.pie is not valid SVAML for pie: action "park" is not allowed/],
  ])('refuses %s with a message naming the fix', (_name, options, message) => {
    const text = misconfigured(options);
    expect(text).toMatch(message);
    expect(text).not.toContain(app.secret);
  });

  it('accepts several applications, a repeated key (rotation), and turning freshness off', () => {
    expect(misconfigured({ applications: [app, { key: 'app-key-2', secret: 'dHdv' }, { key: app.key, secret: 'bmV3LXNlY3JldA==' }], toleranceSec: Infinity })).toBe('accepted');
  });

  it('warns, without the secret, when a secret is not canonical base64 (decoded leniently like the Node SDK)', () => {
    const warnings: unknown[] = [];
    const logger: Logger = { debug: () => {}, info: () => {}, error: () => {}, warn: (obj: unknown, msg?: string) => void warnings.push([obj, msg]) };
    sinchVoice({ applications: [{ key: 'app-key', secret: 'app-secret' }] }, { logger });
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).toContain('not canonical base64');
    expect(JSON.stringify(warnings)).not.toContain('app-secret');
  });

  it('accepts builder output for the defaults and fallbacks', () => {
    expect(() =>
      sinchVoice({
        applications: [app],
        defaults: { ice: svaml.ice().say('Closed').hangup(), ace: svaml.ace().continue(), pie: svaml.pie().hangup() },
        fallback: { ice: svaml.ice().say('Sorry').hangup() },
      }),
    ).not.toThrow();
  });
});
