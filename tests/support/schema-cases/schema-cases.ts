import { jwtClaimsCases } from './jwt-claims-cases';
import { jwtHeaderCases } from './jwt-header-cases';
import { oauthErrorCases } from './oauth-error-cases';
import type { SchemaCase } from './schema-case';
import { tokenErrorCases } from './token-error-cases';
import { tokenLifetimeCases } from './token-lifetime-cases';
import { tokenResponseCases } from './token-response-cases';

/** The data-driven cases of every schemas/*.schema.json, by file name. */
export const schemaCases: Readonly<Record<string, readonly SchemaCase[]>> = {
  'jwt-claims.schema.json': jwtClaimsCases,
  'jwt-header.schema.json': jwtHeaderCases,
  'oauth-error.schema.json': oauthErrorCases,
  'token-error.schema.json': tokenErrorCases,
  'token-lifetime.schema.json': tokenLifetimeCases,
  'token-response.schema.json': tokenResponseCases,
};
