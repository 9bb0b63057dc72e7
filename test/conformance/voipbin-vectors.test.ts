import { describe, expect, it } from 'vitest';
import { sign, verify } from '@octokit/webhooks-methods';
import { verifyVoipbin } from '../../src/providers/voipbin/verify.js';
import { signVoipbin } from '../../src/testing/index.js';
import { isSwitchboardError } from '../../src/core/errors.js';
import { loadVectors } from '../helpers/vectors.js';

interface Vector { name: string; secret: string; body: string; expected_header?: string; signature_of_this_body?: string; expect?: string }
const file = loadVectors<{ vectors: Vector[] }>('voipbin.json');

function check(body: string, header: string | undefined, secrets: string[], allowUnsigned = false): string {
  try {
    verifyVoipbin({ rawBody: Buffer.from(body, 'utf8'), headers: header === undefined ? {} : { 'x-voipbin-signature': header }, secrets, allowUnsigned });
    return 'ok';
  } catch (err) {
    if (!isSwitchboardError(err)) throw err;
    return err.code;
  }
}

describe('VoIPBIN signature vectors', () => {
  it('has the five vectors', () => expect(file.vectors).toHaveLength(5));

  for (const v of file.vectors.filter((x) => x.expected_header)) {
    it(`${v.name}: the expected header verifies, and our signer produces it`, () => {
      expect(check(v.body, v.expected_header, [v.secret])).toBe('ok');
      expect(signVoipbin({ body: v.body, secret: v.secret })['x-voipbin-signature']).toBe(v.expected_header);
    });
  }

  it('V4b: the reserialised body does not verify against V4\'s header', () => {
    const v4 = file.vectors.find((v) => v.name.startsWith('V4_'))!;
    const v4b = file.vectors.find((v) => v.name.startsWith('V4b'))!;
    expect(v4b.body).not.toBe(v4.body);
    expect(check(v4b.body, v4.expected_header, [v4.secret])).toBe('invalid_signature');
  });

  it('accepts upper-case hex, several secrets, and refuses other schemes', () => {
    const v = file.vectors[0]!;
    expect(check(v.body, `sha256=${v.expected_header!.slice('sha256='.length).toUpperCase()}`, [v.secret])).toBe('ok');
    expect(check(v.body, v.expected_header, ['other', v.secret])).toBe('ok');
    expect(check(v.body, v.expected_header!.replace('sha256=', 'sha1='), [v.secret])).toBe('unsupported_algorithm');
    expect(check(v.body, undefined, [v.secret])).toBe('missing_signature');
    expect(check(v.body, undefined, [v.secret], true)).toBe('ok');
    // allowUnsigned does not excuse a wrong signature.
    expect(check(v.body, 'sha256=' + '0'.repeat(64), [v.secret], true)).toBe('invalid_signature');
  });

  it('a body signed with @octokit/webhooks-methods sign() (same scheme) is accepted, and octokit verifies ours', async () => {
    const body = '{"type":"conversation_message_created","data":{"id":"x","conversation_id":"c","text":"\\u003cb\\u003e"}}';
    const header = await sign('s3cret', body);
    expect(check(body, header, ['s3cret'])).toBe('ok');
    expect(await verify('s3cret', body, signVoipbin({ body, secret: 's3cret' })['x-voipbin-signature']!)).toBe(true);
  });
});
