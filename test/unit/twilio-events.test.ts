import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/core/types.js';
import {
  decodeForm, parseAttributes, parseMedia, parseTwilioConversations, twilioConversationsDedupeKey,
  type TwilioConversationsEvent,
} from '../../src/providers/twilio-conversations/events.js';
import { twilioVectors } from '../helpers/fake-twilio.js';

const { captured, reconstructed, syntheticGetVariant, syntheticGroupMmsRepeatedKey } = twilioVectors().conversations;

function request(over: Partial<WebhookRequest> & { body?: string }): WebhookRequest {
  const { body, ...rest } = over;
  return {
    method: 'POST',
    url: '/twilio/conversations/post',
    routePath: '/twilio/conversations/post',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    rawBody: Buffer.from(body ?? '', 'utf8'),
    receivedAt: 0,
    ...rest,
  };
}

const payload = (e: TwilioConversationsEvent): Record<string, unknown> => e.payload as Record<string, unknown>;

describe('decodeForm', () => {
  it('keeps every value of a repeated key, in order, and decodes + and %2B', () => {
    expect(decodeForm('a=1&b=x+y&a=2&c=%2B1&a=2')).toEqual({ a: ['1', '2', '2'], b: 'x y', c: '+1' });
  });

  it('takes dotted and bracketed keys literally (no nesting), and keeps empty values', () => {
    expect(decodeForm('MessagingBinding.Address=%2B1&a%5Bb%5D=1&FriendlyName=')).toEqual({ 'MessagingBinding.Address': '+1', 'a[b]': '1', FriendlyName: '' });
  });

  it('a key named __proto__ is data, not a prototype', () => {
    const out = decodeForm('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(out['__proto__']).toBe('x');
  });
});

describe('parseAttributes and parseMedia are lenient', () => {
  it.each([
    ['{"priority":"high"}', { priority: 'high' }],
    ['{}', {}],
    ['', undefined],
    ['not json', undefined],
    ['[1,2]', undefined],
    ['"text"', undefined],
    [undefined, undefined],
  ])('Attributes %j → %j', (raw, expected) => {
    expect(parseAttributes(raw)).toEqual(expected);
  });

  it('reads the three known media key casings into one shape, keeping the raw element', () => {
    const media = parseMedia(JSON.stringify([
      { MediaSid: 'ME1', Filename: 'a.jpg', ContentType: 'image/jpeg', Size: 10 },
      { sid: 'ME2', filename: 'b.png', content_type: 'image/png', size: '20', category: 'media' },
      { Sid: 'ME3', ContentType: 'video/mp4', Filename: 'c.mp4' },
    ]));
    expect(media).toEqual([
      { sid: 'ME1', filename: 'a.jpg', contentType: 'image/jpeg', size: 10, raw: { MediaSid: 'ME1', Filename: 'a.jpg', ContentType: 'image/jpeg', Size: 10 } },
      { sid: 'ME2', filename: 'b.png', contentType: 'image/png', size: 20, category: 'media', raw: { sid: 'ME2', filename: 'b.png', content_type: 'image/png', size: '20', category: 'media' } },
      { sid: 'ME3', contentType: 'video/mp4', filename: 'c.mp4', raw: { Sid: 'ME3', ContentType: 'video/mp4', Filename: 'c.mp4' } },
    ]);
  });

  it.each([['', []], ['{bad', []], ['null', []], ['[1,"x",null]', []]])('Media %j → %j', (raw, expected) => {
    expect(parseMedia(raw)).toEqual(expected);
  });

  it('a single media object (not in an array) is still read', () => {
    expect(parseMedia('{"Sid":"ME9"}')).toEqual([{ sid: 'ME9', raw: { Sid: 'ME9' } }]);
  });
});

describe('parseTwilioConversations', () => {
  it.each(reconstructed.map((r) => [`${r.event}${r.variant ? ' (media)' : ''}`, r] as const))('%s: type, kind and every parameter as sent', (_name, r) => {
    const event = parseTwilioConversations(request({ body: r.rawBody }));
    expect(event.type).toBe(r.event);
    expect(event.kind).toBe(r.kind);
    expect(event.unknown).toBeFalsy();
    for (const [k, v] of Object.entries(r.params)) expect(payload(event)[k], k).toBe(v);
  });

  it('Attributes and Media stay raw under their Twilio names and are parsed beside them', () => {
    const withMedia = reconstructed.find((r) => r.variant)!;
    const e = parseTwilioConversations(request({ body: withMedia.rawBody }));
    expect(payload(e)['Media']).toBe(withMedia.params['Media']);
    expect(payload(e)['media']).toEqual([
      {
        sid: 'ME721c9525ade2ea8903d343ef25cf68b9', filename: 'IMG_0042.jpg', contentType: 'image/jpeg', size: 182734, category: 'media',
        raw: { Sid: 'ME721c9525ade2ea8903d343ef25cf68b9', Filename: 'IMG_0042.jpg', ContentType: 'image/jpeg', Size: 182734, Category: 'media' },
      },
    ]);
    const pre = reconstructed.find((r) => r.event === 'onMessageAdd')!;
    const e2 = parseTwilioConversations(request({ body: pre.rawBody }));
    expect(payload(e2)['Attributes']).toBe('{"priority":"high"}');
    expect(payload(e2)['attributes']).toEqual({ priority: 'high' });
    expect(payload(e2)['media']).toEqual([]);
  });

  it('events without Attributes/Media get no parsed fields', () => {
    const delivery = reconstructed.find((r) => r.event === 'onDeliveryUpdated')!;
    const e = parseTwilioConversations(request({ body: delivery.rawBody }));
    expect('attributes' in payload(e)).toBe(false);
    expect('media' in payload(e)).toBe(false);
  });

  it('a GET webhook is read from the query string', () => {
    const target = syntheticGetVariant.url.replace('https://hooks.example.com', '');
    const e = parseTwilioConversations(request({ method: 'GET', url: target, headers: {} }));
    expect(e.type).toBe('onMessageAdd');
    expect(payload(e)).toMatchObject({ tenant: 'acme', Body: 'Yes! It ships today.', Author: 'agent.alice', attributes: { priority: 'high' } });
  });

  it('the captured SMS GET webhook (Source=SMS, no ClientIdentity) parses', () => {
    const sms = captured.find((c) => c.url)!;
    const e = parseTwilioConversations(request({ method: 'GET', url: `/pre?${sms.url!.split('?')[1]!}`, headers: {} }));
    expect(e.type).toBe('onMessageAdd');
    expect(payload(e)).toMatchObject(sms.decoded);
  });

  it('the group-MMS repeated key arrives as an array of every address', () => {
    const e = parseTwilioConversations(request({ body: syntheticGroupMmsRepeatedKey.rawBody }));
    expect(payload(e)['MessagingBinding.Address']).toEqual(['+15558675310', '+15558675311']);
  });

  it('a JSON body is read as an object; JSON that is not an object is malformed', () => {
    const json = { 'content-type': 'application/json' };
    const e = parseTwilioConversations(request({ headers: json, body: '{"EventType":"onUserAdded","AccountSid":"AC1","UserSid":"US1"}' }));
    expect(e.type).toBe('onUserAdded');
    expect(() => parseTwilioConversations(request({ headers: json, body: '[1]' }))).toThrow(/not an object/);
    expect(() => parseTwilioConversations(request({ headers: json, body: '{' }))).toThrow(/not valid JSON/);
  });

  it.each([
    ['a legacy Chat name', 'EventType=onMessageSent&AccountSid=AC1', 'onMessageSent'],
    ['no EventType', 'AccountSid=AC1', 'UNKNOWN'],
    ['a repeated EventType', 'EventType=onMessageAdded&EventType=onMessageAdd', 'UNKNOWN'],
  ])('%s is an unknown event', (_name, body, type) => {
    const e = parseTwilioConversations(request({ body }));
    expect(e).toMatchObject({ unknown: true, kind: 'unknown', type });
  });

  it('keeps a well-formed I-Twilio-Idempotency-Token and ignores a malformed one', () => {
    const body = reconstructed[0]!.rawBody;
    const ok = parseTwilioConversations(request({ body, headers: { 'i-twilio-idempotency-token': '2d7c9ee7-f1a3-409f-9283-23f99117dd3b' } }));
    expect(ok.idempotencyToken).toBe('2d7c9ee7-f1a3-409f-9283-23f99117dd3b');
    const bad = parseTwilioConversations(request({ body, headers: { 'i-twilio-idempotency-token': `x y ${'z'.repeat(200)}` } }));
    expect(bad.idempotencyToken).toBeUndefined();
  });
});

describe('dedupe keys', () => {
  const added = reconstructed.find((r) => r.event === 'onMessageAdded' && !r.variant)!;
  const key = (body: string, headers: Record<string, string> = {}): string =>
    twilioConversationsDedupeKey(parseTwilioConversations(request({ body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })));

  it('the signed resource identity wins over the unsigned idempotency token', () => {
    // A replay with the header stripped or changed is still the same event.
    expect(key(added.rawBody, { 'i-twilio-idempotency-token': 'tok-1' })).toBe('twilio-conversations:onMessageAdded:IMab530a13e45914982b79f9b7e3fba994');
    expect(key(added.rawBody, { 'i-twilio-idempotency-token': 'tok-2' })).toBe(key(added.rawBody));
  });

  it('the token where the payload names no resource (pre-action)', () => {
    const pre = reconstructed.find((r) => r.event === 'onMessageAdd')!;
    expect(key(pre.rawBody, { 'i-twilio-idempotency-token': 'tok-1' })).toBe('twilio-conversations:onMessageAdd:token:tok-1');
  });

  it('otherwise the resource identity of a post-action event, whatever RetryCount says', () => {
    expect(key(added.rawBody)).toBe('twilio-conversations:onMessageAdded:IMab530a13e45914982b79f9b7e3fba994');
    expect(key(added.rawBody.replace('RetryCount=0', 'RetryCount=1'))).toBe(key(added.rawBody));
  });

  it('delivery receipts: one key per receipt and status', () => {
    const dlr = reconstructed.find((r) => r.event === 'onDeliveryUpdated')!;
    expect(key(dlr.rawBody)).toBe('twilio-conversations:onDeliveryUpdated:DY6f32860910ca0fb2a20c7fda143666b0:delivered');
    expect(key(dlr.rawBody.replace('Status=delivered', 'Status=read'))).toBe('twilio-conversations:onDeliveryUpdated:DY6f32860910ca0fb2a20c7fda143666b0:read');
  });

  it('state changes: conversation, target state and time', () => {
    const st = reconstructed.find((r) => r.event === 'onConversationStateUpdated')!;
    expect(key(st.rawBody)).toBe('twilio-conversations:onConversationStateUpdated:CH8b34dbc2c05eb4d7e25d48efeace8245:inactive:2026-03-04T11:15:30.000Z');
  });

  it('pre-action events (no id of their own): a digest of the parameters, blind to RetryCount', () => {
    const pre = reconstructed.find((r) => r.event === 'onMessageAdd')!;
    const k = key(pre.rawBody);
    expect(k).toMatch(/^twilio-conversations:onMessageAdd:[0-9a-f]{64}$/);
    expect(key(pre.rawBody.replace('RetryCount=0', 'RetryCount=2'))).toBe(k);
    expect(key(pre.rawBody.replace('Body=Yes', 'Body=No'))).not.toBe(k);
  });
});
