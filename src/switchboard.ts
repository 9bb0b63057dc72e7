import { Engine, type ErrorListener } from './core/engine.js';
import { SwitchboardError } from './core/errors.js';
import { silentLogger, type Clock, type Logger, type WebhookRequest, type WebhookResponse } from './core/types.js';
import type { Provider } from './providers/provider.js';
import { sinchConversation, type SinchConversationOptions, type SinchConversationRouter } from './providers/sinch-conversation/index.js';
import { voipbin, type VoipbinOptions, type VoipbinRouter } from './providers/voipbin/index.js';
import { sinchVoice, type SinchVoiceOptions, type SinchVoiceRouter } from './providers/sinch-voice/index.js';
import { twilioConversations, type TwilioConversationsOptions, type TwilioConversationsRouter } from './providers/twilio-conversations/index.js';
import type { HookMethods } from './core/hooks.js';
import type { NeutralHooks } from './core/neutral-hooks.js';
import { memoryStore } from './store/memory.js';
import type { Store } from './store/store.js';

export interface SwitchboardOptions {
  /** Where events, conversations and messages are kept (default: an in-memory store). */
  store?: Store;
  /** Epoch milliseconds; inject one in tests to pin time (default Date.now). */
  clock?: Clock;
  /** pino-compatible logger (default: silent). */
  logger?: Logger;
  /** Largest body accepted (default 1 MiB). Larger requests get 413 without being buffered. */
  maxBodyBytes?: number;
  /** How long a client may take to send its body (default 10 000 ms → 408). */
  bodyTimeoutMs?: number;
  /** How long a handled event's answer is replayed to retries (default 24 h). */
  dedupeTtlMs?: number;
  /**
   * How long an in-flight event blocks duplicates (default 60 s, and always
   * longer than every provider's hook deadline). After it a crashed process's
   * claim expires and the provider's retry can run.
   */
  claimLeaseMs?: number;
  /** Longest a store call may take before webhooks are answered 503 (default 2000 ms). */
  storeTimeoutMs?: number;
  sinchConversation?: SinchConversationOptions;
  sinchVoice?: SinchVoiceOptions;
  voipbin?: VoipbinOptions;
  twilio?: TwilioConversationsOptions;
  /** Providers of your own, implementing the public Provider interface. */
  providers?: Provider[];
}

type Configured<O, K extends string, R> = O extends { [P in K]: object } ? R : R | undefined;

/** The provider-neutral hooks (`sb.onMessage`, `sb.onCall`, …) sit on the switchboard itself. */
export interface Switchboard<O extends SwitchboardOptions = SwitchboardOptions> extends HookMethods<NeutralHooks> {
  readonly engine: Engine;
  readonly store: Store;
  readonly logger: Logger;
  readonly providers: readonly Provider[];
  /** The Sinch Conversation router; present when `sinchConversation` was configured. */
  readonly sinchConversation: Configured<O, 'sinchConversation', SinchConversationRouter>;
  /** The Sinch Voice router; present when `sinchVoice` was configured. */
  readonly sinchVoice: Configured<O, 'sinchVoice', SinchVoiceRouter>;
  /** The VoIPBIN router; present when `voipbin` was configured. */
  readonly voipbin: Configured<O, 'voipbin', VoipbinRouter>;
  /** The Twilio Conversations router; present when `twilio` was configured. */
  readonly twilio: Configured<O, 'twilio', TwilioConversationsRouter>;
  /** Every rejection and hook failure, with a stable code (never secrets). */
  onError(listener: ErrorListener): () => void;
  /**
   * Runs one request through the pipeline; for adapters of your own (fetch,
   * Lambda…). The answer resolves before the store has marked the event done;
   * on a runtime that freezes once the answer is sent, `await sb.drain()`
   * (or hand it to `waitUntil`) so the mark lands.
   */
  handle(request: WebhookRequest): Promise<WebhookResponse>;
  /** Resolves once every event answered so far is marked done in the store (bounded by storeTimeoutMs). */
  drain(): Promise<void>;
  /**
   * Waits until every event answered so far is marked done in the store (an
   * answer leaves without waiting for that), then closes the store.
   */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

export function createSwitchboard<const O extends SwitchboardOptions>(options: O): Switchboard<O> {
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const store = options.store ?? memoryStore({ now: clock });
  const deps = { clock, logger };

  const sinch = options.sinchConversation ? sinchConversation(options.sinchConversation, deps) : undefined;
  const voice = options.sinchVoice ? sinchVoice(options.sinchVoice, deps) : undefined;
  const vb = options.voipbin ? voipbin(options.voipbin, deps) : undefined;
  const tw = options.twilio ? twilioConversations(options.twilio, deps) : undefined;
  const builtIn = [sinch, voice, vb, tw].filter((p) => p !== undefined) as Provider[];
  const providers: Provider[] = [...builtIn, ...(options.providers ?? [])];
  if (providers.length === 0) {
    throw new SwitchboardError('misconfigured', 'createSwitchboard: configure at least one provider (sinchConversation, sinchVoice, twilio, voipbin, or providers: [...]).');
  }

  const longestHook = Math.max(...providers.map((p) => p.hookTimeoutMs));
  const engine = new Engine(providers, {
    store,
    clock,
    logger,
    maxBodyBytes: positive(options.maxBodyBytes, MiB, 'maxBodyBytes'),
    bodyTimeoutMs: positive(options.bodyTimeoutMs, 10_000, 'bodyTimeoutMs'),
    dedupeTtlMs: positive(options.dedupeTtlMs, 24 * 3600_000, 'dedupeTtlMs'),
    // A lease shorter than a hook's deadline would let a duplicate run while the first is still going.
    claimLeaseMs: Math.max(positive(options.claimLeaseMs, 60_000, 'claimLeaseMs'), longestHook + 5_000),
    storeTimeoutMs: positive(options.storeTimeoutMs, 2_000, 'storeTimeoutMs'),
  });

  return {
    ...engine.neutral.methods,
    engine,
    store,
    logger,
    providers: engine.providers,
    sinchConversation: sinch as Switchboard<O>['sinchConversation'],
    sinchVoice: voice as Switchboard<O>['sinchVoice'],
    voipbin: vb as Switchboard<O>['voipbin'],
    twilio: tw as Switchboard<O>['twilio'],
    onError: (listener) => engine.onError(listener),
    handle: (request) => engine.handle(request),
    drain: () => engine.drain(),
    close: async () => {
      // Answers go out before their events are marked done; let those marks land first.
      await engine.drain();
      await store.close?.();
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new SwitchboardError('misconfigured', `createSwitchboard: ${name} must be a positive number, got ${String(value)}.`);
  }
  return value;
}
