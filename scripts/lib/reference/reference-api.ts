/**
 * The reference MediRoutes authentication API: a pure, synchronous request handler that keeps
 * every D and R clause of ../shared/CONTRACT.md, so the harness has something that must pass.
 * Synchronous on purpose: nock reply functions can call it as well as the node:http server.
 *
 * The shape follows the MediRoutes page and its OWIN lineage (`userName`, `.issued`, `.expires`,
 * lowercase `bearer`); where the page is silent it follows RFC 6749 / 6750 / 8725 / 9700.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { bearerOf, formOf, pathOf, queryOf } from './api-request';
import { jsonResponse, serverErrorResponse } from './json-response';
import { decodeJwt, encodeHs256Jwt, hasValidHs256Signature, type JsonObject } from './jwt';
import { createSlidingWindowLimiter } from './sliding-window-limiter';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ApiRequest {
  method: string;
  /** Path plus query string, as in the HTTP request line. */
  path: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Who is calling, for rate limiting: the remote address over HTTP. */
  clientId: string;
}

export interface ApiResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface DemoUser {
  username: string;
  password: string;
}

export interface ReferenceApiOptions {
  /** Defaults to the system clock; tests pass a ManualClock to step past 24 hours. */
  clock?: Clock;
  /** Defaults to [DEMO_USER]; the first one is `demoUser`. Usernames match case-insensitively. */
  users?: DemoUser[];
  /** HS256 key, at least 32 characters (RFC 7518 section 3.2). Defaults to a random one per instance. */
  signingKey?: string;
  /** Defaults to `/v1/riders/getByRiderId`. */
  resourcePath?: string;
  /** Defaults to `/token`. */
  tokenPath?: string;
  /** Token-endpoint requests per client per sliding second: default 10; Infinity disables; 0 refuses all. */
  rateLimitPerSecond?: number;
  /** Every other request, per client per sliding second: default 300, as documented. */
  otherRateLimitPerSecond?: number;
}

export interface ReferenceApi {
  /** Answers one request. Never throws: anything unexpected is a 500 JSON answer. */
  handle(req: ApiRequest): ApiResponse;
  /**
   * A properly signed access token that expired an hour ago (by `clock`). The in-process way to
   * get a genuinely expired token: there is deliberately no HTTP route to one.
   */
  mintExpiredAccessToken(username?: string): string;
  /**
   * Signs any claims with this instance's key (header defaults to HS256/JWT). In-process only,
   * for faulty variants and tests that need tokens the API itself would not issue.
   */
  signJwt(payload: JsonObject, header?: JsonObject): string;
  readonly demoUser: DemoUser;
  readonly users: readonly DemoUser[];
  readonly resourcePath: string;
  readonly tokenPath: string;
  readonly clock: Clock;
}

/** The reference server's demo account. The password is published in the README on purpose. */
export const DEMO_USER: DemoUser = { username: 'demo.user@mediroutes.example', password: 'Demo-Pa55word!' };

export const ACCESS_TOKEN_LIFETIME_SECONDS = 86400;
/** Refresh tokens outlive access tokens so a client can come back the next day. */
export const REFRESH_TOKEN_LIFETIME_SECONDS = 14 * 86400;
export const REALM = 'MediRoutes';
export const DEFAULT_TOKEN_PATH = '/token';
export const DEFAULT_RESOURCE_PATH = '/v1/riders/getByRiderId';
export const DEFAULT_TOKEN_RATE_LIMIT = 10;
export const DEFAULT_OTHER_RATE_LIMIT = 300;

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** RFC 6749 section 5.2 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/**
 * A token-endpoint error. Always 401 unless told otherwise: the MediRoutes page promises 401 for
 * "Username, Password and/or Grant Type incorrect", where RFC 6749 would say 400.
 * `description` must stay within RFC 6749's character set (printable ASCII without `"` and `\`).
 */
export function tokenErrorResponse(error: OAuthErrorCode, description: string, status = 401, headers: Record<string, string> = {}): ApiResponse {
  return jsonResponse(status, { error, error_description: description }, headers);
}

const BAD_CREDENTIALS = 'The user name or password is incorrect.';
const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired or already used.';
const DENIED = 'Authorization has been denied for this request.';
const KNOWN_PARAMETERS = ['grant_type', 'username', 'password', 'refresh_token', 'scope', 'client_id'];
const MIN_KEY_LENGTH = 32;
/** Above this many stored refresh tokens, expired ones are swept. */
const REFRESH_SWEEP_THRESHOLD = 10_000;

interface UserRecord {
  username: string;
  id: string;
  passwordHash: Buffer;
}

interface RefreshRecord {
  username: string;
  expiresAtMs: number;
}

