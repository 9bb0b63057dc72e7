import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { twilioConversations, type TwilioConversationsRouter } from '../../src/providers/twilio-conversations/index.js';
import { twilioConversationsEvents } from '../../schemas/twilio-conversations/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import {
  PUBLIC_ORIGIN, VECTOR_TOKEN, encodeForm, sdkSignedForm, sdkSignedGet, sendRaw, twilioVectors,
} from '../helpers/fake-twilio.js';
// switchboard/testing will re-export it (shared-file change requested); until then, from its module.
import { signTwilio } from '../../src/providers/twilio-conversations/testing.js';

const { captured, reconstructed, syntheticGetVariant, syntheticGroupMmsRepeatedKey } = twilioVectors().conversations;

interface Seen {
  hook: string;
  event: Record<string, unknown>;
  ctx: { eventType: string; kind: string; accountSid: string; conversationSid?: string; retryCount: number; idempotencyToken?: string; reply?: unknown; reject?: unknown };
}

/** Registers a hook for every event type (and onUnknown) that records what it was given. */
function recordHooks(router: TwilioConversationsRouter): Seen[] {
  const seen: Seen[] = [];
  const on = router as unknown as Record<string, (h: (e: unknown, c: unknown) => void) => void>;
  for (const hook of [...twilioConversationsEvents.map((r) => r.type), 'onUnknown']) {
    on[hook]!((event, ctx) => {
      seen.push({ hook, event: event as Record<string, unknown>, ctx: ctx as Seen['ctx'] });
    });
  }
  return seen;
}

describe.each(ADAPTERS)('the vectors\' own signed Conversations requests reach their typed hooks (%s)', (adapter) => {
  const twilio = twilioConversations({ authTokens: ['another-account-token', VECTOR_TOKEN], publicUrl: PUBLIC_ORIGIN });
  const seen = recordHooks(twilio);
  const sb = createSwitchboard({ providers: [twilio] });
  let server: Running;
  beforeAll(async () => {
    // Mounted at the root so the path is the one the vectors signed.
    server = await serve(adapter, sb, { mount: '' });
  });
  afterAll(async () => {
    await server.close();
  });

  for (const r of reconstructed) {
    it(`${r.event}${r.variant ? ' (media)' : ''}: 200, hook ${r.event} with every parameter; the wrong-URL signature is refused`, async () => {
      const s = r.syntheticSignedRequest;
      const target = s.url.slice(PUBLIC_ORIGIN.length);
      const bad = await post(`${server.url}${target}`, r.rawBody, { 'content-type': s.contentType, 'x-twilio-signature': s.negative.signatureForWrongUrl });
      expect(bad.status).toBe(401);
      expect(bad.json().error.code).toBe('invalid_signature');

      const before = seen.length;
      const res = await post(`${server.url}${target}`, r.rawBody, { 'content-type': s.contentType, 'x-twilio-signature': s.signature });
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual({});
      expect(seen.slice(before).map((x) => x.hook)).toEqual([r.event]);
      const got = seen[seen.length - 1]!;
      expect(got.event).toMatchObject(r.params);
      expect(got.ctx).toMatchObject({ eventType: r.event, kind: r.kind, accountSid: r.params['AccountSid'], retryCount: 0 });
      expect(typeof got.ctx.reply === 'function').toBe('ConversationSid' in r.params);
      expect(typeof got.ctx.reject === 'function').toBe(r.kind === 'pre-action');
    });
  }

  it('the GET variant (URL-only signature) reaches onMessageAdd with its query parameters', async () => {
    const before = seen.length;
    const res = await post(`${server.url}${syntheticGetVariant.url.slice(PUBLIC_ORIGIN.length)}`, '', { 'x-twilio-signature': syntheticGetVariant.signature }, 'GET');
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({});
    expect(seen.slice(before).map((x) => x.hook)).toEqual(['onMessageAdd']);
    expect(seen[seen.length - 1]!.event).toMatchObject({ tenant: 'acme', Body: 'Yes! It ships today.', attributes: { priority: 'high' } });
  });

  it('the group-MMS request with a repeated key is accepted and the hook sees every address', async () => {
    const g = syntheticGroupMmsRepeatedKey;
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': g.signature, 'i-twilio-idempotency-token': 'group-mms-delivery' };
    // Its ConversationSid is the reconstructed onConversationAdded's: by that signed identity it is the
    // same event, so here it is answered from the store whatever the (unsigned) idempotency token says...
    const before = seen.length;
    const dup = await post(`${server.url}${g.url.slice(PUBLIC_ORIGIN.length)}`, g.rawBody, headers);
    expect(dup.status, dup.text).toBe(200);
    expect(seen.length).toBe(before);
    // ...and on a switchboard that has not seen that conversation it runs its hook.
    const own = twilioConversations({ authTokens: [VECTOR_TOKEN], publicUrl: PUBLIC_ORIGIN });
    const ownSeen = recordHooks(own);
    const ownServer = await serve(adapter, createSwitchboard({ providers: [own] }), { mount: '' });
    try {
      const res = await post(`${ownServer.url}${g.url.slice(PUBLIC_ORIGIN.length)}`, g.rawBody, headers);
      expect(res.status, res.text).toBe(200);
      expect(ownSeen.map((x) => x.hook)).toEqual(['onConversationAdded']);
      expect(ownSeen[0]!.event['MessagingBinding.Address']).toEqual(['+15558675310', '+15558675311']);
    } finally {
      await ownServer.close();
    }
  });
});

