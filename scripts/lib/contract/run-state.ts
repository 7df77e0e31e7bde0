/**
 * The variables a run reads and writes. In Postman they are environment/collection variables
 * (`pm.variables` / `pm.collectionVariables`); in mocha a Map. Steps use only this interface.
 */
export interface RunState {
  get(name: string): string | undefined;
  set(name: string, value: string | undefined): void;
}

/** A RunState over a Map (the Node world). */
export function mapState(initial: Record<string, string | undefined> = {}): RunState & { values: Map<string, string> } {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(initial)) if (v !== undefined && v !== '') values.set(k, v);
  return {
    values,
    get: (name) => values.get(name),
    set: (name, value) => {
      if (value === undefined || value === '') values.delete(name);
      else values.set(name, value);
    },
  };
}

/**
 * Variable names. Configuration (CONTRACT.md "Target configuration") comes from the environment;
 * the rest is run state the scripts keep in collection variables.
 */
export const VARS = {
  baseUrl: 'baseUrl',
  tokenPath: 'tokenPath',
  resourcePath: 'resourcePath',
  username: 'username',
  password: 'password',
  profile: 'profile',
  clockSkewSeconds: 'clockSkewSeconds',
  trustLocalClock: 'trustLocalClock',
  negativeUsername: 'negativeUsername',
  expiredAccessToken: 'expiredAccessToken',
  /** Why no expired token is available (e.g. a saved one not yet due), shown on the skipped EXPIRY-REJECTED. */
  expiredTokenNote: 'expiredTokenNote',
  accessToken: 'accessToken',
  refreshToken: 'refreshToken',
  accessTokenExpires: 'accessTokenExpires',
  accessTokenReceivedAt: 'accessTokenReceivedAt',
  accessTokenStale: 'accessTokenStale',
  previousAccessToken: 'previousAccessToken',
  previousAccessTokenExpires: 'previousAccessTokenExpires',
  tamperedAccessToken: 'tamperedAccessToken',
  algNoneAccessToken: 'algNoneAccessToken',
  unknownUsername: 'unknownUsername',
  wrongPassword: 'wrongPassword',
  badPasswordUsername: 'badPasswordUsername',
  invalidRefreshToken: 'invalidRefreshToken',
  wrongPasswordAnswer: 'wrongPasswordAnswer',
  tokenRequestTimes: 'tokenRequestTimes',
  rateLimitRetries: 'rateLimitRetries',
  passwordGrants: 'passwordGrants',
  /** 'true' once the configured credentials were not granted: no further password grant this run (account lockout). */
  passwordGrantFailed: 'passwordGrantFailed',
  failedLogins: 'failedLogins',
} as const;

/** Adds one to a counter variable. */
export function increment(state: RunState, name: string): void {
  state.set(name, String(Number(state.get(name) ?? '0') + 1));
}
