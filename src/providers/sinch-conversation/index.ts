import { SwitchboardError } from '../../core/errors.js';
import { extendContext } from '../../core/context.js';
import { Hooks, hookMethods, type HookMethods } from '../../core/hooks.js';
import { SchemaValidator } from '../../core/validation.js';
import { emptyResponse, type Logger, type WebhookRequest } from '../../core/types.js';
import type { Message } from '../../model/index.js';
import { addressFor, normalizeChannel } from '../../model/normalize.js';
import { sinchConversationTriggers, type SinchConversationEventMap } from '../../../schemas/sinch-conversation/index.js';
import type { BaseHookContext, Provider, SchemaProblem } from '../provider.js';
import {
  parseSinchConversation, sinchConversationDedupeKey,
  type SinchConversationEvent, type SinchConversationTrigger,
} from './events.js';
import { PROVIDER_ID, normalizeContactMessage, recordSinchConversation } from './record.js';
import {
  SinchConversationClient,
  type AppMessage, type SendMessageRequest, type SendMessageResponse, type SinchRestOptions,
} from './reply.js';
import { verifySinchConversation } from './verify.js';

export interface SinchConversationOptions {
  /**
   * Secrets that may sign callbacks: each webhook's secret (several during a
   * rotation) and the app's `secret_for_overridden_callback_urls` if you send
   * with `callback_url`. At least one is required.
   */
  secrets: readonly string[];
  /** Allowed difference between the signed timestamp and our clock, both directions (default 300 s). */
  toleranceSec?: number;
  /** Path below the switchboard mount point (default `/sinch/conversation`). */
  path?: string;
  /** How long hooks may run before the callback is answered 503 and retried (default 10 000 ms). */
  hookTimeoutMs?: number;
  /** Project access key, for `ctx.reply()`. */
  rest?: SinchRestOptions;
}

type TriggerRow = (typeof sinchConversationTriggers)[number];

/** Extra options for `ctx.reply()`; app and recipient come from the inbound message. */
export type ReplyOptions = Omit<Partial<SendMessageRequest>, 'app_id' | 'recipient' | 'message'>;

export interface SinchConversationContext<T extends SinchConversationTrigger | 'UNKNOWN' = SinchConversationTrigger | 'UNKNOWN'> extends BaseHookContext {
  trigger: T;
  appId: string;
  projectId: string;
}

export interface SinchInboundContext extends SinchConversationContext<'MESSAGE_INBOUND'> {
  /**
   * Answers on the channel the message came in on, through the Conversation
   * API (`messages:send`), and records the outbound message. A string is sent
   * as a text message.
   */
  reply(message: AppMessage | string, opts?: ReplyOptions): Promise<SendMessageResponse>;
}

type HookResult = void | Promise<void>;

export type SinchConversationHooks = {
  [R in TriggerRow as R['hook']]: (
    event: SinchConversationEventMap[R['trigger']],
    ctx: R['trigger'] extends 'MESSAGE_INBOUND' ? SinchInboundContext : SinchConversationContext<R['trigger']>,
  ) => HookResult;
} & {
  /** A callback with a top-level key we do not know; answered 200 so Sinch does not retry it forever. */
  onUnknown: (payload: Record<string, unknown>, ctx: SinchConversationContext<'UNKNOWN'>) => HookResult;
};

export type SinchConversationRouter = Provider<SinchConversationEvent, void> &
  HookMethods<SinchConversationHooks> & {
    /** The REST client behind `ctx.reply()`, when `rest` is configured. */
    readonly client: SinchConversationClient | undefined;
  };

const APP_SCOPED = new Set(['MESSENGER', 'INSTAGRAM', 'LINE', 'WECHAT']);

