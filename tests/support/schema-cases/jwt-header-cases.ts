import type { SchemaCase } from './schema-case';
import { seedJwtPart } from './seed-token-response';

/** Cases for jwt-header.schema.json (TOKEN-ACCESS-JWT, RFC 8725 section 3.1). */
export const jwtHeaderCases: readonly SchemaCase[] = [
  {
    description: 'TOKEN-ACCESS-JWT: accepts the header of the seed access token',
    data: seedJwtPart(0),
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: accepts an HS256 header',
    data: { alg: 'HS256', typ: 'JWT' },
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: accepts an RS256 header with a key id',
    data: { alg: 'RS256', typ: 'JWT', kid: 'k1' },
    valid: true,
  },
  ...['none', 'NONE', 'None', 'nOnE'].map(
    (alg): SchemaCase => ({
      description: `TOKEN-ACCESS-JWT: rejects alg ${alg}`,
      data: { alg, typ: 'JWT' },
      valid: false,
      errorAt: '/alg',
    }),
  ),
  {
    description: 'TOKEN-ACCESS-JWT: rejects a header without alg',
    data: { typ: 'JWT' },
    valid: false,
    errorAt: '',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects an empty alg',
    data: { alg: '', typ: 'JWT' },
    valid: false,
    errorAt: '/alg',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects a header that is an array',
    data: [{ alg: 'HS256' }],
    valid: false,
    errorAt: '',
  },
];
