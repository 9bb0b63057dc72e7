import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  getExpectedBodyHash, getExpectedTwilioSignature, validateRequest, validateRequestWithBody,
} from 'twilio/lib/webhooks/webhooks.js';
import { createSwitchboard } from '../../src/index.js';
import { isSwitchboardError } from '../../src/core/errors.js';
import { twilioConversations } from '../../src/providers/twilio-conversations/index.js';
import { verifyTwilioSignature } from '../../src/providers/twilio-conversations/verify.js';
// switchboard/testing will re-export it (shared-file change requested); until then, from its module.
import { signTwilio } from '../../src/providers/twilio-conversations/testing.js';
import { serve, type Running } from '../helpers/servers.js';
import { formParams, sendRaw, twilioVectors, type TwilioSignatureVector, type VectorParams } from '../helpers/fake-twilio.js';

const file = twilioVectors();
const signatureVectors = file.vectors.filter((v) => v.kind !== 'bodySHA256-only');
const hashOnlyVectors = file.vectors.filter((v) => v.kind === 'bodySHA256-only');

/** Java/C# `null` values are signed as empty strings. */
function params(p: VectorParams | undefined): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, v ?? '']));
}

const isJson = (v: TwilioSignatureVector): boolean => v.contentType === 'application/json';

function verdict(v: TwilioSignatureVector, tokens = [v.authToken!]): { ok: true } | { ok: false; code: string } {
  try {
    verifyTwilioSignature({
      authTokens: tokens,
      signature: v.signature ?? undefined,
      urls: [v.url!],
      ...(isJson(v) ? { rawBody: Buffer.from(v.body!, 'utf8') } : { params: params(v.params) }),
    });
    return { ok: true };
  } catch (err) {
    if (!isSwitchboardError(err)) throw err;
    return { ok: false, code: err.code };
  }
}

/*
 * Our documented mixed-case-host policy: the host is tried as received and
 * lower-cased (twilio-node 6.2.0's WHATWG fallback), because hosts are
 * case-insensitive and Twilio signs whatever case the console URL has. The
 * two `policyDependent` vectors (C# rejects a lower-case-host signature for
 * a mixed-case URL) are therefore accepted, as twilio-node 6.2.0 accepts them.
 */
const expected = (v: TwilioSignatureVector): boolean => (v.policyDependent ? v.derived!.twilioNode_6_2_0_validate! : v.expectedValid!);

