import { SwitchboardError } from '../../core/errors.js';
import { extendContext } from '../../core/context.js';
import { Hooks, hookMethods, type HookMethods } from '../../core/hooks.js';
import { SchemaValidator } from '../../core/validation.js';
import { emptyResponse, silentLogger, type Clock, type Logger, type WebhookResponse } from '../../core/types.js';
import type { Call } from '../../model/index.js';
import {
  sinchVoiceEvents,
  type AceEvent,
  type AceSvaml,
  type DiceEvent,
  type IceEvent,
  type IceSvaml,
  type NotifyEvent,
  type PieEvent,
  type PieSvaml,
  type SinchVoiceEventName,
  type Svaml,
  type SvamlEvent,
} from '../../../schemas/sinch-voice/index.js';
import type { BaseHookContext, Provider, SchemaProblem } from '../provider.js';
import { parseSinchVoice, sinchVoiceDedupeKey, type SinchVoiceEvent } from './events.js';
import { PROVIDER_ID, eventTime, recordCookies, recordSinchVoice } from './record.js';
import { prepareSvaml, sharedSvamlValidator, type SvamlValidator } from './svaml.js';
import { publicPathOf, verifySinchVoice, type SinchVoiceApplication, type SinchVoicePublicPath } from './verify.js';

type PerEvent = { ice?: IceSvaml; ace?: AceSvaml; pie?: PieSvaml };

export interface SinchVoiceOptions {
  /**
   * The Voice applications whose callbacks this router accepts, with key and
   * secret from the Sinch dashboard. Several are fine (one router for many
   * apps); repeat a key with its new secret while rotating.
   */
  applications: readonly SinchVoiceApplication[];
  /** Allowed age of x-timestamp, both directions (default 300 s). `Infinity` turns the check off. */
  toleranceSec?: number;
  /** Also accept RFC 7617 `Basic base64(key:secret)`; it signs neither body nor time (default false). */
  allowBasicAuth?: boolean;
  /**
   * The path Sinch signs is the public path of the callback URL. By default
   * it is the path this server received (mount prefix included, query
   * excluded). Behind a proxy that rewrites paths, give the public path, or
   * a function that computes it from the request.
   */
  publicPath?: SinchVoicePublicPath;
  /** Path below the switchboard mount point (default `/sinch/voice`); sub-paths such as `/sinch/voice/ice` match too. */
  path?: string;
  /**
   * How long an ICE/ACE/PIE hook may take before the call is answered with
   * the fallback SVAML (default 3000 ms; Sinch gives up after a few seconds
   * and disconnects the caller). DiCE/Notify hooks get the same time.
   */
  responseTimeoutMs?: number;
  /** Sent when a hook is late, throws, or returns invalid SVAML (default `hangup` for each). */
  fallback?: PerEvent;
  /** Sent when no hook is registered or it returns nothing (default ICE `hangup`, ACE `continue`, PIE `hangup`). */
  defaults?: PerEvent;
}

export interface SinchVoiceContext<E extends SinchVoiceEventName | 'UNKNOWN' = SinchVoiceEventName | 'UNKNOWN'> extends BaseHookContext {
  eventType: E;
  /** The callback's `callid`. */
  callId: string;
  /** The call as recorded so far, this callback included. */
  call: Call | undefined;
}

type Awaitable<T> = T | Promise<T>;

/**
 * ICE, ACE and PIE hooks answer with SVAML for that event (a builder from
 * `svaml.ice()` etc., or a plain object); returning nothing sends the
 * default. DiCE and Notify are answered 200 with an empty body.
 */
export type SinchVoiceHooks = {
  onIce: (event: IceEvent, ctx: SinchVoiceContext<'ice'>) => Awaitable<IceSvaml | undefined | void>;
  onAce: (event: AceEvent, ctx: SinchVoiceContext<'ace'>) => Awaitable<AceSvaml | undefined | void>;
  onPie: (event: PieEvent, ctx: SinchVoiceContext<'pie'>) => Awaitable<PieSvaml | undefined | void>;
  onDice: (event: DiceEvent, ctx: SinchVoiceContext<'dice'>) => Awaitable<void>;
  onNotify: (event: NotifyEvent, ctx: SinchVoiceContext<'notify'>) => Awaitable<void>;
  /** A callback with an `event` we do not know; answered 200 so Sinch does not retry it. */
  onUnknown: (payload: Record<string, unknown>, ctx: SinchVoiceContext<'UNKNOWN'>) => Awaitable<void>;
};

/** What `dispatch` hands `respond`: serialised, validated SVAML, or nothing (200, empty body). */
export type SinchVoiceAnswer = { body: string } | undefined;

export type SinchVoiceRouter = Provider<SinchVoiceEvent, SinchVoiceAnswer> & HookMethods<SinchVoiceHooks>;

const HOOK_OF = { ice: 'onIce', ace: 'onAce', pie: 'onPie' } as const;

