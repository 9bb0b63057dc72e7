import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { isSwitchboardError } from '../../src/core/errors.js';
import type { WebhookRequest } from '../../src/core/types.js';
import {
  candidateUrls, parsePublicUrl, requestUrls, verifyTwilioRequest, verifyTwilioSignature,
} from '../../src/providers/twilio-conversations/verify.js';
import { twilioConversations } from '../../src/providers/twilio-conversations/index.js';
import { encodeForm, formParams } from '../helpers/fake-twilio.js';

const TOKEN = 'unit-test-token';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isSwitchboardError(err)) throw err;
    return err.code;
  }
}

describe('candidateUrls: the URL variants twilio-node 6.2.0 tries', () => {
  it('a plain https URL: as received, and with :443 added', () => {
    expect(candidateUrls('https://example.com/path?test=param')).toEqual(['https://example.com/path?test=param', 'https://example.com:443/path?test=param']);
  });

  it('a custom port: without it (Voice over HTTPS drops it), and as received', () => {
    expect(candidateUrls('http://example.com:8080/p')).toEqual(['http://example.com/p', 'http://example.com:8080/p']);
  });

  it('an explicit default port collapses into the same two forms', () => {
    expect(candidateUrls('https://example.com:443/p')).toEqual(['https://example.com/p', 'https://example.com:443/p']);
  });

  it('raw bytes first, then the WHATWG-normalised host and query, then the legacy querystring form', () => {
    expect(candidateUrls("https://Example.com/p?q=It's+ok")).toEqual([
      "https://Example.com/p?q=It's+ok",
      "https://Example.com:443/p?q=It's+ok",
      'https://example.com/p?q=It%27s+ok',
      'https://example.com:443/p?q=It%27s+ok',
      "https://example.com/p?q=It's%20ok",
      "https://example.com:443/p?q=It's%20ok",
    ]);
  });

  it('keeps userinfo, an IPv6 literal and a double slash as given', () => {
    expect(candidateUrls('https://u:p@[::1]:8443//a')).toEqual(['https://u:p@[::1]//a', 'https://u:p@[::1]:8443//a']);
  });

  it('a string that is not a URL yields only itself', () => {
    expect(candidateUrls('not a url')).toEqual(['not a url']);
  });
});

describe('publicUrl', () => {
  it('an origin keeps its spelling and adds no prefix', () => {
    expect(parsePublicUrl('https://Hooks.Example.com')).toEqual([{ origin: 'https://Hooks.Example.com', prefix: '' }]);
  });

  it('a path is a prefix (trailing slashes dropped), and a fragment is ignored', () => {
    expect(parsePublicUrl('https://example.com/api/#rc=2&rp=all')).toEqual([{ origin: 'https://example.com', prefix: '/api' }]);
  });

  it('userinfo is tried without credentials first (Twilio drops them), then as written', () => {
    expect(parsePublicUrl('https://user:pass@example.com:8443')).toEqual([
      { origin: 'https://example.com:8443', prefix: '' },
      { origin: 'https://user:pass@example.com:8443', prefix: '' },
    ]);
  });

  it.each([
    ['a query string', 'https://example.com/?x=1'],
    ['another scheme', 'ftp://example.com'],
    ['a relative URL', '/webhooks'],
  ])('refuses %s at construction with a message naming the option', (_name, value) => {
    expect(() => twilioConversations({ authTokens: [TOKEN], publicUrl: value })).toThrow(/publicUrl/);
  });
});

