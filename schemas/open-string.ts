import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/*
 * Providers grow their value sets (channels, statuses, reason codes) without
 * notice, so a schema `enum` would turn a harmless addition on their side into
 * rejected webhooks on ours. Such fields are plain strings tagged with a
 * `title`: ajv ignores titles, while json-schema-to-ts's `deserialize` option
 * matches on them and swaps `string` for a union of the known literals plus
 * `(string & {})`, so handlers get completion without a hand-written type
 * drifting from the schema.
 */

/** A string field whose derived type is the union registered under `title`. */
export const openString = <const Title extends string>(title: Title) => ({ type: 'string', title }) as const;

/** Registers the union `Output` for the fields tagged `Title`. */
export type OpenStringPattern<Title extends string, Output> = {
  pattern: { type: 'string'; title: Title };
  output: Output;
};

/** `FromSchema` with a provider's open-string titles resolved to their unions. */
export type FromOpenSchema<S extends JSONSchema, Patterns extends OpenStringPattern<string, unknown>[]> = FromSchema<S, { deserialize: Patterns }>;
