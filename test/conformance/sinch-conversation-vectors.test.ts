import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { calculateWebhookSignature, computeSignedData, validateWebhookSignature } from '@sinch/sdk-core';
import { verifySinchConversation } from '../../src/providers/sinch-conversation/verify.js';
import { signSinchConversation } from '../../src/testing/index.js';
import { isSwitchboardError } from '../../src/core/errors.js';
import { loadVectors, type SinchConversationVector } from '../helpers/vectors.js';

const file = loadVectors<{ vectors: SinchConversationVector[] }>('sinch-conversation.json');

function verdict(v: SinchConversationVector, nowMs: number, secrets = [v.secret]): { ok: true } | { ok: false; code: string } {
  try {
    verifySinchConversation({ rawBody: Buffer.from(v.body, 'utf8'), headers: v.headers, secrets, now: nowMs });
    return { ok: true };
  } catch (err) {
    if (!isSwitchboardError(err)) throw err;
    return { ok: false, code: err.code };
  }
}

describe('Sinch Conversation official signature vectors', () => {
  it('covers all ten vectors, byte-exact', () => {
    expect(file.vectors).toHaveLength(10);
    for (const v of file.vectors) {
      expect(createHash('sha256').update(v.body, 'utf8').digest('hex'), v.id).toBe(v.body_sha256_hex);
    }
  });

  for (const v of file.vectors) {
    it(`${v.id} → ${v.expected_valid ? 'accepted' : 'rejected'} with the clock pinned to its timestamp`, () => {
      const ts = Number(v.headers['x-sinch-webhook-signature-timestamp'] ?? 1634579353);
      const result = verdict(v, ts * 1000);
      expect(result.ok, JSON.stringify(result)).toBe(v.expected_valid);
      if (!result.ok) expect(['invalid_signature', 'missing_signature']).toContain(result.code);
    });
  }

  it('accepts a valid vector when its secret is one of several (rotation, callback_url secret)', () => {
    const v = file.vectors.find((x) => x.id === 'conv-contact-create-valid')!;
    expect(verdict(v, 1634579353_000, ['old-secret', v.secret, 'app-level']).ok).toBe(true);
  });

  it('judges freshness both ways with an inclusive 300 s window', () => {
    const v = file.vectors.find((x) => x.id === 'conv-contact-create-valid')!;
    const ts = 1634579353_000;
    expect(verdict(v, ts + 300_000).ok).toBe(true);
    expect(verdict(v, ts - 300_000).ok).toBe(true);
    expect(verdict(v, ts + 301_000)).toEqual({ ok: false, code: 'stale_timestamp' });
    expect(verdict(v, ts - 301_000)).toEqual({ ok: false, code: 'stale_timestamp' });
  });

  it('refuses any algorithm but HmacSHA256', () => {
    const v = file.vectors.find((x) => x.id === 'conv-contact-create-valid')!;
    const headers = { ...v.headers, 'x-sinch-webhook-signature-algorithm': 'HmacSHA1' };
    expect(verdict({ ...v, headers }, 1634579353_000)).toEqual({ ok: false, code: 'unsupported_algorithm' });
  });

  it('takes the first value of a repeated header, as the SDKs do', () => {
    const v = file.vectors.find((x) => x.id === 'conv-contact-create-valid')!;
    const headers = { ...v.headers, 'x-sinch-webhook-signature': [v.headers['x-sinch-webhook-signature']!, 'bogus'] } as unknown as Record<string, string>;
    expect(verdict({ ...v, headers }, 1634579353_000).ok).toBe(true);
  });
});

describe('peer check against @sinch/sdk-core@1.4.0', () => {
  const secret = 'peer-secret-ÅÄÖ';
  const body = '{"app_id":"01EB37HMH1M6SV18ABNS3G135H","message":{"id":"01X","direction":"TO_APP","contact_message":{"text_message":{"text":"Hej då 👋"}},"channel_identity":{"channel":"WHATSAPP","identity":"46732001122"}}}';

  it('the SDK signs → we accept', () => {
    const nonce = '01FJA8B4A7BM43YGWSG9GBV067';
    const timestamp = '1700000000';
    const signature = calculateWebhookSignature(computeSignedData(body, nonce, timestamp), secret);
    const headers = {
      'x-sinch-webhook-signature': signature,
      'x-sinch-webhook-signature-nonce': nonce,
      'x-sinch-webhook-signature-timestamp': timestamp,
      'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    };
    expect(() => verifySinchConversation({ rawBody: Buffer.from(body), headers, secrets: [secret], now: 1700000000_000 })).not.toThrow();
  });

  it('we sign → the SDK accepts, and rejects a tampered body', () => {
    const headers = signSinchConversation({ body, secret, timestamp: 1700000000 });
    expect(validateWebhookSignature(secret, headers, body)).toBe(true);
    expect(validateWebhookSignature(secret, headers, body.replace('Hej', 'Hey'))).toBe(false);
  });

  it('agrees with the SDK on every official vector', () => {
    for (const v of file.vectors) {
      const ours = verdict(v, Number(v.headers['x-sinch-webhook-signature-timestamp'] ?? 0) * 1000).ok;
      expect(ours, v.id).toBe(validateWebhookSignature(v.secret, v.headers, v.body));
    }
  });
});
