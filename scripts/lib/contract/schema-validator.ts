import tokenResponse from '../../../schemas/token-response.schema.json';
import tokenLifetime from '../../../schemas/token-lifetime.schema.json';
import tokenError from '../../../schemas/token-error.schema.json';
import oauthError from '../../../schemas/oauth-error.schema.json';
import jwtHeader from '../../../schemas/jwt-header.schema.json';
import jwtClaims from '../../../schemas/jwt-claims.schema.json';

/**
 * The schemas of schemas/, by name. Imported (and so bundled into the Postman scripts by
 * esbuild) from the files themselves: there is no second copy to drift.
 */
export const SCHEMAS = {
  'token-response': tokenResponse,
  'token-lifetime': tokenLifetime,
  'token-error': tokenError,
  'oauth-error': oauthError,
  'jwt-header': jwtHeader,
  'jwt-claims': jwtClaims,
} as const;

export type SchemaName = keyof typeof SCHEMAS;

/**
 * Validates data against one of the schemas and returns readable error lines (empty: valid).
 * Node uses ajv 8 (`createAjvValidator`); the Postman sandbox its bundled ajv 6.
 */
export interface SchemaValidator {
  validate(schema: SchemaName, data: unknown): string[];
}

/** The shape both ajv 6 and ajv 8 give their errors, enough to print them. */
export interface AjvLikeError {
  instancePath?: string;
  dataPath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** One line per ajv error: where, and what was wrong (values are not echoed: they may be tokens). */
export function formatAjvErrors(errors: readonly AjvLikeError[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath ?? e.dataPath ?? '';
    const allowed = e.params && 'allowedValue' in e.params ? ` ${JSON.stringify(e.params.allowedValue)}` : '';
    return `${where === '' ? 'body' : where} ${e.message ?? 'is invalid'}${allowed}`;
  });
}
