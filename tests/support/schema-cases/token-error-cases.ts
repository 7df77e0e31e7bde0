import type { SchemaCase } from './schema-case';
import { seedTokenResponse } from './seed-token-response';

/** Cases for token-error.schema.json (TOKEN-ERROR-BODY). */
export const tokenErrorCases: readonly SchemaCase[] = [
  {
    description: 'TOKEN-ERROR-BODY: accepts an OAuth error object',
    data: { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' },
    valid: true,
  },
  {
    description: 'TOKEN-ERROR-BODY: accepts an empty object, since the clause asks for no particular member',
    data: {},
    valid: true,
  },
  {
    description: 'TOKEN-ERROR-BODY: accepts an error code the RFC does not list, which only the strict profile judges',
    data: { error: 'bad_credentials' },
    valid: true,
  },
  {
    description: 'TOKEN-ERROR-BODY: rejects a body carrying an access_token',
    data: { error: 'invalid_grant', access_token: seedTokenResponse.access_token },
    valid: false,
    errorAt: '/access_token',
  },
  {
    description: 'TOKEN-ERROR-BODY: rejects a body carrying a refresh_token',
    data: { error: 'invalid_grant', refresh_token: seedTokenResponse.refresh_token },
    valid: false,
    errorAt: '/refresh_token',
  },
  {
    description: 'TOKEN-ERROR-BODY: rejects an array body',
    data: [{ error: 'invalid_grant' }],
    valid: false,
    errorAt: '',
  },
  {
    description: 'TOKEN-ERROR-BODY: rejects a string body',
    data: 'invalid_grant',
    valid: false,
    errorAt: '',
  },
];
