import type { Address, Call } from '../../model/index.js';
import { addressFor, toE164 } from '../../model/normalize.js';
import { isoFromMs } from '../../model/time.js';
import type { CallUpdate, Store } from '../../store/store.js';
import type { RecordContext, Recorded } from '../provider.js';
import type { SinchVoiceEvent } from './events.js';
import { parseSinchTime } from './verify.js';

export const PROVIDER_ID = 'sinch-voice';

export const callRecordId = (callId: string): string => `${PROVIDER_ID}:${callId}`;

/** Omits undefined values, so a partial callback never blanks out what an earlier one recorded. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const WITHHELD = /^(private|anonymous|restricted|unknown|unavailable|withheld)$/i;

/**
 * The caller. A withheld number is left out rather than stored as the
 * literal `private`, which would join every hidden caller into one contact
 * timeline. In-app (mxp) callers are usernames, not phone numbers.
 */
export function callerAddress(cli: string | undefined, domain?: string): Address | undefined {
  const value = cli?.trim();
  if (!value || WITHHELD.test(value)) return undefined;
  if (toE164(value)) return addressFor('VOICE', value);
  if (/^sip:/i.test(value)) return { kind: 'sip', value };
  if (domain?.toLowerCase() === 'mxp') return { kind: 'other', value };
  return addressFor('VOICE', value);
}

/** The callee of ICE and DiCE `to`: numbers and DIDs are phone numbers, the rest keep their kind. */
export function destinationAddress(to: { type?: string; endpoint?: string } | undefined): Address | undefined {
  const value = to?.endpoint?.trim();
  if (!value) return undefined;
  switch (to?.type?.toLowerCase()) {
    case 'username':
      return { kind: 'other', value };
    case 'sip':
      return { kind: 'sip', value };
    default:
      return addressFor('VOICE', value);
  }
}

/**
 * When the callback says it happened: its `timestamp`, else the signed
 * x-timestamp (notify has no timestamp), else arrival. Retries carry the
 * same values, so re-recording a retried callback adds nothing.
 */
export function eventTime(event: SinchVoiceEvent, receivedAt: number): string {
  const stamp = event.payload['timestamp'];
  const at = (typeof stamp === 'string' ? parseSinchTime(stamp) : undefined)
    ?? (event.xTimestamp ? parseSinchTime(event.xTimestamp) : undefined)
    ?? receivedAt;
  return isoFromMs(at);
}

/** Only the documented AMD fields: the record is neutral, not a copy of Sinch's payload. */
function amdOf(amd: { status?: string; reason?: string; duration?: number } | undefined): Call['amd'] {
  return amd && defined({ status: amd.status, reason: amd.reason, duration: amd.duration });
}

function callUpdate(event: SinchVoiceEvent, at: string): CallUpdate | undefined {
  if (event.unknown || !event.callId) return undefined;
  const base = { id: callRecordId(event.callId), provider: PROVIDER_ID, providerId: event.callId, at };
  switch (event.type) {
    case 'ice': {
      const p = event.payload;
      return defined<CallUpdate>({ ...base, state: 'ringing', from: callerAddress(p.cli, p.domain), to: destinationAddress(p.to), domain: p.domain });
    }
    case 'ace':
      return defined<CallUpdate>({ ...base, state: 'answered', amd: amdOf(event.payload.amd) });
    case 'pie': {
      const r = event.payload.menuResult;
      // A menu only runs on an answered call, so a PIE also proves the answer.
      return { ...base, state: 'answered', menuResult: defined({ menuId: r.menuId, type: r.type, value: r.value, inputMethod: r.inputMethod, at }) };
    }
    case 'dice': {
      const p = event.payload;
      return defined<CallUpdate>({
        ...base,
        state: 'ended',
        result: p.result,
        reason: p.reason,
        durationSec: p.duration,
        debit: p.debit && typeof p.debit.amount === 'number' ? defined({ amount: p.debit.amount, currencyId: p.debit.currencyId }) : undefined,
        from: callerAddress(p.from),
        to: destinationAddress(p.to),
      });
    }
    case 'notify': {
      const p = event.payload;
      const url = p.destination || undefined;
      switch (p.type) {
        case 'recording_finished':
        case 'recording_available':
          return url ? { ...base, recording: { url, at } } : base;
        case 'transcription_available':
          return url ? { ...base, recording: { transcription: url, at } } : base;
        case 'amd':
        case 'amd_beep':
          return p.amd ? { ...base, amd: amdOf(p.amd) } : base;
        default:
          return base;
      }
    }
  }
}

/** Writes what a callback says about its call. `applyCallEvent` is idempotent and monotonic, so retries and late events are harmless. */
export async function recordSinchVoice(event: SinchVoiceEvent, ctx: RecordContext): Promise<Recorded> {
  const update = callUpdate(event, eventTime(event, ctx.receivedAt));
  if (!update) return {};
  // Every voice callback moves the call or adds to it (menu result, AMD, recording…).
  return { call: await ctx.store.applyCallEvent(update), callChanged: true };
}

/** Keeps the cookies an answer set with `setCookie`, once that answer is certain to be sent. */
export async function recordCookies(store: Store, callId: string, cookies: Record<string, string>, at: string): Promise<Call> {
  return store.applyCallEvent({ id: callRecordId(callId), provider: PROVIDER_ID, providerId: callId, cookies, at });
}