describe('requestUrls: which URL the request was sent to', () => {
  const target = "/webhooks/twilio/conversations/pre?tenant=acme&Body=It's";

  it('publicUrl wins over Host and X-Forwarded-*, and the raw target is appended untouched', () => {
    const headers = { host: '127.0.0.1:3000', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
    expect(requestUrls(target, headers, { publicBases: parsePublicUrl('https://hooks.example.com/edge'), trustProxy: true }))
      .toEqual([`https://hooks.example.com/edge${target}`]);
  });

  it('without publicUrl: the Host header, both schemes (TLS may end before the app)', () => {
    expect(requestUrls(target, { host: 'hooks.example.com' }, { publicBases: [], trustProxy: false }))
      .toEqual([`https://hooks.example.com${target}`, `http://hooks.example.com${target}`]);
  });

  it('X-Forwarded-* are ignored unless trustProxy is on', () => {
    const headers = { host: '10.0.0.5:8080', 'x-forwarded-host': 'hooks.example.com', 'x-forwarded-proto': 'https' };
    expect(requestUrls(target, headers, { publicBases: [], trustProxy: false })[0]).toBe(`https://10.0.0.5:8080${target}`);
    expect(requestUrls(target, { ...headers, 'x-forwarded-host': 'hooks.example.com, proxy.internal', 'x-forwarded-proto': 'https,http' }, { publicBases: [], trustProxy: true }))
      .toEqual([`https://hooks.example.com${target}`]);
  });

  it('a Host that is not a host gives no URL at all', () => {
    expect(requestUrls(target, { host: 'evil.example/x?' }, { publicBases: [], trustProxy: false })).toEqual([]);
    expect(requestUrls(target, {}, { publicBases: [], trustProxy: false })).toEqual([]);
  });

  it('an absolute-form request target contributes only its path and query', () => {
    expect(requestUrls('http://10.0.0.5:8080/twilio/conversations?x=1', {}, { publicBases: parsePublicUrl('https://hooks.example.com'), trustProxy: false }))
      .toEqual(['https://hooks.example.com/twilio/conversations?x=1']);
  });
});

describe('verifyTwilioSignature', () => {
  const url = 'https://hooks.example.com/twilio/conversations/post?tenant=acme';
  const form = { EventType: 'onMessageAdded', Body: 'Hi + bye', 'MessagingBinding.Address': ['+15558675311', '+15558675310'] };
  const sig = getExpectedTwilioSignature(TOKEN, url, form);

  it('accepts the SDK signature over URL + sorted params, with repeated keys', () => {
    expect(code(() => verifyTwilioSignature({ authTokens: [TOKEN], signature: sig, urls: [url], params: form }))).toBeUndefined();
  });

  it.each([
    ['no header', undefined, 'missing_signature'],
    ['an empty header', '', 'missing_signature'],
    ['a truncated signature', sig.slice(0, 27), 'invalid_signature'],
    ['another signature', getExpectedTwilioSignature(TOKEN, url, { ...form, Body: 'Hi' }), 'invalid_signature'],
  ])('refuses %s', (_name, signature, expected) => {
    expect(code(() => verifyTwilioSignature({ authTokens: [TOKEN], signature, urls: [url], params: form }))).toBe(expected);
  });

  it('refuses when the URL cannot be rebuilt, telling the operator to set publicUrl', () => {
    expect(() => verifyTwilioSignature({ authTokens: [TOKEN], signature: sig, urls: [], params: form })).toThrow(/publicUrl/);
  });

  it('refuses a JSON body whose URL has no bodySHA256, even with a signature valid for the URL', () => {
    const signature = getExpectedTwilioSignature(TOKEN, url, {});
    expect(() => verifyTwilioSignature({ authTokens: [TOKEN], signature, urls: [url], rawBody: '{"a":1}' })).toThrow(/bodySHA256/);
  });

  it('with bodySHA256 in the URL, a form POST is signed by its URL alone and its bytes must hash to it', () => {
    const body = encodeForm({ EventType: 'onMessageAdded', Body: 'x' });
    const hashed = `${url}&bodySHA256=${createHashHex(body)}`;
    const signature = getExpectedTwilioSignature(TOKEN, hashed, {});
    expect(code(() => verifyTwilioSignature({ authTokens: [TOKEN], signature, urls: [hashed], params: formParams(body), rawBody: body }))).toBeUndefined();
    expect(code(() => verifyTwilioSignature({ authTokens: [TOKEN], signature, urls: [hashed], params: formParams(body), rawBody: `${body}&x=1` }))).toBe('invalid_signature');
  });
});

describe('verifyTwilioRequest: as the pipeline calls it', () => {
  const base = (over: Partial<WebhookRequest>): WebhookRequest => ({
    method: 'POST', url: '/twilio/conversations/post', routePath: '/twilio/conversations/post', headers: {}, rawBody: Buffer.alloc(0), receivedAt: 0, ...over,
  });
  const opts = { authTokens: [TOKEN], publicBases: parsePublicUrl('https://hooks.example.com'), trustProxy: false };

  it('GET: the URL alone is signed; the query parameters are not appended again', () => {
    const target = '/twilio/conversations/pre?EventType=onMessageAdd&Body=hi%21';
    const signature = getExpectedTwilioSignature(TOKEN, `https://hooks.example.com${target}`, {});
    expect(code(() => verifyTwilioRequest(base({ method: 'GET', url: target, headers: { 'x-twilio-signature': signature } }), opts))).toBeUndefined();
    const wrong = getExpectedTwilioSignature(TOKEN, `https://hooks.example.com${target}`, { EventType: 'onMessageAdd', Body: 'hi!' });
    expect(code(() => verifyTwilioRequest(base({ method: 'GET', url: target, headers: { 'x-twilio-signature': wrong } }), opts))).toBe('invalid_signature');
  });

  it('form POST: the body is decoded with URLSearchParams (+ is a space, %2B a plus)', () => {
    const body = 'Body=a+b%2Bc&Author=%2B15558675310';
    const signature = getExpectedTwilioSignature(TOKEN, 'https://hooks.example.com/twilio/conversations/post', { Body: 'a b+c', Author: '+15558675310' });
    const headers = { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(code(() => verifyTwilioRequest(base({ headers, rawBody: Buffer.from(body) }), opts))).toBeUndefined();
  });

  it('a repeated signature header: the first value counts', () => {
    const signature = getExpectedTwilioSignature(TOKEN, 'https://hooks.example.com/twilio/conversations/post', {});
    const headers = { 'x-twilio-signature': [signature, 'bogus'], 'content-type': 'application/x-www-form-urlencoded' };
    expect(code(() => verifyTwilioRequest(base({ headers }), opts))).toBeUndefined();
  });
});

function createHashHex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
