import type { SchemaCase } from './schema-case';
import { seedTokenResponse, seedWith, seedWithout, type SeedTokenResponse } from './seed-token-response';

const REQUIRED_MEMBERS: readonly (keyof SeedTokenResponse)[] = [
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'userName',
  '.issued',
  '.expires',
];

/** Cases for token-response.schema.json (TOKEN-BODY-SCHEMA, and the JWT shape of TOKEN-ACCESS-JWT). */
export const tokenResponseCases: readonly SchemaCase[] = [
  {
    description: 'TOKEN-BODY-SCHEMA: accepts the seed sample 200 body made whole',
    data: seedTokenResponse,
    valid: true,
  },
  {
    description: 'TOKEN-BODY-SCHEMA: accepts a lowercase bearer token_type',
    data: seedWith({ token_type: 'bearer' }),
    valid: true,
  },
  {
    description: 'TOKEN-BODY-SCHEMA: accepts an uppercase BEARER token_type',
    data: seedWith({ token_type: 'BEARER' }),
    valid: true,
  },
  {
    description: 'TOKEN-BODY-SCHEMA: accepts extra members',
    data: seedWith({ scope: 'api', 'as:client_id': 'mediroutes', nested: { any: ['thing'] } }),
    valid: true,
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects a string expires_in',
    data: seedWith({ expires_in: '86400' }),
    valid: false,
    errorAt: '/expires_in',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects a fractional expires_in of 86400.5',
    data: seedWith({ expires_in: 86400.5 }),
    valid: false,
    errorAt: '/expires_in',
  },
  ...REQUIRED_MEMBERS.map(
    (member): SchemaCase => ({
      description: `TOKEN-BODY-SCHEMA: rejects a body missing ${member}`,
      data: seedWithout(member),
      valid: false,
      errorAt: '',
    }),
  ),
  {
    description: 'TOKEN-BODY-SCHEMA: rejects an empty access_token',
    data: seedWith({ access_token: '' }),
    valid: false,
    errorAt: '/access_token',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects an empty refresh_token',
    data: seedWith({ refresh_token: '' }),
    valid: false,
    errorAt: '/refresh_token',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects an opaque access_token that is not a JWT',
    data: seedWith({ access_token: seedTokenResponse.refresh_token }),
    valid: false,
    errorAt: '/access_token',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects an access_token with two segments',
    data: seedWith({ access_token: seedTokenResponse.access_token.split('.').slice(0, 2).join('.') }),
    valid: false,
    errorAt: '/access_token',
  },
  {
    description: 'TOKEN-ACCESS-JWT: rejects an access_token with standard base64 padding',
    data: seedWith({ access_token: `${seedTokenResponse.access_token}=` }),
    valid: false,
    errorAt: '/access_token',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects an ISO 8601 .issued',
    data: seedWith({ '.issued': '2020-06-08T17:17:55Z' }),
    valid: false,
    errorAt: '/.issued',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects a .expires with a numeric zone instead of GMT',
    data: seedWith({ '.expires': 'Mon, 8 Jun 2020 17:17:55 +0000' }),
    valid: false,
    errorAt: '/.expires',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects a non-string userName',
    data: seedWith({ userName: 42 }),
    valid: false,
    errorAt: '/userName',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects the token_type MAC',
    data: seedWith({ token_type: 'MAC' }),
    valid: false,
    errorAt: '/token_type',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects a null body',
    data: null,
    valid: false,
    errorAt: '',
  },
  {
    description: 'TOKEN-BODY-SCHEMA: rejects an array body',
    data: [seedTokenResponse],
    valid: false,
    errorAt: '',
  },
];
