import type { BaseHookContext } from '../providers/provider.js';

/**
 * Adds a provider's fields to the context the engine made for one dispatch.
 * It mutates rather than spreads: `signal` is a getter that creates the
 * AbortSignal only when a hook reads it (several µs in Node 20, more than the
 * rest of the context together), and a spread would read it.
 */
export function extendContext<B extends BaseHookContext, X extends object>(base: B, extra: X): B & X {
  return Object.assign(base, extra);
}