const BUILT_IN_DEFAULTS: Required<PerEvent> = {
  ice: { action: { name: 'hangup' } },
  ace: { action: { name: 'continue' } },
  pie: { action: { name: 'hangup' } },
};
const BUILT_IN_FALLBACK: Required<PerEvent> = {
  ice: { action: { name: 'hangup' } },
  ace: { action: { name: 'hangup' } },
  pie: { action: { name: 'hangup' } },
};

export function sinchVoice(options: SinchVoiceOptions, deps: { clock?: Clock; logger?: Logger } = {}): SinchVoiceRouter {
  // Freshness is judged with the switchboard's clock (VerifyEnv); `deps.clock`
  // is accepted so every provider factory has the same signature.
  const logger = deps.logger ?? silentLogger;
  const applications = checkApplications(options?.applications, logger);
  const toleranceSec = options.toleranceSec ?? 300;
  if (typeof toleranceSec !== 'number' || Number.isNaN(toleranceSec) || toleranceSec < 0) {
    throw new SwitchboardError('misconfigured', `sinchVoice.toleranceSec must be a number of seconds ≥ 0 (or Infinity to turn the check off), got ${String(toleranceSec)}.`);
  }
  const responseTimeoutMs = options.responseTimeoutMs ?? 3000;
  if (!Number.isFinite(responseTimeoutMs) || responseTimeoutMs <= 0) {
    throw new SwitchboardError('misconfigured', `sinchVoice.responseTimeoutMs must be a positive number of milliseconds, got ${String(responseTimeoutMs)}.`);
  }
  const { publicPath } = options;
  if (typeof publicPath === 'string' && !publicPath.startsWith('/') && !/^https?:\/\//i.test(publicPath)) {
    throw new SwitchboardError('misconfigured', `sinchVoice.publicPath must be a path starting with "/" (the path of the callback URL set at Sinch), got ${JSON.stringify(publicPath)}.`);
  }

  // Compiled at construction (once per process), never per request.
  const check = sharedSvamlValidator();
  const defaults = prepareConfigured(check, 'defaults', { ...BUILT_IN_DEFAULTS, ...options.defaults });
  const fallback = prepareConfigured(check, 'fallback', { ...BUILT_IN_FALLBACK, ...options.fallback });
  const schemas = SchemaValidator.for(sinchVoiceEvents, (row) => row.event);
  const hooks = new Hooks<SinchVoiceHooks>();

  /** Validates a hook's answer; anything invalid is logged and replaced, so a call never receives garbage. */
  async function answer(kind: SvamlEvent, result: unknown, event: SinchVoiceEvent, ctx: SinchVoiceContext): Promise<SinchVoiceAnswer> {
    let chosen = defaults[kind];
    if (result !== undefined) {
      const prepared = prepareSvaml(check, kind, result);
      if (prepared.ok) {
        chosen = prepared;
      } else {
        ctx.logger.error(
          { provider: PROVIDER_ID, eventId: ctx.eventId, callId: ctx.callId, event: kind, reason: prepared.reason },
          `switchboard: the ${HOOK_OF[kind]} hook returned invalid SVAML (${prepared.reason}); the call was answered with the fallback instead`,
        );
        chosen = fallback[kind];
      }
    }
    const cookies = cookiesOf(chosen.svaml);
    // Once the deadline passed, the fallback went out instead of this answer,
    // so its cookies were never set at Sinch.
    if (cookies && !ctx.signal.aborted) {
      try {
        await recordCookies(ctx.store, ctx.callId, cookies, eventTime(event, ctx.receivedAt.getTime()));
      } catch (err) {
        // The answer matters more than the record: the call goes on.
        ctx.logger.error({ provider: PROVIDER_ID, callId: ctx.callId, err: (err as Error).message }, 'switchboard: could not record the cookies set by setCookie');
      }
    }
    return { body: chosen.body };
  }

  const provider: Provider<SinchVoiceEvent, SinchVoiceAnswer> = {
    id: PROVIDER_ID,
    path: options.path ?? '/sinch/voice',
    // Sinch signs the method: a request with any other method than the one it
    // signed must fail as a bad signature (401), so the signature decides.
    methods: ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'],
    // Content-Type is signed too: a changed one is a 401, not a 415.
    contentTypes: [],
    hookTimeoutMs: responseTimeoutMs,

    verify(req, env) {
      verifySinchVoice({
        method: req.method,
        path: publicPathOf(req, publicPath),
        headers: req.headers,
        rawBody: req.rawBody,
        applications,
        toleranceSec,
        allowBasicAuth: options.allowBasicAuth === true,
        now: env.clock(),
      });
    },
    parse: parseSinchVoice,
    validate: (event): SchemaProblem | undefined => schemas.check(event.type, event.payload),
    dedupeKey: sinchVoiceDedupeKey,
    record: recordSinchVoice,
    async dispatch(event, base) {
      const common = extendContext(base, { callId: event.callId, call: base.recorded.call });
      if (event.unknown) {
        await hooks.run('onUnknown', event.payload, extendContext(common, { eventType: 'UNKNOWN' as const }));
        return undefined;
      }
      switch (event.type) {
        case 'ice': {
          const ctx = extendContext(common, { eventType: 'ice' as const });
          return answer('ice', await hooks.run('onIce', event.payload, ctx), event, ctx);
        }
        case 'ace': {
          const ctx = extendContext(common, { eventType: 'ace' as const });
          return answer('ace', await hooks.run('onAce', event.payload, ctx), event, ctx);
        }
        case 'pie': {
          const ctx = extendContext(common, { eventType: 'pie' as const });
          return answer('pie', await hooks.run('onPie', event.payload, ctx), event, ctx);
        }
        case 'dice':
          await hooks.run('onDice', event.payload, extendContext(common, { eventType: 'dice' as const }));
          return undefined;
        case 'notify':
          await hooks.run('onNotify', event.payload, extendContext(common, { eventType: 'notify' as const }));
          return undefined;
      }
    },
    respond(result): WebhookResponse {
      return result ? svamlResponse(result.body) : emptyResponse(200);
    },
    // A late or failing ICE/ACE/PIE hook must not cost the caller the call:
    // answer with the fallback (and keep it for retries). DiCE/Notify keep
    // the engine's default (release + 5xx), so Sinch's retry runs them again.
    fallback(event) {
      if (event.unknown || !(event.type in fallback)) return undefined;
      return svamlResponse(fallback[event.type as SvamlEvent].body);
    },
  };

  return Object.assign(provider, hookMethods(hooks, ['onIce', 'onAce', 'onPie', 'onDice', 'onNotify', 'onUnknown']));
}