describe.each(['express5', 'express4', 'koa', 'node'] as const)('the official SDK signs each captured and reconstructed request for a sub-path behind publicUrl (%s)', (adapter) => {
  const token = 'sdk-signed-token-0123456789abcdef';
  const twilio = twilioConversations({ authTokens: [token], publicUrl: PUBLIC_ORIGIN });
  const seen = recordHooks(twilio);
  const sb = createSwitchboard({ providers: [twilio] });
  let server: Running;
  beforeAll(async () => {
    server = await serve(adapter, sb, { mount: '/webhooks' });
  });
  afterAll(async () => {
    await server.close();
  });

  // Twilio appends its own GET parameters after ours; a raw apostrophe must survive untouched.
  const query = "?tenant=acme&note=It's+fine&empty=";
  const posts = [
    ...captured.filter((c) => c.rawBody).map((c) => ({ name: `captured ${c.event} (POST)`, event: c.event, body: c.rawBody!, token: c.headersCaptured?.['i-twilio-idempotency-token'] })),
    ...reconstructed.map((r) => ({ name: `reconstructed ${r.event}${r.variant ? ' (media)' : ''}`, event: r.event, body: r.rawBody, token: undefined })),
  ];

  for (const p of posts) {
    it(`${p.name} → 200 and ${p.event}`, async () => {
      const target = `/webhooks/twilio/conversations/post${query}`;
      const headers = sdkSignedForm(`${PUBLIC_ORIGIN}${target}`, p.body, token, p.token ? { 'i-twilio-idempotency-token': p.token } : {});
      const before = seen.length;
      const res = await sendRaw(server.url, 'POST', target, headers, p.body);
      expect(res.status, res.text).toBe(200);
      expect(seen.slice(before).map((x) => x.hook)).toEqual([p.event]);
      if (p.token) expect(seen[seen.length - 1]!.ctx.idempotencyToken).toBe(p.token);
    });
  }

  for (const c of captured.filter((x) => !x.rawBody)) {
    it(`captured ${c.event} (GET, ${c.decoded['Source']}) → 200 and ${c.event}`, async () => {
      const q = c.queryString ?? c.url!.split('?')[1]!;
      const target = `/webhooks/twilio/conversations/pre?${q}`;
      const before = seen.length;
      const res = await sendRaw(server.url, 'GET', target, sdkSignedGet(`${PUBLIC_ORIGIN}${target}`, token));
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual({});
      expect(seen.slice(before).map((x) => x.hook)).toEqual([c.event]);
      expect(seen[seen.length - 1]!.event).toMatchObject(c.decoded);
    });
  }

  it('an event type we do not know (a legacy Chat name) → 200 {} and onUnknown', async () => {
    const body = encodeForm({ EventType: 'onMessageSent', AccountSid: 'AC1', ConversationSid: 'CH1' });
    const target = '/webhooks/twilio/conversations/post';
    const before = seen.length;
    const res = await post(`${server.url}${target}`, body, sdkSignedForm(`${PUBLIC_ORIGIN}${target}`, body, token));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});
    expect(seen.slice(before).map((x) => [x.hook, x.ctx.eventType])).toEqual([['onUnknown', 'UNKNOWN']]);
    expect(seen[seen.length - 1]!.event).toMatchObject({ EventType: 'onMessageSent' });
  });
});

describe('signTwilio requests are accepted by the router (form, GET and JSON)', () => {
  const token = 'testing-helper-token';
  const twilio = twilioConversations({ authTokens: [token], publicUrl: PUBLIC_ORIGIN });
  const seen = recordHooks(twilio);
  const sb = createSwitchboard({ providers: [twilio] });
  let server: Running;
  beforeAll(async () => {
    server = await serve('express5', sb);
  });
  afterAll(async () => {
    await server.close();
  });
  const at = (url: string): string => `${server.url}${url.slice(PUBLIC_ORIGIN.length)}`;

  it('a form POST with repeated keys', async () => {
    const signed = signTwilio({
      url: `${PUBLIC_ORIGIN}/webhooks/twilio/conversations/post`,
      params: { EventType: 'onConversationAdded', AccountSid: 'AC1', ConversationSid: 'CHsign1', 'MessagingBinding.Address': ['+15558675310', '+15558675311'] },
      authToken: token,
    });
    const res = await post(at(signed.url), signed.body, signed.headers);
    expect(res.status, res.text).toBe(200);
    expect(seen[seen.length - 1]!.event['MessagingBinding.Address']).toEqual(['+15558675310', '+15558675311']);
  });

  it('a GET', async () => {
    const signed = signTwilio({ url: `${PUBLIC_ORIGIN}/webhooks/twilio/conversations/pre?EventType=onMessageAdd&AccountSid=AC1&ConversationSid=CHsign2&Body=hi%21`, authToken: token });
    const res = await post(at(signed.url), '', signed.headers, 'GET');
    expect([res.status, res.json()]).toEqual([200, {}]);
    expect(seen[seen.length - 1]!.event).toMatchObject({ EventType: 'onMessageAdd', Body: 'hi!' });
  });

  it('a JSON body, sent to the URL with bodySHA256', async () => {
    const signed = signTwilio({ url: `${PUBLIC_ORIGIN}/webhooks/twilio/conversations/post?tenant=acme`, body: '{"EventType":"onUserAdded","AccountSid":"AC1","UserSid":"USsign3"}', authToken: token });
    const res = await post(at(signed.url), signed.body, signed.headers);
    expect(res.status, res.text).toBe(200);
    expect(seen[seen.length - 1]!.hook).toBe('onUserAdded');
  });
});
