import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../src/index.js';
import { twilioConversations, type TwilioConversationsOptions } from '../../src/providers/twilio-conversations/index.js';
import { ADAPTERS, serve, type Running } from '../helpers/servers.js';
import { encodeForm, sdkSignedForm, sendRaw, sid } from '../helpers/fake-twilio.js';

const TOKEN = 'proxy-test-token-0123456789abcdef';
const TARGET = '/webhooks/twilio/conversations/post?tenant=acme';

let server: Running | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(adapter: (typeof ADAPTERS)[number], options: Partial<TwilioConversationsOptions>) {
  const twilio = twilioConversations({ authTokens: [TOKEN], ...options });
  let runs = 0;
  twilio.onMessageAdded(() => {
    runs += 1;
  });
  server = await serve(adapter, createSwitchboard({ providers: [twilio] }));
  return { runs: () => runs };
}

const body = (): string => encodeForm({ AccountSid: 'AC1', EventType: 'onMessageAdded', ConversationSid: sid('CH'), MessageSid: sid('IM'), Body: 'hi' });

/** Twilio signs `signedUrl`; the request reaches the app at its own address with `extra` headers. */
async function deliver(signedUrl: string, extra: Record<string, string> = {}, target = TARGET) {
  const b = body();
  return sendRaw(server!.url, 'POST', target, { ...sdkSignedForm(signedUrl, b, TOKEN), ...extra }, b);
}

describe.each(ADAPTERS)('behind a proxy: the URL Twilio signed is not the one the app sees (%s)', (adapter) => {
  it('app sees http://127.0.0.1:port, Twilio signed https://hooks.example.com → accepted with publicUrl', async () => {
    const hook = await start(adapter, { publicUrl: 'https://hooks.example.com' });
    const res = await deliver(`https://hooks.example.com${TARGET}`);
    expect(res.status, res.text).toBe(200);
    expect(hook.runs()).toBe(1);
  });

  it('… and rejected without publicUrl (401 invalid_signature naming publicUrl)', async () => {
    const hook = await start(adapter, {});
    const res = await deliver(`https://hooks.example.com${TARGET}`);
    expect(res.status).toBe(401);
    expect(res.json().error.code).toBe('invalid_signature');
    expect(res.json().error.message).toContain('publicUrl');
    expect(res.json().error.message).not.toContain(TOKEN);
    expect(hook.runs()).toBe(0);
  });

  it('without publicUrl a direct request is checked against its Host header', async () => {
    await start(adapter, {});
    const res = await deliver(`${server!.url}${TARGET}`);
    expect(res.status, res.text).toBe(200);
  });

  it('trustProxy: X-Forwarded-Proto/Host name the public URL; without trustProxy they are ignored', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' };
    await start(adapter, { trustProxy: true });
    expect((await deliver(`https://hooks.example.com${TARGET}`, forwarded)).status).toBe(200);
    await server!.close();
    await start(adapter, {});
    expect((await deliver(`https://hooks.example.com${TARGET}`, forwarded)).status).toBe(401);
  });

  it('publicUrl wins over X-Forwarded-* even with trustProxy', async () => {
    await start(adapter, { publicUrl: 'https://hooks.example.com', trustProxy: true });
    const res = await deliver(`https://attacker.example${TARGET}`, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'attacker.example' });
    expect(res.status).toBe(401);
  });

  it('a path in publicUrl is a prefix the proxy stripped', async () => {
    await start(adapter, { publicUrl: 'https://example.com/edge/' });
    expect((await deliver(`https://example.com/edge${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://example.com${TARGET}`)).status).toBe(401);
  });
});

describe('publicUrl variants', () => {
  it('the default port may be signed or not; a custom port may be dropped (Voice over HTTPS style)', async () => {
    await start('express5', { publicUrl: 'https://hooks.example.com' });
    expect((await deliver(`https://hooks.example.com:443${TARGET}`)).status).toBe(200);
    await server!.close();
    await start('express5', { publicUrl: 'https://hooks.example.com:8443' });
    expect((await deliver(`https://hooks.example.com:8443${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://hooks.example.com${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://hooks.example.com:9443${TARGET}`)).status).toBe(401);
  });

  it('mixed-case host policy: publicUrl is tried as written and lower-cased', async () => {
    await start('koa', { publicUrl: 'https://Hooks.Example.com' });
    expect((await deliver(`https://Hooks.Example.com${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://hooks.example.com${TARGET}`)).status).toBe(200);
    // The case Twilio used cannot be guessed back from a lower-case publicUrl: write it as in the console.
    await server!.close();
    await start('koa', { publicUrl: 'https://hooks.example.com' });
    expect((await deliver(`https://Hooks.Example.com${TARGET}`)).status).toBe(401);
  });

  it('several public names: each is tried', async () => {
    await start('node', { publicUrl: ['https://hooks.example.com', 'https://hooks.example.org'] });
    expect((await deliver(`https://hooks.example.org${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://hooks.example.com${TARGET}`)).status).toBe(200);
  });

  it('credentials in publicUrl: Twilio leaves them out of the signed URL; both forms are accepted', async () => {
    await start('node', { publicUrl: 'https://user:secret@hooks.example.com' });
    expect((await deliver(`https://hooks.example.com${TARGET}`)).status).toBe(200);
    expect((await deliver(`https://user:secret@hooks.example.com${TARGET}`)).status).toBe(200);
  });

  it('credentials in publicUrl never reach logs or error details', async () => {
    const logged: string[] = [];
    const log = (...args: unknown[]): void => {
      logged.push(JSON.stringify(args));
    };
    const twilio = twilioConversations({ authTokens: [TOKEN], publicUrl: 'https://user:s3cret-pass@hooks.example.com' });
    const sb = createSwitchboard({ providers: [twilio], logger: { debug: log, info: log, warn: log, error: log } });
    const details: unknown[] = [];
    sb.onError((e) => {
      details.push(e.details, e.message);
    });
    server = await serve('node', sb);
    const res = await deliver(`https://elsewhere.example${TARGET}`);
    expect(res.status).toBe(401);
    expect(logged.join(' ')).toContain('hooks.example.com');
    expect(JSON.stringify(details)).toContain('hooks.example.com');
    expect(`${logged.join(' ')} ${JSON.stringify(details)} ${res.text}`).not.toContain('s3cret-pass');
  });

  it('the query is used exactly as received: re-encoding it breaks the signature', async () => {
    await start('express4', { publicUrl: 'https://hooks.example.com' });
    const target = "/webhooks/twilio/conversations/post?name=O'Brien&city=S%C3%A3o+Paulo&x=a%20b";
    expect((await deliver(`https://hooks.example.com${target}`, {}, target)).status).toBe(200);
    const reencoded = '/webhooks/twilio/conversations/post?name=O%27Brien&city=S%C3%A3o%20Paulo&x=a+b';
    expect((await deliver(`https://hooks.example.com${target}`, {}, reencoded)).status).toBe(401);
  });
});