function svamlResponse(body: string): WebhookResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}

function cookiesOf(svaml: Svaml<SvamlEvent>): Record<string, string> | undefined {
  const cookies: Record<string, string> = {};
  let any = false;
  for (const instruction of svaml.instructions ?? []) {
    if (instruction.name !== 'setCookie') continue;
    cookies[instruction.key] = instruction.value;
    any = true;
  }
  return any ? cookies : undefined;
}

type Prepared = { body: string; svaml: Svaml<SvamlEvent> };

/** Configured SVAML is checked at start-up, so a fallback can never itself be invalid. */
function prepareConfigured(check: SvamlValidator, option: 'defaults' | 'fallback', configured: Required<PerEvent>): Record<SvamlEvent, Prepared> {
  const out = {} as Record<SvamlEvent, Prepared>;
  for (const kind of ['ice', 'ace', 'pie'] as const) {
    const prepared = prepareSvaml(check, kind, configured[kind]);
    if (!prepared.ok) {
      throw new SwitchboardError('misconfigured', `sinchVoice.${option}.${kind} is not valid SVAML for ${kind}: ${prepared.reason}.`);
    }
    out[kind] = prepared;
  }
  return out;
}

function checkApplications(value: unknown, logger: Logger): SinchVoiceApplication[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SwitchboardError(
      'misconfigured',
      'sinchVoice.applications is empty: without an application key and secret no callback can be verified. Copy them from the Sinch dashboard (Voice & Video → Apps).',
    );
  }
  return value.map((app: unknown, i: number) => {
    const { key, secret } = (app ?? {}) as Partial<SinchVoiceApplication>;
    if (typeof key !== 'string' || !/^[^\s:]+$/.test(key)) {
      throw new SwitchboardError('misconfigured', `sinchVoice.applications[${i}].key must be the application key from the Sinch dashboard (no spaces or colons).`);
    }
    if (typeof secret !== 'string' || Buffer.from(secret, 'base64').length === 0) {
      throw new SwitchboardError('misconfigured', `sinchVoice.applications[${i}].secret (for key ${key}) must be the base64 application secret from the Sinch dashboard.`);
    }
    if (Buffer.from(secret, 'base64').toString('base64') !== secret) {
      // Sinch's secrets are canonical base64; this one is decoded leniently, as
      // the Sinch Node SDK does, which strict decoders (Java, .NET) would refuse.
      logger.warn({ provider: PROVIDER_ID, key }, 'switchboard: the secret of this Sinch Voice application is not canonical base64; check it was copied whole');
    }
    return { key, secret };
  });
}

export type { SinchVoiceEvent, KnownSinchVoiceEvent, UnknownSinchVoiceEvent } from './events.js';
export type { SinchVoiceApplication, SinchVoicePublicPath, SinchVoiceVerifyInput, SinchVoiceVerified } from './verify.js';
export type {
  IceSvamlBuilder, AceSvamlBuilder, PieSvamlBuilder, SvamlBuilderFor, SvamlCheck,
  ConnectPstnOptions, ConnectMxpOptions, ConnectConfOptions, ConnectSipOptions, ConnectStreamOptions, RunMenuOptions, ParkOptions,
} from './svaml.js';
export type { SignSinchVoiceInput } from './testing.js';
export { svaml, validateSvaml } from './svaml.js';
export { signSinchVoice } from './testing.js';
export { verifySinchVoice, sinchVoiceSignature, sinchVoiceStringToSign, sinchVoiceContentMd5 } from './verify.js';
