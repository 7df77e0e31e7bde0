/** Builds the committed Postman environments: local (the reference server) and the real MediRoutes templates. */
import { createHash } from 'node:crypto';
import { VARS } from '../contract/run-state';
import type { PostmanEnvironment } from './postman-types';

export interface EnvironmentTemplate {
  fileName: string;
  name: string;
  baseUrl: string;
  username: string;
  resourcePath: string;
}

/** Base URLs from CONTRACT.md "Facts about the real API"; local is `npm run serve`'s default. */
export const ENVIRONMENT_TEMPLATES: readonly EnvironmentTemplate[] = [
  { fileName: 'local', name: 'MediRoutes local reference server', baseUrl: 'http://127.0.0.1:5080', username: 'demo.user@mediroutes.example', resourcePath: '/v1/riders/getByRiderId' },
  { fileName: 'test', name: 'MediRoutes test', baseUrl: 'https://mediroutesexternalapi-primary-test.azurewebsites.net', username: '', resourcePath: '/v1/riders/getByRiderId' },
  { fileName: 'production', name: 'MediRoutes production', baseUrl: 'https://api.mediroutes.com', username: '', resourcePath: '/v1/riders/getByRiderId' },
];

/** A stable UUID-shaped id derived from the name, so regeneration gives the same file. */
function stableId(name: string): string {
  const h = createHash('sha256').update(`mediroutes-environment:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** An environment with empty secrets: the password and any expired token are typed in by the user. */
export function buildEnvironment(t: EnvironmentTemplate): PostmanEnvironment {
  const values: Array<[string, string, 'default' | 'secret']> = [
    [VARS.baseUrl, t.baseUrl, 'default'],
    [VARS.tokenPath, '/token', 'default'],
    [VARS.resourcePath, t.resourcePath, 'default'],
    [VARS.username, t.username, 'default'],
    [VARS.password, '', 'secret'],
    [VARS.negativeUsername, '', 'default'],
    [VARS.expiredAccessToken, '', 'secret'],
    [VARS.profile, 'documented', 'default'],
    [VARS.clockSkewSeconds, '300', 'default'],
    [VARS.trustLocalClock, 'true', 'default'],
  ];
  return {
    id: stableId(t.name),
    name: t.name,
    values: values.map(([key, value, type]) => ({ key, value, type, enabled: true })),
    _postman_variable_scope: 'environment',
  };
}
