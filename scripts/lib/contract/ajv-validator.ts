import Ajv from 'ajv';
import { SCHEMAS, formatAjvErrors, type SchemaName, type SchemaValidator } from './schema-validator';

/** The Node side of SchemaValidator: ajv 8, strict, every schema compiled once. */
export function createAjvValidator(): SchemaValidator {
  const ajv = new Ajv({ strict: true, allErrors: true });
  const compiled = new Map(
    (Object.keys(SCHEMAS) as SchemaName[]).map((name) => [name, ajv.compile(SCHEMAS[name])] as const),
  );
  return {
    validate(schema, data) {
      const validate = compiled.get(schema);
      if (!validate) throw new Error(`no schema named ${schema}`);
      return validate(data) ? [] : formatAjvErrors(validate.errors);
    },
  };
}
