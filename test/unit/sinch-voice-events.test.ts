import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  sinchVoiceEvents,
  type AmdStatus,
  type DiceEvent,
  type IceEvent,
  type PieEvent,
  type SinchVoiceEventName,
} from '../../schemas/sinch-voice/index.js';
import { parseSinchVoice, sinchVoiceDedupeKey } from '../../src/providers/sinch-voice/events.js';
import { callerAddress, destinationAddress, eventTime } from '../../src/providers/sinch-voice/record.js';
import { parseSinchTime, publicPathOf } from '../../src/providers/sinch-voice/verify.js';
import { isSwitchboardError } from '../../src/core/errors.js';
import type { WebhookRequest } from '../../src/core/types.js';
import { loadVectors } from '../helpers/vectors.js';

const file = loadVectors<{ events: Record<SinchVoiceEventName, Array<{ payload: Record<string, unknown> }>> }>('sinch-voice-events.json');

// Strict mode fails compilation on keywords or `required` entries a lenient Ajv would ignore.
const ajv = new Ajv({ strict: true, allErrors: false });
const validators = new Map<string, ValidateFunction>(sinchVoiceEvents.map((row) => [row.event, ajv.compile(row.schema)]));

function request(body: string, headers: Record<string, string> = {}, url = '/webhooks/sinch/voice'): WebhookRequest {
  return { method: 'POST', url, routePath: '/sinch/voice', headers, rawBody: Buffer.from(body), receivedAt: Date.UTC(2026, 0, 1) };
}

function parseError(body: string): string {
  try {
    parseSinchVoice(request(body));
  } catch (err) {
    if (isSwitchboardError(err)) return err.code;
    throw err;
  }
  return 'parsed';
}

describe('Sinch Voice callback bodies (vectors/sinch-voice-events.json)', () => {
  it('has every event of the table, and nothing else', () => {
    expect(Object.keys(file.events).sort()).toEqual(sinchVoiceEvents.map((r) => r.event).sort());
  });

  for (const [event, examples] of Object.entries(file.events)) {
    it(`${event}: each example is dispatched as ${event}, fits its schema, and its callid is read`, () => {
      expect(examples.length).toBeGreaterThan(0);
      for (const { payload } of examples) {
        const parsed = parseSinchVoice(request(JSON.stringify(payload), { 'x-timestamp': '2024-01-19T12:49:53Z' }));
        expect(parsed.unknown).toBeFalsy();
        expect(parsed.type).toBe(event);
        expect(parsed.callId).toBe(payload['callid']);
        const validate = validators.get(event)!;
        expect(validate(parsed.payload), ajv.errorsText(validate.errors)).toBe(true);
      }
    });
  }

  it('falls back to `callId` (the API reference spelling) and exposes it as `callid`', () => {
    const parsed = parseSinchVoice(request('{"event":"dice","callId":"cap-1","result":"ANSWERED"}'));
    expect(parsed.callId).toBe('cap-1');
    expect(parsed.payload['callid']).toBe('cap-1');
    expect(validators.get('dice')!(parsed.payload)).toBe(true);
  });

  it('prefers `callid` when both spellings are present', () => {
    expect(parseSinchVoice(request('{"event":"ace","callid":"lower","callId":"upper"}')).callId).toBe('lower');
  });

  it('a body without any call id fails its schema at /callid (answered 400, kept as a dead letter)', () => {
    const parsed = parseSinchVoice(request('{"event":"ice","cli":"46700000001"}'));
    const validate = validators.get('ice')!;
    expect(validate(parsed.payload)).toBe(false);
    expect(validate.errors?.[0]?.params).toMatchObject({ missingProperty: 'callid' });
  });

  it('a PIE without menuResult fails its schema', () => {
    expect(validators.get('pie')!({ event: 'pie', callid: 'c' })).toBe(false);
  });

  it('an unknown or missing `event` is an unknown event, not an error', () => {
    const future = parseSinchVoice(request('{"event":"qoe","callid":"c-9"}'));
    expect(future).toMatchObject({ unknown: true, type: 'qoe', callId: 'c-9' });
    expect(parseSinchVoice(request('{"callid":"c-9"}'))).toMatchObject({ unknown: true, type: 'UNKNOWN' });
    expect(parseSinchVoice(request('{"event":"ICE","callid":"c-9"}'))).toMatchObject({ unknown: true, type: 'ICE' });
  });

  it('refuses what is not a JSON object', () => {
    expect(parseError('{"event":"ice",')).toBe('malformed_payload');
    expect(parseError('[1,2]')).toBe('malformed_payload');
    expect(parseError('null')).toBe('malformed_payload');
    expect(parseError('')).toBe('malformed_payload');
  });
});

