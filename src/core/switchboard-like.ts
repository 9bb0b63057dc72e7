import type { Engine } from './engine.js';

/** What adapters need from a switchboard: only its engine, so they depend on nothing else. */
export interface HasEngine {
  readonly engine: Engine;
}
