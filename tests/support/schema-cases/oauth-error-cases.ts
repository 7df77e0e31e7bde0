import type { SchemaCase } from './schema-case';

/** The error codes of RFC 6749 section 5.2. */
const RFC_6749_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;

/** Cases for oauth-error.schema.json (RFC-ERROR-CODE, strict profile). */
export const oauthErrorCases: readonly SchemaCase[] = [
  ...RFC_6749_ERROR_CODES.map(
    (code): SchemaCase => ({
      description: `RFC-ERROR-CODE: accepts the RFC 6749 error code ${code}`,
      data: { error: code },
      valid: true,
    }),
  ),
  {
    description: 'RFC-ERROR-CODE: accepts an error_description and error_uri in the RFC character set',
    data: {
      error: 'invalid_grant',
      error_description: "The user name or password is incorrect (it's case-sensitive).",
      error_uri: 'https://api.mediroutes.com/docs/errors#invalid_grant',
    },
    valid: true,
  },
  {
    description: 'RFC-ERROR-CODE: rejects the error code bad_credentials, which the RFC does not define',
    data: { error: 'bad_credentials' },
    valid: false,
    errorAt: '/error',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an error code in another letter case',
    data: { error: 'INVALID_GRANT' },
    valid: false,
    errorAt: '/error',
  },
  {
    description: 'RFC-ERROR-CODE: rejects a body without error',
    data: { error_description: 'The user name or password is incorrect.' },
    valid: false,
    errorAt: '',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an error_description containing a double quote',
    data: { error: 'invalid_grant', error_description: 'The "password" is incorrect.' },
    valid: false,
    errorAt: '/error_description',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an error_description containing a backslash',
    data: { error: 'invalid_grant', error_description: 'DOMAIN\\user is unknown.' },
    valid: false,
    errorAt: '/error_description',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an error_description with non-ASCII characters',
    data: { error: 'invalid_grant', error_description: 'Le mot de passe est erroné.' },
    valid: false,
    errorAt: '/error_description',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an error_description containing a line break',
    data: { error: 'invalid_grant', error_description: 'Bad password.\nTry again.' },
    valid: false,
    errorAt: '/error_description',
  },
  {
    description: 'RFC-ERROR-CODE: rejects an array body',
    data: [{ error: 'invalid_grant' }],
    valid: false,
    errorAt: '',
  },
];