export function sinchConversation(options: SinchConversationOptions, deps: { clock?: () => number; logger?: Logger } = {}): SinchConversationRouter {
  const secrets = (options?.secrets ?? []).filter((s) => typeof s === 'string' && s.length > 0);
  if (secrets.length === 0) {
    throw new SwitchboardError(
      'misconfigured',
      'sinchConversation.secrets is empty: without a secret no callback can be verified. Copy the webhook secret from the Sinch dashboard (Conversation API → app → webhooks).',
    );
  }
  const toleranceSec = options.toleranceSec ?? 300;
  if (typeof toleranceSec !== 'number' || Number.isNaN(toleranceSec) || toleranceSec < 0) {
    throw new SwitchboardError('misconfigured', `sinchConversation.toleranceSec must be a number of seconds ≥ 0, got ${String(toleranceSec)}.`);
  }
  const client = options.rest
    ? new SinchConversationClient(options.rest, { ...(deps.clock ? { now: deps.clock } : {}), ...(deps.logger ? { logger: deps.logger } : {}) })
    : undefined;

  // Compiled once here, never per request.
  const schemas = SchemaValidator.for(sinchConversationTriggers, (row) => row.trigger);
  const hookOf = new Map<string, keyof SinchConversationHooks>(sinchConversationTriggers.map((row) => [row.trigger, row.hook]));
  const hooks = new Hooks<SinchConversationHooks>();

  const provider: Provider<SinchConversationEvent, void> = {
    id: PROVIDER_ID,
    path: options.path ?? '/sinch/conversation',
    methods: ['POST'],
    contentTypes: ['application/json'],
    hookTimeoutMs: options.hookTimeoutMs ?? 10_000,

    verify(req, env) {
      verifySinchConversation({ rawBody: req.rawBody, headers: req.headers, secrets, toleranceSec, now: env.clock() });
    },
    parse: parseSinchConversation,
    validate(event): SchemaProblem | undefined {
      if (event.keys.length > 1) {
        return { path: '/', message: `a callback carries exactly one trigger key, this one has ${event.keys.join(', ')}` };
      }
      return schemas.check(event.type, event.payload);
    },
    dedupeKey: sinchConversationDedupeKey,
    record: recordSinchConversation,
    async dispatch(event, base) {
      const p = event.payload as Record<string, unknown>;
      const ctx = extendContext(base, {
        trigger: event.unknown ? 'UNKNOWN' : event.type,
        appId: typeof p['app_id'] === 'string' ? p['app_id'] : '',
        projectId: typeof p['project_id'] === 'string' ? p['project_id'] : '',
      });
      if (event.unknown) {
        await hooks.run('onUnknown', event.payload, ctx as SinchConversationContext<'UNKNOWN'>);
        return;
      }
      const name = hookOf.get(event.type)!;
      if (event.type === 'MESSAGE_INBOUND') {
        const inbound: SinchInboundContext = extendContext(ctx as SinchConversationContext<'MESSAGE_INBOUND'>, { reply: makeReply(event.payload, base, client) });
        await hooks.run('onMessageInbound', event.payload, inbound);
        return;
      }
      // The hook's parameter types follow from the trigger, which the table ties to `name`.
      await (hooks.run as (n: string, e: unknown, c: unknown) => Promise<unknown>)(name, event.payload, ctx);
    },
    respond: () => emptyResponse(200),
  };

  return Object.assign(provider, hookMethods(hooks, [...sinchConversationTriggers.map((r) => r.hook), 'onUnknown']), { client });
}

function makeReply(
  payload: SinchConversationEventMap['MESSAGE_INBOUND'],
  base: BaseHookContext,
  client: SinchConversationClient | undefined,
): SinchInboundContext['reply'] {
  return async (content, opts = {}) => {
    if (!client) {
      throw new SwitchboardError(
        'misconfigured',
        'ctx.reply() needs sinchConversation.rest = { projectId, keyId, keySecret, region } (the project access key from the Sinch dashboard).',
      );
    }
    const inbound = payload.message;
    const ci = inbound.channel_identity;
    const message = (typeof content === 'string' ? { text_message: { text: content } } : content) as AppMessage;
    const request: SendMessageRequest = {
      ...opts,
      app_id: payload.app_id,
      recipient: {
        identified_by: {
          channel_identities: [
            { channel: ci.channel, identity: ci.identity, ...(APP_SCOPED.has(ci.channel) && ci.app_id ? { app_id: ci.app_id } : {}) },
          ],
        },
      },
      message,
    };
    const sent = await client.sendMessage(request, { signal: base.signal });
    const channel = normalizeChannel(ci.channel);
    const now = new Date().toISOString();
    const outbound: Message = {
      id: `${PROVIDER_ID}:${sent.message_id}`,
      provider: PROVIDER_ID,
      providerId: sent.message_id,
      ...(inbound.conversation_id ? { conversationId: `${PROVIDER_ID}:${inbound.conversation_id}` } : {}),
      direction: 'outbound',
      channel,
      rawChannel: ci.channel,
      to: addressFor(channel, ci.identity),
      ...normalizeContactMessage(message as Parameters<typeof normalizeContactMessage>[0]),
      metadata: opts.message_metadata ? { message_metadata: opts.message_metadata } : {},
      status: 'queued',
      statusHistory: [],
      createdAt: sent.accepted_time && !Number.isNaN(Date.parse(sent.accepted_time)) ? new Date(sent.accepted_time).toISOString() : now,
      updatedAt: now,
    };
    try {
      await base.store.appendMessage(outbound);
    } catch (err) {
      // The message went out; failing the hook now would make Sinch retry and send it twice.
      base.logger.error({ messageId: sent.message_id, err: (err as Error).message }, 'switchboard: reply sent but not recorded');
    }
    return sent;
  };
}

export type { SinchConversationEvent, SinchConversationTrigger } from './events.js';
export { signSinchConversation } from './testing.js';
export { verifySinchConversation, sinchConversationSignature } from './verify.js';
export { SinchConversationClient } from './reply.js';
export type { AppMessage, SendMessageRequest, SendMessageResponse, SinchRestOptions } from './reply.js';
