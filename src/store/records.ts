import type { Address, StatusChange } from '../model/index.js';
import { isCanonicalIso } from '../model/time.js';
import { setOwn } from '../core/own.js';

/*
 * Record-merging rules every store must apply the same way, so a message or
 * conversation reads identically whichever store kept it.
 */

/** Sort position of an ISO 8601 time; unparsable times sort oldest rather than throwing. */
export function atMs(at: string): number {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? ms : 0;
}

/** Compares instants, not strings: providers mix precisions and offsets. */
export function compareAt(a: string, b: string): number {
  // What providers' records hold (see model/time.ts): string order is time order.
  if (isCanonicalIso(a) && isCanonicalIso(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One status report is kept once: the same raw status at the same time for the same recipient. */
export function historyKey(h: StatusChange): string {
  return JSON.stringify([h.rawStatus, h.at, h.recipient ?? null]);
}

/** Adds addresses not seen yet (by kind and value); a later sighting may bring the display name the first lacked. */
export function mergeAddresses(existing: Address[], added: Address[]): Address[] {
  const out = [...existing];
  for (const a of added) {
    const i = out.findIndex((o) => o.kind === a.kind && o.value === a.value);
    if (i === -1) out.push(a);
    else if (a.displayName !== undefined) out[i] = { ...out[i]!, displayName: a.displayName };
  }
  return out;
}

/**
 * A deep copy of plain JSON-like data (what every record is), about five times
 * faster than structuredClone on the hot path. Stores hand out copies so a
 * caller mutating what it got never changes what is stored. Members set to
 * undefined are left out, as a JSON round trip (the Redis store) would.
 */
export function copyRecord<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const list = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) list[i] = copyRecord(value[i]);
    return list as T;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    // A payload key named __proto__ must stay data, never become a prototype.
    setOwn(out, key, copyRecord(v));
  }
  return out as T;
}
