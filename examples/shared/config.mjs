// Shared by the Express and Koa examples: configuration from the environment,
// the hooks, and the read-only JSON API over the store.
import { createSwitchboard } from 'switchboard';
import { registerIvr } from './voice-ivr.mjs';

const DEMO = {
  SINCH_CONVERSATION_SECRET: 'demo-sinch-conversation-secret',
  VOIPBIN_WEBHOOK_SECRET: 'demo-voipbin-webhook-secret',
  SINCH_VOICE_APP_KEY: 'demo-sinch-voice-app-key',
  // Sinch Voice secrets are base64; this one decodes to "demo-sinch-voice-secret".
  SINCH_VOICE_APP_SECRET: 'ZGVtby1zaW5jaC12b2ljZS1zZWNyZXQ=',
  TWILIO_AUTH_TOKEN: 'demo-twilio-auth-token',
};

/** A pino-shaped logger writing one JSON line per entry, so the example needs no logging dependency. */
export function consoleLogger() {
  const write = (level) => (objOrMsg, msg) => {
    const entry = typeof objOrMsg === 'string' ? { msg: objOrMsg } : { ...objOrMsg, msg };
    console.log(JSON.stringify({ level, time: new Date().toISOString(), ...entry }));
  };
  return { debug: () => {}, info: write('info'), warn: write('warn'), error: write('error') };
}

function env(name) {
  const value = process.env[name];
  if (value) return value;
  if (DEMO[name]) {
    console.log(`[switchboard example] ${name} is not set: using the DEMO value ${JSON.stringify(DEMO[name])}. Never use it in production.`);
    return DEMO[name];
  }
  return undefined;
}

export function sinchRestFromEnv() {
  const { SINCH_PROJECT_ID: projectId, SINCH_KEY_ID: keyId, SINCH_KEY_SECRET: keySecret } = process.env;
  if (!projectId || !keyId || !keySecret) return undefined;
  return {
    projectId,
    keyId,
    keySecret,
    region: process.env.SINCH_REGION ?? 'us',
    ...(process.env.SINCH_BASE_URL ? { baseUrl: process.env.SINCH_BASE_URL } : {}),
    ...(process.env.SINCH_AUTH_URL ? { authUrl: process.env.SINCH_AUTH_URL } : {}),
  };
}

export async function buildSwitchboard() {
  const logger = consoleLogger();
  let store;
  if (process.env.REDIS_URL) {
    const { redisStore } = await import('switchboard/redis');
    // Say why webhooks get 503s while Redis is away (the URL and password are never logged).
    store = redisStore({ url: process.env.REDIS_URL, onConnectionError: (e) => logger.warn({ code: 'redis_connection' }, e.message) });
  }
  const rest = sinchRestFromEnv();
  const voipbinRest = process.env.VOIPBIN_TOKEN
    ? { token: process.env.VOIPBIN_TOKEN, ...(process.env.VOIPBIN_BASE_URL ? { baseUrl: process.env.VOIPBIN_BASE_URL } : {}) }
    : undefined;
  const twilioRest = process.env.TWILIO_ACCOUNT_SID && process.env.TWILIO_AUTH_TOKEN
    ? { accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN, ...(process.env.TWILIO_BASE_URL ? { baseUrl: process.env.TWILIO_BASE_URL } : {}) }
    : undefined;
  const sb = createSwitchboard({
    logger,
    ...(store ? { store } : {}),
    sinchConversation: { secrets: env('SINCH_CONVERSATION_SECRET').split(','), ...(rest ? { rest } : {}) },
    sinchVoice: { applications: [{ key: env('SINCH_VOICE_APP_KEY'), secret: env('SINCH_VOICE_APP_SECRET') }] },
    voipbin: { secrets: env('VOIPBIN_WEBHOOK_SECRET').split(','), ...(voipbinRest ? { rest: voipbinRest } : {}) },
    twilio: {
      authTokens: env('TWILIO_AUTH_TOKEN').split(','),
      // Twilio signs the URL it called; behind a proxy or tunnel, say what that URL's origin is.
      ...(process.env.TWILIO_PUBLIC_URL ? { publicUrl: process.env.TWILIO_PUBLIC_URL } : {}),
      ...(twilioRest ? { rest: twilioRest } : {}),
    },
  });

  registerIvr(sb.sinchVoice, {
    salesNumber: process.env.IVR_SALES_NUMBER ?? '+15551000003',
    supportNumber: process.env.IVR_SUPPORT_NUMBER ?? '+15551000004',
  });

  sb.twilio.onMessageAdded(async (event, ctx) => {
    if (ctx.authoredByBot) return;
    if (twilioRest) await ctx.reply(`Thanks, we got: "${event.Body ?? ''}"`);
  });
  sb.onCall((call, ctx) => {
    ctx.logger.info({ call: call.id, state: call.state, from: call.from?.value }, 'call');
  });

  // One handler for every provider: the normalized message.
  sb.onMessage((message, ctx) => {
    ctx.logger.info({ provider: message.provider, channel: message.channel, from: message.from?.value, text: message.text }, 'message received');
  });
  sb.onConversationEnd((conversation, ctx) => {
    ctx.logger.info({ conversation: conversation.id }, 'conversation ended');
  });

  sb.voipbin.onConversationMessageCreated(async (event, ctx) => {
    if (event.data.direction !== 'incoming') return; // our own replies come back as outgoing: never answer them
    if (voipbinRest) await ctx.reply(`Thanks, we got: "${event.data.text ?? ''}"`);
  });

  sb.sinchConversation.onMessageInbound(async (event, ctx) => {
    const cm = event.message.contact_message;
    const text = cm && 'text_message' in cm ? cm.text_message?.text : undefined;
    if (rest) {
      await ctx.reply(text ? `Thanks, we got: "${text}"` : 'Thanks, we got your message');
    } else {
      ctx.logger.info({ conversation: event.message.conversation_id, text }, 'inbound message (set SINCH_PROJECT_ID/SINCH_KEY_ID/SINCH_KEY_SECRET to reply)');
    }
  });
  sb.sinchConversation.onMessageDelivery((event, ctx) => {
    const r = event.message_delivery_report;
    ctx.logger.info({ message: r.message_id, status: r.status }, 'delivery report');
  });
  sb.onError((error, info) => {
    logger.warn({ code: error.code, provider: info.provider }, error.message);
  });
  return sb;
}

/**
 * The read-only API, framework-neutral: returns { status, body } for a GET path,
 * or undefined when the path is not part of the API.
 */
export async function api(store, path, query) {
  const page = { limit: query.get('limit') ? Number(query.get('limit')) : undefined, cursor: query.get('cursor') ?? undefined };
  const routes = [
    [/^\/api\/conversations$/, () => store.listConversations(page)],
    [/^\/api\/conversations\/([^/]+)$/, (id) => store.getConversation(id)],
    [/^\/api\/conversations\/([^/]+)\/messages$/, (id) => store.listMessages(id, page)],
    [/^\/api\/calls$/, () => store.listCalls(page)],
    [/^\/api\/calls\/([^/]+)$/, (id) => store.getCall(id)],
    [/^\/api\/contacts\/([^/]+)\/timeline$/, (address) => store.timeline(address, page)],
    [/^\/api\/dead-letters$/, () => store.listDeadLetters(page)],
  ];
  for (const [pattern, handler] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    const result = await handler(...match.slice(1).map(decodeURIComponent));
    return result === undefined ? { status: 404, body: { error: { code: 'not_found', message: `Nothing at ${path}` } } } : { status: 200, body: result };
  }
  return undefined;
}

export function listenAddress() {
  return { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) };
}
