import { SCHEMAS, formatAjvErrors, type AjvLikeError, type SchemaName, type SchemaValidator } from '../contract/schema-validator';

/** ajv 6 as the Postman sandbox ships it: enough of its API to validate. */
interface Ajv6 {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: AjvLikeError[] | null };
}

declare const require: (name: string) => new (options: object) => Ajv6;

/**
 * SchemaValidator over the sandbox's bundled ajv 6 (draft-07). The schemas are the files of
 * schemas/, bundled in by esbuild.
 */
export function createSandboxValidator(): SchemaValidator {
  const AjvClass = require('ajv');
  const ajv = new AjvClass({ allErrors: true });
  const compiled: Partial<Record<SchemaName, ReturnType<Ajv6['compile']>>> = {};
  return {
    validate(schema, data) {
      const validate = (compiled[schema] ??= ajv.compile(SCHEMAS[schema]));
      return validate(data) ? [] : formatAjvErrors(validate.errors);
    },
  };
}