describe('Twilio signature vectors (../shared/vectors/twilio.json)', () => {
  it('has the 71 entries the README lists, and exactly two policy-dependent ones', () => {
    expect(file.vectors).toHaveLength(71);
    expect(file.vectors.filter((v) => v.policyDependent).map((v) => v.id).sort()).toEqual(['csharp-mixed-case-lowercase-sig', 'csharp-mixed-case-port-lowercase-sig']);
  });

  for (const v of signatureVectors) {
    it(`${v.id} → ${expected(v) ? 'accepted' : 'rejected'}${v.policyDependent ? ' (policy: host case-insensitive)' : ''}`, () => {
      const result = verdict(v);
      expect(result.ok, JSON.stringify(result)).toBe(expected(v));
      if (!result.ok) expect(result.code).toBe(v.signature ? 'invalid_signature' : 'missing_signature');
    });
  }

  it('policy: the mixed-case-host vectors are accepted only through the lower-cased host', () => {
    for (const id of ['csharp-mixed-case-lowercase-sig', 'csharp-mixed-case-port-lowercase-sig']) {
      const v = file.vectors.find((x) => x.id === id)!;
      expect(verdict(v).ok, id).toBe(true);
      // The same signature is no good for a different host, whatever its case.
      expect(verdict({ ...v, url: v.url!.replace('MyCompany.com', 'MyCompany.org') }).ok, id).toBe(false);
    }
  });

  for (const v of hashOnlyVectors) {
    it(`${v.id}: the body hashes to bodySHA256, and a signed URL with it is accepted only with that body`, () => {
      expect(createHash('sha256').update(v.body!, 'utf8').digest('hex')).toBe(v.bodySHA256);
      const url = `https://mycompany.com/myapp.php?bodySHA256=${v.bodySHA256}`;
      const signature = getExpectedTwilioSignature('12345', url, {});
      expect(() => verifyTwilioSignature({ authTokens: ['12345'], signature, urls: [url], rawBody: v.body! })).not.toThrow();
      expect(() => verifyTwilioSignature({ authTokens: ['12345'], signature, urls: [url], rawBody: `${v.body!} ` })).toThrow(/does not hash/);
      if (v.wrongHashMustFail) {
        expect(v.wrongHashMustFail).not.toBe(createHash('sha256').update(v.body!, 'utf8').digest('hex'));
        const wrongUrl = `https://mycompany.com/myapp.php?bodySHA256=${v.wrongHashMustFail}`;
        const wrongSig = getExpectedTwilioSignature('12345', wrongUrl, {});
        expect(() => verifyTwilioSignature({ authTokens: ['12345'], signature: wrongSig, urls: [wrongUrl], rawBody: v.body! })).toThrow(/does not hash/);
      }
    });
  }

  it('a valid vector is accepted when its token is one of several, and rejected when none matches', () => {
    const v = file.vectors.find((x) => x.id === 'docs-worked-example')!;
    expect(verdict(v, ['old-token', v.authToken!, 'other-account']).ok).toBe(true);
    expect(verdict(v, ['old-token', 'other-account'])).toEqual({ ok: false, code: 'invalid_signature' });
  });

  it('the rejection message names what to fix and never contains a token', () => {
    const v = file.vectors.find((x) => x.id === 'node-wrong-signature')!;
    try {
      verifyTwilioSignature({ authTokens: ['s3cr3t-token-value', v.authToken!], signature: v.signature!, urls: [v.url!], params: params(v.params) });
      expect.unreachable();
    } catch (err) {
      expect(isSwitchboardError(err)).toBe(true);
      const message = (err as Error).message;
      expect(message).toMatch(/publicUrl/);
      expect(message).toMatch(/authTokens/);
      expect(message).not.toContain('s3cr3t-token-value');
      expect(message).not.toContain(v.authToken!);
    }
  });
});

