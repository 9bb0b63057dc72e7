import type { Call, Conversation, Message } from '../model/index.js';
import type { BaseHookContext, ProviderEvent, Recorded } from '../providers/provider.js';
import { Hooks, hookMethods, type HookMethods } from './hooks.js';

/** What every provider-neutral hook gets besides the record: the provider's own event. */
export interface NeutralContext extends BaseHookContext {
  /** The provider's event as parsed (`type` and the raw `payload`). */
  event: ProviderEvent;
}

type Result = void | Promise<void>;

export type NeutralHooks = {
  /** Any inbound message from any provider, once per message. */
  onMessage: (message: Message, ctx: NeutralContext) => Result;
  /** A delivery or read report that moved a message's status. */
  onDeliveryStatus: (message: Message, ctx: NeutralContext) => Result;
  onConversationStart: (conversation: Conversation, ctx: NeutralContext) => Result;
  onConversationEnd: (conversation: Conversation, ctx: NeutralContext) => Result;
  /** A call changed state (ringing, answered, ended) or gained a menu result, recording… */
  onCall: (call: Call, ctx: NeutralContext) => Result;
};

export const NEUTRAL_HOOK_NAMES = ['onMessage', 'onDeliveryStatus', 'onConversationStart', 'onConversationEnd', 'onCall'] as const;

/**
 * The switchboard-level hooks: one handler sees the normalized record whatever
 * the provider. They run after the provider's own hooks, under the same deadline.
 */
export class NeutralDispatcher {
  readonly hooks = new Hooks<NeutralHooks>();
  readonly methods: HookMethods<NeutralHooks> = hookMethods(this.hooks, NEUTRAL_HOOK_NAMES);

  /** Whether run() could call anything; when not, the engine skips building its context. */
  wants(recorded: Recorded): boolean {
    return (recorded.message !== undefined || recorded.conversation !== undefined || recorded.call !== undefined || recorded.delivery !== undefined) && this.hooks.any();
  }

  async run(recorded: Recorded, ctx: NeutralContext): Promise<void> {
    const { message, conversation, call, delivery } = recorded;
    const arrived = recorded.inboundMessage ?? (recorded.messageCreated === true && message?.direction === 'inbound');
    if (message && arrived) await this.hooks.run('onMessage', message, ctx);
    // "Moved the status", judged so a retry of the same report still counts.
    if (delivery && (delivery.applied || (delivery.reported !== undefined && delivery.message.status === delivery.reported))) {
      await this.hooks.run('onDeliveryStatus', delivery.message, ctx);
    }
    if (conversation && recorded.conversationStarted) await this.hooks.run('onConversationStart', conversation, ctx);
    if (conversation && recorded.conversationEnded) await this.hooks.run('onConversationEnd', conversation, ctx);
    if (call && recorded.callChanged) await this.hooks.run('onCall', call, ctx);
  }
}
