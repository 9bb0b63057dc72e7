import type { Store } from './store.js';

/*
 * Stores whose every operation completes in this process without I/O, so a
 * call cannot hang and the engine need not arm a timeout for it. Kept by
 * identity, not as a flag on the object: a wrapper built by spreading such a
 * store (`{ ...memoryStore(), claim: myClaim }`) may do I/O and stays guarded.
 */
const inProcess = new WeakSet<Store>();

export function markInProcess<S extends Store>(store: S): S {
  inProcess.add(store);
  return store;
}

export function isInProcessStore(store: Store): boolean {
  return inProcess.has(store);
}
