import { SwitchboardError } from '../../core/errors.js';
import { extendContext } from '../../core/context.js';
import { Hooks, hookMethods, type HookMethods } from '../../core/hooks.js';
import { SchemaValidator } from '../../core/validation.js';
import { emptyResponse, silentLogger, type Logger } from '../../core/types.js';
import { voipbinEvents, type VoipbinEventMap, type VoipbinEventType, type VoipbinMessage } from '../../../schemas/voipbin/index.js';
import type { BaseHookContext, Provider, SchemaProblem } from '../provider.js';
import { parseVoipbin, voipbinDedupeKey, type VoipbinEvent } from './events.js';
import { PROVIDER_ID, recordVoipbin } from './record.js';
import { VoipbinClient, type VoipbinOutgoingMedia, type VoipbinRestOptions } from './reply.js';
import { verifyVoipbin } from './verify.js';

export interface VoipbinOptions {
  /** The customer's `webhook_secret` (several during a rotation). Required unless `allowUnsigned`. */
  secrets?: readonly string[];
  /**
   * Accept requests without X-VoIPBIN-Signature: only for self-hosted VoIPBIN
   * from before 2026-08, which did not sign. Logged as a warning at start-up.
   */
  allowUnsigned?: boolean;
  /** Path below the switchboard mount point (default `/voipbin`). */
  path?: string;
  /** Hooks' deadline; VoIPBIN gives up after 15 s to first byte (default 10 000 ms). */
  hookTimeoutMs?: number;
  /** For `ctx.reply()`. */
  rest?: VoipbinRestOptions;
}

export interface VoipbinContext<T extends VoipbinEventType | 'UNKNOWN' = VoipbinEventType | 'UNKNOWN'> extends BaseHookContext {
  type: T;
}

export interface VoipbinConversationContext<T extends VoipbinEventType> extends VoipbinContext<T> {
  /** Sends a message into this event's conversation (`POST /v1.0/conversations/{id}/messages`) and records it. */
  reply(text: string, medias?: VoipbinOutgoingMedia[]): Promise<VoipbinMessage>;
}

type Result = void | Promise<void>;
type Row = (typeof voipbinEvents)[number];

export type VoipbinHooks = {
  [R in Row as R['hook']]: (event: VoipbinEventMap[R['type']], ctx: VoipbinConversationContext<R['type']>) => Result;
} & {
  /** Every other VoIPBIN event (calls, SMS, accounts…): answered 200. */
  onUnknown: (event: { type: string; data: unknown }, ctx: VoipbinContext<'UNKNOWN'>) => Result;
};

export type VoipbinRouter = Provider<VoipbinEvent, void> & HookMethods<VoipbinHooks> & { readonly client: VoipbinClient | undefined };

export function voipbin(options: VoipbinOptions, deps: { clock?: () => number; logger?: Logger } = {}): VoipbinRouter {
  const logger = deps.logger ?? silentLogger;
  const secrets = (options?.secrets ?? []).filter((s) => typeof s === 'string' && s.length > 0);
  const allowUnsigned = options?.allowUnsigned === true;
  if (secrets.length === 0 && !allowUnsigned) {
    throw new SwitchboardError(
      'misconfigured',
      'voipbin.secrets is empty: copy webhook_secret from GET /v1.0/customer. Only for a VoIPBIN that does not sign, set voipbin.allowUnsigned: true.',
    );
  }
  if (allowUnsigned) {
    logger.warn(
      { provider: PROVIDER_ID },
      'switchboard: voipbin.allowUnsigned is on: requests without X-VoIPBIN-Signature are accepted, so anyone who knows the URL can forge VoIPBIN events. Turn it off once your VoIPBIN signs webhooks.',
    );
  }
  const client = options.rest ? new VoipbinClient(options.rest) : undefined;

  const schemas = SchemaValidator.for(voipbinEvents, (e) => e.type);
  const hookOf = new Map<string, keyof VoipbinHooks>(voipbinEvents.map((e) => [e.type, e.hook]));
  const hooks = new Hooks<VoipbinHooks>();

  const provider: Provider<VoipbinEvent, void> = {
    id: PROVIDER_ID,
    path: options.path ?? '/voipbin',
    // VoIPBIN lets a customer pick the method; POST is the default, PUT is common.
    methods: ['POST', 'PUT'],
    contentTypes: ['application/json'],
    hookTimeoutMs: options.hookTimeoutMs ?? 10_000,
    verify(req) {
      verifyVoipbin({ rawBody: req.rawBody, headers: req.headers, secrets, allowUnsigned });
    },
    parse: parseVoipbin,
    validate: (event): SchemaProblem | undefined => schemas.check(event.type, event.payload),
    dedupeKey: voipbinDedupeKey,
    record: recordVoipbin,
    async dispatch(event, base) {
      if (event.unknown) {
        await hooks.run('onUnknown', event.payload, extendContext(base, { type: 'UNKNOWN' as const }));
        return;
      }
      const data = event.payload.data as { id: string; conversation_id?: string };
      const conversationId = event.type.startsWith('conversation_message_') ? data.conversation_id! : data.id;
      const ctx = extendContext(base, { type: event.type, reply: makeReply(conversationId, base, client) });
      await (hooks.run as (n: string, e: unknown, c: unknown) => Promise<unknown>)(hookOf.get(event.type)!, event.payload, ctx);
    },
    respond: () => emptyResponse(200),
  };
  return Object.assign(provider, hookMethods(hooks, [...voipbinEvents.map((e) => e.hook), 'onUnknown']), { client });
}

function makeReply(conversationId: string, base: BaseHookContext, client: VoipbinClient | undefined) {
  return async (text: string, medias?: VoipbinOutgoingMedia[]): Promise<VoipbinMessage> => {
    if (!client) {
      throw new SwitchboardError('misconfigured', 'ctx.reply() needs voipbin.rest = { token } (a VoIPBIN access key).');
    }
    const sent = await client.sendMessage(conversationId, { text, ...(medias ? { medias } : {}) }, { signal: base.signal });
    try {
      if (sent?.id) {
        await recordVoipbin(
          { type: 'conversation_message_created', payload: { type: 'conversation_message_created', data: { ...sent, conversation_id: sent.conversation_id || conversationId } } },
          { store: base.store, receivedAt: Date.now(), logger: base.logger },
        );
      }
    } catch (err) {
      // Sent already: failing the hook now would make VoIPBIN retry and send it twice.
      base.logger.error({ err: (err as Error).message }, 'switchboard: VoIPBIN reply sent but not recorded');
    }
    return sent;
  };
}

export type { VoipbinEvent } from './events.js';
export { signVoipbin } from './testing.js';
export { verifyVoipbin, voipbinSignature } from './verify.js';
export { VoipbinClient } from './reply.js';
export type { VoipbinRestOptions, VoipbinOutgoingMedia } from './reply.js';
export { voipbinTime } from './record.js';
