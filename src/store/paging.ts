/**
 * Paging shared by every store: keyset cursors (the sort time and id of the
 * last item), so writes between two page reads cause neither repeats nor gaps.
 */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(ms: number, key: string): string {
  return Buffer.from(JSON.stringify([ms, key]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { ms: number; key: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string') {
      return { ms: parsed[0], key: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new RangeError(`Invalid page cursor: ${JSON.stringify(cursor)}`);
}

export function positiveDuration(ms: number, name: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`${name} must be a positive number of ms, got ${String(ms)}`);
  }
  return ms;
}