export function createReferenceApi(options: ReferenceApiOptions = {}): ReferenceApi {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const users: readonly DemoUser[] = Object.freeze([...(options.users ?? [DEMO_USER])]);
  const tokenPath = checkedPath(options.tokenPath ?? DEFAULT_TOKEN_PATH, 'tokenPath');
  const resourcePath = checkedPath(options.resourcePath ?? DEFAULT_RESOURCE_PATH, 'resourcePath');
  if (tokenPath === resourcePath) throw new Error('tokenPath and resourcePath must differ');
  const signingKey = options.signingKey ?? randomBytes(32).toString('base64url');
  if (signingKey.length < MIN_KEY_LENGTH) {
    throw new RangeError(`signingKey must have at least ${MIN_KEY_LENGTH} characters (RFC 7518 section 3.2)`);
  }
  const tokenLimiter = createSlidingWindowLimiter(options.rateLimitPerSecond ?? DEFAULT_TOKEN_RATE_LIMIT);
  const otherLimiter = createSlidingWindowLimiter(options.otherRateLimitPerSecond ?? DEFAULT_OTHER_RATE_LIMIT);

  const usersByName = new Map<string, UserRecord>();
  for (const user of users) {
    const key = user.username.toLowerCase();
    if (user.username === '' || user.password === '') throw new Error('users need a username and a password');
    if (usersByName.has(key)) throw new Error(`duplicate user ${user.username}`);
    usersByName.set(key, { username: user.username, id: userIdOf(user.username), passwordHash: sha256(user.password) });
  }
  const demoUser = users[0];
  if (!demoUser) throw new Error('at least one user is needed');
  // Refresh tokens are stored hashed, as a real server should keep them at rest.
  const refreshTokens = new Map<string, RefreshRecord>();

  const signJwt = (payload: JsonObject, header?: JsonObject): string => encodeHs256Jwt(payload, signingKey, header);

  function handle(req: ApiRequest): ApiResponse {
    try {
      const path = pathOf(req);
      if (path === tokenPath) return handleTokenEndpoint(req);
      const limited = limit(otherLimiter, req, (retryAfter) =>
        jsonResponse(429, { error: 'rate_limited', error_description: 'Too many requests' }, { 'retry-after': retryAfter }),
      );
      if (limited) return limited;
      if (path === resourcePath) return handleResource(req);
      return jsonResponse(404, { error: 'not_found', error_description: 'There is no endpoint at this path.' });
    } catch {
      return serverErrorResponse();
    }
  }

  function limit(limiter: typeof tokenLimiter, req: ApiRequest, refuse: (retryAfter: string) => ApiResponse): ApiResponse | undefined {
    const decision = limiter.take(req.clientId, clock.now());
    return decision.allowed ? undefined : refuse(String(decision.retryAfterSeconds));
  }

  function handleTokenEndpoint(req: ApiRequest): ApiResponse {
    const limited = limit(tokenLimiter, req, (retryAfter) =>
      tokenErrorResponse('invalid_request', 'Too many requests', 429, { 'retry-after': retryAfter }),
    );
    if (limited) return limited;
    if (req.method !== 'POST') {
      return tokenErrorResponse('invalid_request', 'The token endpoint accepts POST only.', 405, { allow: 'POST' });
    }
    const form = formOf(req);
    if (!form) return tokenErrorResponse('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    // RFC 6749 section 3.2: parameters must not be repeated.
    const repeated = [...new Set(form.keys())].find((name) => form.getAll(name).length > 1);
    if (repeated !== undefined) {
      // Only our own parameter names go into the description: a caller's could break its charset.
      const named = KNOWN_PARAMETERS.includes(repeated) ? `The ${repeated} parameter` : 'A parameter';
      return tokenErrorResponse('invalid_request', `${named} is repeated.`);
    }
    const grantType = form.get('grant_type') ?? '';
    if (grantType === '') return tokenErrorResponse('invalid_request', 'The grant_type parameter is missing.');
    if (grantType === 'password') return passwordGrant(form);
    if (grantType === 'refresh_token') return refreshGrant(form);
    return tokenErrorResponse('unsupported_grant_type', 'The grant_type must be password or refresh_token.');
  }

  function passwordGrant(form: URLSearchParams): ApiResponse {
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    if (username === '' || password === '') {
      return tokenErrorResponse('invalid_request', 'The username and password parameters are required.');
    }
    const user = usersByName.get(username.toLowerCase());
    // Compare a hash even for an unknown user, so the answer takes the same time either way.
    const passwordMatches = timingSafeEqual(sha256(password), user?.passwordHash ?? sha256(`unknown:${password}`));
    if (!user || !passwordMatches) return tokenErrorResponse('invalid_grant', BAD_CREDENTIALS);
    return issueTokens(user);
  }

  function refreshGrant(form: URLSearchParams): ApiResponse {
    const refreshToken = form.get('refresh_token') ?? '';
    if (refreshToken === '') return tokenErrorResponse('invalid_request', 'The refresh_token parameter is missing.');
    const key = sha256(refreshToken).toString('base64url');
    const record = refreshTokens.get(key);
    // Rotation (RFC 9700 section 4.14): a refresh token works once, whatever happens next.
    refreshTokens.delete(key);
    const user = record ? usersByName.get(record.username.toLowerCase()) : undefined;
    if (!record || !user || clock.now() >= record.expiresAtMs) return tokenErrorResponse('invalid_grant', INVALID_REFRESH_TOKEN);
    return issueTokens(user);
  }

  function issueTokens(user: UserRecord): ApiResponse {
    const iat = Math.floor(clock.now() / 1000);
    const exp = iat + ACCESS_TOKEN_LIFETIME_SECONDS;
    const accessToken = signJwt(claimsOf(user, iat, exp));
    const refreshToken = randomBytes(32).toString('base64url');
    if (refreshTokens.size > REFRESH_SWEEP_THRESHOLD) sweepRefreshTokens();
    refreshTokens.set(sha256(refreshToken).toString('base64url'), {
      username: user.username,
      expiresAtMs: (iat + REFRESH_TOKEN_LIFETIME_SECONDS) * 1000,
    });
    return jsonResponse(200, {
      access_token: accessToken,
      // Lowercase, as OWIN sends it: RFC 6749 section 5.1 makes the value case-insensitive.
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      refresh_token: refreshToken,
      userName: user.username,
      '.issued': new Date(iat * 1000).toUTCString(),
      '.expires': new Date(exp * 1000).toUTCString(),
    });
  }

  function sweepRefreshTokens(): void {
    const now = clock.now();
    for (const [key, record] of refreshTokens) if (now >= record.expiresAtMs) refreshTokens.delete(key);
  }

  function handleResource(req: ApiRequest): ApiResponse {
    if (req.method !== 'GET') {
      return jsonResponse(405, { error: 'method_not_allowed', error_description: 'This endpoint accepts GET only.' }, { allow: 'GET' });
    }
    // Only the header counts: a token in `?access_token=` is ignored (RFC 9700 section 4.3.2).
    const token = bearerOf(req);
    if (token === undefined) {
      return jsonResponse(401, { message: DENIED }, { 'www-authenticate': `Bearer realm="${REALM}"` });
    }
    const verdict = verifyAccessToken(token);
    if (!verdict.ok) {
      return jsonResponse(
        401,
        { error: 'invalid_token', error_description: verdict.reason },
        { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${verdict.reason}"` },
      );
    }
    const riderId = queryOf(req).get('riderId') ?? '1001';
    return jsonResponse(200, { riderId, name: 'Demo Rider', requestedBy: verdict.username });
  }

  type Verdict = { ok: true; username: string } | { ok: false; reason: string };

  function verifyAccessToken(token: string): Verdict {
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'The access token is malformed' };
    // Exactly the one algorithm this server signs with: never `none`, never another one
    // (RFC 8725 section 3.1), and no critical extensions it does not understand.
    if (jwt.header['alg'] !== 'HS256' || jwt.header['crit'] !== undefined) {
      return { ok: false, reason: 'The access token algorithm is not accepted' };
    }
    if (!hasValidHs256Signature(jwt, signingKey)) return { ok: false, reason: 'The access token signature is invalid' };
    const { exp, nbf, unique_name: username } = jwt.payload;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'The access token has no expiry' };
    const now = clock.now();
    // A token is expired at its exp instant, not a second later (RFC 7519 section 4.1.4).
    if (now >= exp * 1000) return { ok: false, reason: 'The access token expired' };
    if (nbf !== undefined && (typeof nbf !== 'number' || now < nbf * 1000)) {
      return { ok: false, reason: 'The access token is not valid yet' };
    }
    if (typeof username !== 'string') return { ok: false, reason: 'The access token names no user' };
    return { ok: true, username };
  }

  function mintExpiredAccessToken(username: string = demoUser.username): string {
    const exp = Math.floor(clock.now() / 1000) - 3600;
    const iat = exp - ACCESS_TOKEN_LIFETIME_SECONDS;
    const user = usersByName.get(username.toLowerCase()) ?? { username, id: userIdOf(username), passwordHash: Buffer.alloc(0) };
    return signJwt(claimsOf(user, iat, exp));
  }

  return {
    handle,
    mintExpiredAccessToken,
    signJwt,
    demoUser,
    users,
    resourcePath,
    tokenPath,
    clock,
  };
}

function claimsOf(user: UserRecord, iat: number, exp: number): JsonObject {
  return {
    sub: user.id,
    unique_name: user.username,
    // Two tokens minted in the same second for the same user must still differ.
    jti: randomBytes(16).toString('base64url'),
    iat,
    nbf: iat,
    exp,
  };
}

/** A stable, UUID-shaped user id derived from the username, so `sub` survives restarts. */
function userIdOf(username: string): string {
  const hex = createHash('sha256').update(`mediroutes-user:${username.toLowerCase()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function checkedPath(path: string, name: string): string {
  if (!/^\/[^?#\s]*$/.test(path)) throw new Error(`${name} must start with / and carry no query string: ${path}`);
  return path;
}
