import { Ajv, type ValidateFunction } from 'ajv';
import type { SchemaProblem } from '../providers/provider.js';

/** Compiled tables, by identity: the schemas are constants, so every router after the first reuses them. */
const compiled = new WeakMap<object, SchemaValidator>();

/**
 * One JSON Schema per event type, compiled once per process (never per
 * request; compiling a provider's table takes a few hundred ms), and ajv's
 * first error turned into a path an operator can find in the payload.
 */
export class SchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(entries: Iterable<[string, unknown]>) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    for (const [type, schema] of entries) this.validators.set(type, ajv.compile(schema as object));
  }

  /** The validator of a provider's event table (`typeOf` names each row's event type). */
  static for<Row extends { schema: unknown }>(table: readonly Row[], typeOf: (row: Row) => string): SchemaValidator {
    let validator = compiled.get(table);
    if (!validator) {
      validator = new SchemaValidator(table.map((row) => [typeOf(row), row.schema] as [string, unknown]));
      compiled.set(table, validator);
    }
    return validator;
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
