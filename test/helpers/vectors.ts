import { readFileSync } from 'node:fs';

/** The shared vectors live beside the repo: ../shared/vectors. */
export function loadVectors<T = any>(name: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(readFileSync(new URL(`../../../shared/vectors/${name}`, import.meta.url), 'utf8')) as T;
}

export interface SinchConversationVector {
  id: string;
  secret: string;
  headers: Record<string, string>;
  body: string;
  expected_valid: boolean;
  body_sha256_hex: string;
}
