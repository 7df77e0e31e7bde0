import type { SchemaCase } from './schema-case';
import { seedJwtPart } from './seed-token-response';

/** Cases for jwt-claims.schema.json (TOKEN-ACCESS-JWT). */
export const jwtClaimsCases: readonly SchemaCase[] = [
  {
    description: 'TOKEN-ACCESS-JWT: accepts the claims of the seed access token',
    data: seedJwtPart(1),
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: accepts a numeric exp',
    data: { exp: 1591723075 },
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: accepts extra claims',
    data: { exp: 1591723075, iat: 1591636675, sub: 'rider-api', role: ['dispatcher'], 'urn:mediroutes:tenant': 7 },
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: accepts an absent iat when nbf is present',
    data: { exp: 1591723075, nbf: 1591636675 },
    valid: true,
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects a string exp',
    data: { exp: '1591723075', iat: 1591636675 },
    valid: false,
    errorAt: '/exp',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects claims without exp',
    data: { iat: 1591636675, sub: 'rider-api' },
    valid: false,
    errorAt: '',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects a string iat',
    data: { exp: 1591723075, iat: '1591636675' },
    valid: false,
    errorAt: '/iat',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects a string nbf',
    data: { exp: 1591723075, nbf: 'Mon, 08 Jun 2020 17:17:55 GMT' },
    valid: false,
    errorAt: '/nbf',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects claims that are an array',
    data: [{ exp: 1591723075 }],
    valid: false,
    errorAt: '',
  },
];
