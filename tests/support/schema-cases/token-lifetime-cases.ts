import type { SchemaCase } from './schema-case';
import { seedTokenResponse, seedWith, seedWithout } from './seed-token-response';

/** Cases for token-lifetime.schema.json (EXPIRY-EXPIRES-IN). */
export const tokenLifetimeCases: readonly SchemaCase[] = [
  {
    description: 'EXPIRY-EXPIRES-IN: accepts the seed sample 200 body made whole',
    data: seedTokenResponse,
    valid: true,
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects an expires_in of 3600',
    data: seedWith({ expires_in: 3600 }),
    valid: false,
    errorAt: '/expires_in',
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects the string "86400"',
    data: seedWith({ expires_in: '86400' }),
    valid: false,
    errorAt: '/expires_in',
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects an expires_in of 86400.5',
    data: seedWith({ expires_in: 86400.5 }),
    valid: false,
    errorAt: '/expires_in',
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects a body without expires_in',
    data: seedWithout('expires_in'),
    valid: false,
    errorAt: '',
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects a null body',
    data: null,
    valid: false,
    errorAt: '',
  },
  {
    description: 'EXPIRY-EXPIRES-IN: rejects an array body',
    data: [seedTokenResponse],
    valid: false,
    errorAt: '',
  },
];
