/*
 * Every time a record holds is canonical ISO 8601 UTC with milliseconds
 * (what toISOString prints), whatever precision or offset the provider sent,
 * so stores compare and sort times as plain strings.
 */

// toISOString costs ~1.7 µs in Node 20, more than the rest of a record
// together; events arrive in bursts within the same few seconds, so the
// "YYYY-MM-DDTHH:MM:SS." part is cached per second.
const prefixBySecond = new Map<number, string>();
const MAX_CACHED_SECONDS = 256;
/** 9999-12-31T23:59:59.999Z: later years print with a sign and six digits. */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/** The same string as `new Date(ms).toISOString()`, cheaper. */
export function isoFromMs(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const sec = Math.floor(ms / 1000);
  let prefix = prefixBySecond.get(sec);
  if (prefix === undefined) {
    if (prefixBySecond.size >= MAX_CACHED_SECONDS) prefixBySecond.clear();
    prefix = new Date(sec * 1000).toISOString().slice(0, 20);
    prefixBySecond.set(sec, prefix);
  }
  const frac = ms - sec * 1000;
  return `${prefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

/** A provider's time string as canonical ISO, or undefined when Date cannot read it. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : isoFromMs(ms);
}

/** The first candidate Date can read, as canonical ISO; else `fallbackMs` (usually the arrival time). */
export function firstIsoTime(candidates: readonly unknown[], fallbackMs: number): string {
  for (const c of candidates) {
    const iso = isoTime(c);
    if (iso !== undefined) return iso;
  }
  return isoFromMs(fallbackMs);
}

/**
 * Whether a string has the canonical shape (`YYYY-MM-DDTHH:MM:SS.mmmZ`), in
 * which order of strings is order of instants.
 */
export function isCanonicalIso(s: string): boolean {
  return (
    s.length === 24 &&
    s.charCodeAt(23) === 90 /* Z */ &&
    s.charCodeAt(19) === 46 /* . */ &&
    s.charCodeAt(10) === 84 /* T */ &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  );
}
