import { Ajv, type ValidateFunction } from 'ajv';
import type { SchemaProblem } from '../providers/provider.js';

/**
 * Compiles one JSON Schema per event type, once, when a provider is created,
 * and turns ajv's first error into a path an operator can find in the payload.
 */
export class SchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(table: Iterable<{ type: string; schema: unknown }>) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    for (const { type, schema } of table) this.validators.set(type, ajv.compile(schema as object));
  }

  /** The first problem, or undefined when the payload fits (or the type has no schema). */
  check(type: string, payload: unknown): SchemaProblem | undefined {
    const validate = this.validators.get(type);
    if (!validate || validate(payload)) return undefined;
    const first = validate.errors?.[0];
    if (!first) return { path: '/', message: 'invalid' };
    // "must have required property 'x'" points at the parent; name the missing field itself.
    const missing = first.keyword === 'required' ? `/${String((first.params as { missingProperty?: string }).missingProperty)}` : '';
    return { path: `${first.instancePath}${missing}` || '/', message: first.message ?? 'invalid' };
  }
}