describe('dedupe key', () => {
  const body = '{"event":"pie","callid":"call-7","menuResult":{"type":"return","value":"sales"}}';

  it('is callid + event + x-timestamp + the body hash', () => {
    const req = request(body, { 'x-timestamp': '2026-01-01T00:00:00.1234567Z' });
    const bodyHash = createHash('sha256').update(body).digest('hex');
    expect(sinchVoiceDedupeKey(parseSinchVoice(req), req)).toBe(`sinch-voice:call-7:pie:2026-01-01T00:00:00.1234567Z:${bodyHash}`);
  });

  it('differs for two different callbacks of one call that share an x-timestamp', () => {
    const a = request('{"event":"notify","callid":"c","type":"recording_finished"}', { 'x-timestamp': '2014-09-24T10:59:41Z' });
    const b = request('{"event":"notify","callid":"c","type":"recording_available"}', { 'x-timestamp': '2014-09-24T10:59:41Z' });
    expect(sinchVoiceDedupeKey(parseSinchVoice(a), a)).not.toBe(sinchVoiceDedupeKey(parseSinchVoice(b), b));
  });

  it('differs for a new callback of the same call (new x-timestamp)', () => {
    const a = request(body, { 'x-timestamp': '2026-01-01T00:00:00Z' });
    const b = request(body, { 'x-timestamp': '2026-01-01T00:00:05Z' });
    expect(sinchVoiceDedupeKey(parseSinchVoice(a), a)).not.toBe(sinchVoiceDedupeKey(parseSinchVoice(b), b));
  });

  it('falls back to the body hash without an x-timestamp (Basic auth) and for unknown events', () => {
    const a = request(body);
    expect(sinchVoiceDedupeKey(parseSinchVoice(a), a)).toMatch(/^sinch-voice:pie:[0-9a-f]{64}$/);
    const u = request('{"event":"qoe","callid":"c"}', { 'x-timestamp': '2026-01-01T00:00:00Z' });
    expect(sinchVoiceDedupeKey(parseSinchVoice(u), u)).toMatch(/^sinch-voice:qoe:[0-9a-f]{64}$/);
  });
});

describe('x-timestamp parsing', () => {
  it.each([
    ['2014-09-24T10:59:41Z', Date.UTC(2014, 8, 24, 10, 59, 41)],
    ['2024-01-19T09:19:28.9372196Z', Date.UTC(2024, 0, 19, 9, 19, 28, 937)],
    ['2023-11-22T09:10:11.999Z', Date.UTC(2023, 10, 22, 9, 10, 11, 999)],
    ['2023-11-22T11:10:11+02:00', Date.UTC(2023, 10, 22, 9, 10, 11)],
    ['2023-11-22T04:10:11-0500', Date.UTC(2023, 10, 22, 9, 10, 11)],
  ])('%s', (value, expected) => {
    expect(parseSinchTime(value)).toBe(expected);
  });

  it.each(['x-timestamp:2024-01-19T09:19:28.9372196Z', '2019', 'Jan 1 2020', '2024-13-01T00:00:00Z', '2024-01-19 09:19:28Z', '2024-01-19T09:19:28', ''])(
    'refuses %j (Date.parse would accept some of these)',
    (value) => {
      expect(parseSinchTime(value)).toBeUndefined();
    },
  );
});

describe('public path', () => {
  const req = request('{}', {}, '/webhooks/sinch/voice/ice?tenant=7');

  it('is the URL as received (mount prefix included) by default', () => {
    expect(publicPathOf(req, undefined)).toBe('/webhooks/sinch/voice/ice?tenant=7');
  });

  it('takes a fixed public path, keeping the request’s query for the with-query form', () => {
    expect(publicPathOf(req, '/public/voice')).toBe('/public/voice?tenant=7');
    expect(publicPathOf(request('{}'), '/public/voice')).toBe('/public/voice');
  });

  it('takes a function of the request, or a full URL', () => {
    expect(publicPathOf(req, (r) => r.url.replace(/^\/webhooks/, '/edge'))).toBe('/edge/sinch/voice/ice?tenant=7');
    expect(publicPathOf(req, () => 'https://hooks.example.com/sinch/callback/ace?x=1')).toBe('/sinch/callback/ace?x=1');
  });
});

describe('addresses and times for the call record', () => {
  it('turns phone numbers into E.164 tel addresses', () => {
    expect(callerAddress('46732001122')).toEqual({ kind: 'tel', value: '+46732001122' });
    expect(destinationAddress({ type: 'number', endpoint: '+1234567770' })).toEqual({ kind: 'tel', value: '+1234567770' });
    expect(destinationAddress({ type: 'did', endpoint: '1234567770' })).toEqual({ kind: 'tel', value: '+1234567770' });
  });

  it('keeps users and SIP URIs as what they are, and leaves withheld callers out', () => {
    expect(destinationAddress({ type: 'username', endpoint: 'alice' })).toEqual({ kind: 'other', value: 'alice' });
    expect(destinationAddress({ type: 'sip', endpoint: 'sip:a@b.example' })).toEqual({ kind: 'sip', value: 'sip:a@b.example' });
    expect(callerAddress('alice', 'mxp')).toEqual({ kind: 'other', value: 'alice' });
    expect(callerAddress('private')).toBeUndefined();
    expect(callerAddress('Anonymous')).toBeUndefined();
    expect(callerAddress('')).toBeUndefined();
    expect(destinationAddress({ type: 'number' })).toBeUndefined();
  });

  it('dates an event by its timestamp, else its x-timestamp, else arrival', () => {
    const at = (body: string, headers: Record<string, string> = {}) => eventTime(parseSinchVoice(request(body, headers)), Date.UTC(2026, 0, 1));
    expect(at('{"event":"ace","callid":"c","timestamp":"2024-01-19T12:49:53Z"}', { 'x-timestamp': '2025-01-01T00:00:00Z' })).toBe('2024-01-19T12:49:53.000Z');
    expect(at('{"event":"notify","callid":"c"}', { 'x-timestamp': '2025-01-01T00:00:00.5Z' })).toBe('2025-01-01T00:00:00.500Z');
    expect(at('{"event":"notify","callid":"c"}')).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('derived event types', () => {
  it('type every documented field, with completion for open value sets', () => {
    expectTypeOf<IceEvent['callid']>().toEqualTypeOf<string>();
    expectTypeOf<IceEvent['cli']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<IceEvent['to']>['endpoint']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<IceEvent['callHeaders']>[number]['key']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<IceEvent['userRate']>['amount']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PieEvent['menuResult']['value']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<DiceEvent['debit']>['amount']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<'machine'>().toExtend<AmdStatus>();
    expectTypeOf<DiceEvent['event']>().toEqualTypeOf<'dice'>();
  });
});
