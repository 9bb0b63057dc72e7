import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/core/errors.js';
import {
  SinchConversationClient,
  type SendMessageRequest,
  type SinchRestOptions,
  type SinchClientDeps,
} from '../../src/providers/sinch-conversation/reply.js';
import { startFakeSinch, type FakeSinch } from '../helpers/fake-sinch.js';

const PROJECT = 'proj-123';
const KEY_ID = 'key-id-abc';
const KEY_SECRET = 'sup3r-s3cret-value';
const APP_ID = '01EB37HMH1M6SV18ABNS3G135H';

const textReply: SendMessageRequest = {
  app_id: APP_ID,
  recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: '46732001122' }] } },
  message: { text_message: { text: 'Thanks, we got it' } },
  message_metadata: 'ticket-42',
};

let fake: FakeSinch;

beforeEach(async () => {
  fake = await startFakeSinch({ keyId: KEY_ID, keySecret: KEY_SECRET, projectIds: [PROJECT] });
});

afterEach(async () => {
  await fake.close();
});

function client(over: Partial<SinchRestOptions> = {}, deps: SinchClientDeps = {}): SinchConversationClient {
  return new SinchConversationClient(
    { projectId: PROJECT, keyId: KEY_ID, keySecret: KEY_SECRET, baseUrl: fake.url, authUrl: fake.authUrl, ...over },
    { tokenRetryBaseMs: 5, ...deps },
  );
}

async function failure(p: Promise<unknown>): Promise<SwitchboardError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    return err as SwitchboardError;
  }
  throw new Error('expected the call to fail');
}