describe('peer check against twilio@6.2.0 (lib/webhooks/webhooks.js)', () => {
  it('agrees with validateRequest / validateRequestWithBody on every signature vector', () => {
    for (const v of signatureVectors) {
      const sdk = isJson(v)
        ? validateRequestWithBody(v.authToken!, v.signature ?? '', v.url!, v.body!) && v.url!.includes('bodySHA256')
        : validateRequest(v.authToken!, v.signature ?? '', v.url!, params(v.params));
      expect(verdict(v).ok, v.id).toBe(sdk);
      expect(sdk, `${v.id}: recorded 6.2.0 verdict`).toBe(v.derived!.twilioNode_6_2_0_validate);
    }
  });

  it('the SDK signs every captured and reconstructed Conversations request → we accept', () => {
    const token = 'peer-token-0123456789abcdef';
    const { captured, reconstructed, syntheticGroupMmsRepeatedKey } = file.conversations;
    const bodies = [
      ...captured.filter((c) => c.rawBody).map((c) => c.rawBody!),
      ...reconstructed.map((r) => r.rawBody),
      syntheticGroupMmsRepeatedKey.rawBody,
    ];
    for (const [i, body] of bodies.entries()) {
      const url = `https://hooks.example.com/webhooks/twilio/conversations/post?case=${i}&note=It's+fine`;
      const signature = getExpectedTwilioSignature(token, url, formParams(body));
      expect(() => verifyTwilioSignature({ authTokens: [token], signature, urls: [url], params: formParams(body) }), body).not.toThrow();
    }
    for (const c of captured.filter((x) => !x.rawBody)) {
      const query = c.queryString ?? c.url!.split('?')[1]!;
      const url = `https://hooks.example.com/webhooks/twilio/conversations/pre?${query}`;
      const signature = getExpectedTwilioSignature(token, url, {});
      expect(() => verifyTwilioSignature({ authTokens: [token], signature, urls: [url] })).not.toThrow();
    }
  });

  it('signTwilio → validateRequest accepts form POSTs (repeated keys, UTF-8) and GETs', () => {
    const token = 'peer-token-ÅÄÖ';
    const url = 'https://hooks.example.com/twilio/conversations/post?tenant=acme';
    const form = { EventType: 'onMessageAdded', Body: 'Hej då 👋 + 100%', 'MessagingBinding.Address': ['+15558675311', '+15558675310', '+15558675310'], Empty: '' };
    const signed = signTwilio({ url, params: form, authToken: token });
    expect(signed.url).toBe(url);
    expect(signed.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(validateRequest(token, signed.headers['x-twilio-signature']!, url, formParams(signed.body as string))).toBe(true);
    expect(validateRequest(token, signed.headers['x-twilio-signature']!, url, { ...formParams(signed.body as string), Body: 'Hej då' })).toBe(false);

    const get = signTwilio({ url: `${url}&EventType=onMessageAdd&Body=hi%21`, authToken: token });
    expect(get.body).toBe('');
    expect(validateRequest(token, get.headers['x-twilio-signature']!, get.url, {})).toBe(true);
  });

  it('signTwilio → validateRequestWithBody accepts JSON bodies, with bodySHA256 in the returned URL', () => {
    const token = 'peer-token';
    const body = '{"property": "value", "boolean": true}';
    const signed = signTwilio({ url: 'https://mycompany.com/myapp.php?foo=1&bar=2', body, authToken: token });
    expect(signed.url).toBe(`https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${getExpectedBodyHash(body)}`);
    expect(signed.headers['content-type']).toBe('application/json');
    expect(validateRequestWithBody(token, signed.headers['x-twilio-signature']!, signed.url, body)).toBe(true);
    expect(validateRequestWithBody(token, signed.headers['x-twilio-signature']!, signed.url, `${body} `)).toBe(false);
    const bare = signTwilio({ url: 'https://mycompany.com/myapp.php', body: '{}', authToken: token });
    expect(bare.url).toBe(`https://mycompany.com/myapp.php?bodySHA256=${getExpectedBodyHash('{}')}`);
    expect(validateRequestWithBody(token, bare.headers['x-twilio-signature']!, bare.url, '{}')).toBe(true);
  });

  it('signTwilio reproduces the published JSON vector signatures', () => {
    for (const id of ['node-json-body', 'node-json-body-only-sha-param']) {
      const v = file.vectors.find((x) => x.id === id)!;
      const base = v.url!.replace(/[?&]bodySHA256=[0-9a-f]+$/, '');
      const signed = signTwilio({ url: base, body: v.body!, authToken: v.authToken! });
      expect(signed.url, id).toBe(v.url);
      expect(signed.headers['x-twilio-signature'], id).toBe(v.signature);
    }
  });
});

/*
 * The same vectors over a real socket: the router is mounted at the vector's
 * path, publicUrl is the vector's origin, and the request line carries the
 * vector's path and query byte for byte (node:http, so nothing re-encodes it).
 */
describe('signature vectors over HTTP, publicUrl = the vector origin', () => {
  // Raw non-ASCII cannot travel in a request line; Twilio would percent-encode it.
  const wireSafe = signatureVectors.filter((v) => /^[\x21-\x7e]+$/.test(v.url!) && v.signature !== undefined);
  const servers: Running[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('covers every vector whose URL can travel in a request line as is', () => {
    expect(wireSafe.length).toBe(signatureVectors.length - 1); // java-utf8-url has raw UTF-8 in its path
  });

  for (const v of wireSafe) {
    it(`${v.id} → ${expected(v) ? '2xx' : '401'}`, async () => {
      const m = /^([A-Za-z]+:\/\/[^/]+)(\/[^?]*)(\?.*)?$/.exec(v.url!)!;
      const [, origin, path, query = ''] = m;
      const provider = twilioConversations({ authTokens: [v.authToken!], publicUrl: origin!, path: path! });
      const sb = createSwitchboard({ providers: [provider] });
      const server = await serve('node', sb, { mount: '' });
      servers.push(server);
      const json = isJson(v);
      const body = json ? v.body! : (v.rawBody ?? v.derived?.exampleFormBody ?? '');
      const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' };
      if (v.signature !== null && v.signature !== undefined) headers['x-twilio-signature'] = v.signature;
      const res = await sendRaw(server.url, 'POST', `${path}${query}`, headers, body);
      if (expected(v)) expect(res.status, res.text).toBe(200);
      else {
        expect(res.status, res.text).toBe(401);
        expect(JSON.parse(res.text).error.code).toBe(v.signature ? 'invalid_signature' : 'missing_signature');
      }
    });
  }
});