describe('SinchConversationClient.sendMessage', () => {
  it('sends a text message with a bearer token and the documented body', async () => {
    const res = await client().sendMessage(textReply);

    expect(res.message_id).toMatch(/^[0-9A-F]{32}$/);
    expect(Number.isNaN(Date.parse(res.accepted_time))).toBe(false);
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.projectId).toBe(PROJECT);
    expect(req.body).toEqual(textReply);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe(`Bearer ${fake.issuedTokens[0]}`);
  });

  it('sends to a contact_id recipient and URL-encodes the project id', async () => {
    await fake.close();
    fake = await startFakeSinch({ keyId: KEY_ID, keySecret: KEY_SECRET, projectIds: ['odd/proj id'] });
    await client({ projectId: 'odd/proj id' }).sendMessage({
      app_id: APP_ID,
      recipient: { contact_id: 'contact-1' },
      message: { media_message: { url: 'https://example.com/a.png' } },
    });
    expect(fake.requests[0]?.projectId).toBe('odd/proj id');
  });

  it('reuses one token across 5 sends', async () => {
    const c = client();
    for (let i = 0; i < 5; i++) await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(1);
    expect(fake.requests).toHaveLength(5);
  });

  it('shares one token refresh among 10 concurrent sends on a cold cache', async () => {
    const c = client();
    const results = await Promise.all(Array.from({ length: 10 }, () => c.sendMessage(textReply)));
    expect(results).toHaveLength(10);
    expect(fake.tokenRequests).toBe(1);
    expect(new Set(fake.requests.map((r) => r.token)).size).toBe(1);
  });

  it('refreshes the token 60 s before expiry by the injected clock', async () => {
    let now = 1_000_000;
    const c = client({}, { now: () => now });
    await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(1);

    now += (3600 - 61) * 1000; // still more than 60 s left
    await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(1);

    now += 2000; // now inside the 60 s margin
    await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.requests[2]?.token).toBe(fake.issuedTokens[1]);
  });

  it('turns a token-endpoint 401 into reply_failed that names the key but never the secret', async () => {
    await fake.close();
    fake = await startFakeSinch({ keyId: KEY_ID, keySecret: 'the-real-secret', projectIds: [PROJECT], echoAuthInErrors: true });
    const err = await failure(client().sendMessage(textReply));

    expect(err.code).toBe('reply_failed');
    expect(err.status).toBe(502);
    expect(err.message).toContain(`Sinch rejected the access key (keyId ${KEY_ID})`);
    expect(err.message).toContain('keySecret');
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('invalid_client');
    // The fake echoed our Authorization header into its error body; it must be scrubbed.
    const basic = Buffer.from(`${KEY_ID}:${KEY_SECRET}`).toString('base64');
    expect(err.message).not.toContain(KEY_SECRET);
    expect(err.message).not.toContain(basic);
    expect(err.message).toContain('[redacted]');
    expect(JSON.stringify(err.details)).not.toContain(KEY_SECRET);
    expect(fake.sendAttempts).toBe(0);
  });

  it('never leaks the access token when the send endpoint echoes it', async () => {
    await fake.close();
    fake = await startFakeSinch({ keyId: KEY_ID, keySecret: KEY_SECRET, projectIds: [PROJECT], echoAuthInErrors: true });
    fake.failNextSend(1, 500);
    const err = await failure(client().sendMessage(textReply));
    expect(err.message).toContain('HTTP 500');
    expect(fake.issuedTokens).toHaveLength(1);
    expect(err.message).not.toContain(fake.issuedTokens[0]!);
    expect(err.message).not.toContain(KEY_SECRET);
  });

  it('explains a send-endpoint 404 as a region mismatch', async () => {
    const err = await failure(client({ projectId: 'other-project' }).sendMessage(textReply));
    expect(err.code).toBe('reply_failed');
    expect(err.message).toContain('404');
    expect(err.message).toContain("set rest.region ('us'|'eu'|'br')");
    expect(err.message).toContain('Project other-project not found');
  });

  it('retries once with a fresh token when the server revoked the cached one', async () => {
    const c = client();
    await c.sendMessage(textReply);
    fake.expireTokens();

    await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.sendAttempts).toBe(3);
    expect(fake.requests[1]?.token).toBe(fake.issuedTokens[1]);
  });

  it('gives up after a single retry when the fresh token is rejected too', async () => {
    const c = client();
    fake.failNextSend(2, 401);
    const err = await failure(c.sendMessage(textReply));
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain(`access key ${KEY_ID} belongs to this project`);
    expect(fake.sendAttempts).toBe(2);
    expect(fake.tokenRequests).toBe(2);
  });

  it('backs off and retries when the token endpoint answers 429', async () => {
    fake.failNextToken(2, 429);
    await client().sendMessage(textReply);
    expect(fake.tokenRequests).toBe(3);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports 429 after three token attempts', async () => {
    fake.failNextToken(5, 429);
    const err = await failure(client().sendMessage(textReply));
    expect(err.message).toContain('HTTP 429');
    expect(fake.tokenRequests).toBe(3);
  });

  it('does not cache a failed refresh', async () => {
    const c = client();
    fake.failNextToken(1, 503);
    const err = await failure(c.sendMessage(textReply));
    expect(err.message).toContain('HTTP 503');

    await c.sendMessage(textReply);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.requests).toHaveLength(1);
  });

  it('lets the caller abort an in-flight send', async () => {
    fake.setSendDelay(5000);
    const ac = new AbortController();
    const started = Date.now();
    const p = client().sendMessage(textReply, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);

    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects immediately with an already-aborted signal, without network calls', async () => {
    const reason = new Error('shutting down');
    await expect(client().sendMessage(textReply, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fake.tokenRequests).toBe(0);
  });

  it('one caller aborting does not cancel the shared refresh for the others', async () => {
    const c = client();
    const ac = new AbortController();
    const aborted = c.sendMessage(textReply, { signal: ac.signal });
    const other = c.sendMessage(textReply);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(other).resolves.toMatchObject({ message_id: expect.any(String) });
    expect(fake.tokenRequests).toBe(1);
  });

  it('times out per HTTP call with reply_failed', async () => {
    fake.setSendDelay(5000);
    const err = await failure(client({ timeoutMs: 150 }).sendMessage(textReply));
    expect(err.code).toBe('reply_failed');
    expect(err.message).toContain('Timed out after 150 ms');
    expect(err.message).toContain('rest.timeoutMs');
  });

  it('reports an unreachable endpoint without leaking credentials', async () => {
    const url = fake.url;
    await fake.close();
    const err = await failure(
      new SinchConversationClient({ projectId: PROJECT, keyId: KEY_ID, keySecret: KEY_SECRET, baseUrl: url, authUrl: `${url}/oauth2/token` }).sendMessage(textReply),
    );
    expect(err.message).toContain('Could not reach the Sinch auth endpoint');
    expect(err.message).not.toContain(KEY_SECRET);
    fake = await startFakeSinch({ keyId: KEY_ID, keySecret: KEY_SECRET, projectIds: [PROJECT] });
  });

  it('surfaces a 400 from a malformed request with the server explanation', async () => {
    const bad = { ...textReply, message: { text_message: { text: 'a' }, media_message: { url: 'u' } } } as unknown as SendMessageRequest;
    const err = await failure(client().sendMessage(bad));
    expect(err.message).toContain('HTTP 400');
    expect(err.message).toContain('exactly one message kind');
  });

  it('rejects bad configuration as misconfigured', () => {
    expect(() => new SinchConversationClient({ projectId: PROJECT, keyId: KEY_ID, keySecret: '' })).toThrow(
      expect.objectContaining({ code: 'misconfigured' }),
    );
    expect(
      () => new SinchConversationClient({ projectId: PROJECT, keyId: KEY_ID, keySecret: KEY_SECRET, region: 'ap' as unknown as 'us' }),
    ).toThrow(/rest\.region/);
    expect(() => new SinchConversationClient({ projectId: PROJECT, keyId: KEY_ID, keySecret: KEY_SECRET, baseUrl: 'not a url' })).toThrow(
      /rest\.baseUrl/,
    );
  });

  it('targets the regional host by default', async () => {
    const seen: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      const url = String(input);
      seen.push(url);
      const body = url.endsWith('/oauth2/token')
        ? { access_token: 't', expires_in: 3600, token_type: 'bearer', scope: '' }
        : { accepted_time: '2026-01-01T00:00:00Z', message_id: 'm' };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    await new SinchConversationClient({ projectId: PROJECT, keyId: KEY_ID, keySecret: KEY_SECRET, region: 'eu', fetch: fakeFetch }).sendMessage(textReply);
    expect(seen).toEqual(['https://auth.sinch.com/oauth2/token', `https://eu.conversation.api.sinch.com/v1/projects/${PROJECT}/messages:send`]);
  });
});
