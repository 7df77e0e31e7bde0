/**
 * The contract as a run: the requests the harness sends, in order, and the clause checks each
 * answer must pass. The collection generator turns it into Postman items; the bundled sandbox
 * scripts and the mocha executor evaluate it. One definition of every request and check.
 */
import { checkNotForbidden, checkBearerAccepted, checkBearerRefused } from './bearer-checks';
import type { CheckContext } from './check-context';
import type { ClauseGroup, ClauseId } from './clauses';
import { checkExpiredRejected, checkExpiresIn, checkExpiryWindow, checkIssuedNow, checkJwtLifetime } from './expiry-checks';
import type { Failure } from './failure';
import { algNoneToken, tamperSignature } from './jwt';
import type { ObservedResponse } from './observed-response';
import { checkRefreshNewToken } from './refresh-checks';
import {
  checkErrorCode, checkNoEnumeration, checkNoStore, checkNotAccepted, checkTokenCharset, checkWwwAuthenticate, fingerprintOf, isUnauthorized, type AnswerFingerprint,
} from './rfc-checks';
import { VARS, increment, type RunState } from './run-state';
import { storeTokens } from './token-lifecycle';
import { checkAccessJwt, checkNoServerError, checkTokenBodySchema, checkTokenErrorBody, checkTokenIssued, checkTokenRefused, checkTokenUsername } from './token-checks';

/** A request as data; `{{name}}` placeholders are run-state variables, resolved at send time. */
export interface StepRequest {
  method: 'GET' | 'POST';
  endpoint: 'token' | 'resource';
  form?: Array<[string, string]>;
  /** Authorization: Bearer <this>. */
  bearer?: string;
  query?: Array<[string, string]>;
}

export interface Assertion {
  clause: ClauseId;
  /** The test name: starts with the clause ID. */
  title: string;
  check(response: ObservedResponse, state: RunState, ctx: CheckContext): Failure[];
  /** A reason this check does not apply to this answer (reported as skipped), or undefined. */
  notApplicable?(response: ObservedResponse): string | undefined;
}

/** What a step needs before it is sent: nothing, a wait, or a reason to skip it. */
export interface Preparation {
  skip?: string;
  waitMs?: number;
}

/** The clock and randomness of the world the step runs in. */
export interface StepEnv {
  now(): number;
  randomId(): string;
}

export interface Step {
  /** The Postman request name; unique. */
  name: string;
  group: ClauseGroup;
  description: string;
  request: StepRequest;
  /** The pre-request token lifecycle must hold a fresh access token before this step. */
  needsFreshToken?: boolean;
  /** Whether a refused token here is a failed login (counted and bounded). */
  failedLogin?: boolean;
  prepare?(state: RunState, env: StepEnv): Preparation;
  assertions: Assertion[];
  after?(response: ObservedResponse, state: RunState): void;
}

const v = (name: string): string => `{{${name}}}`;

/** TOKEN-NO-5XX, on every step. */
function noServerError(stepName: string): Assertion {
  return { clause: 'TOKEN-NO-5XX', title: `TOKEN-NO-5XX: "${stepName}" is not answered 5xx`, check: (r) => checkNoServerError(r, stepName) };
}

function wwwAuthenticate(title: string, tokenPresented: boolean): Assertion {
  return {
    clause: 'RFC-WWW-AUTHENTICATE',
    title: `RFC-WWW-AUTHENTICATE: ${title}`,
    check: (r) => checkWwwAuthenticate(r, tokenPresented),
    notApplicable: (r) => (isUnauthorized(r) ? undefined : `the answer was ${r.status}, not 401`),
  };
}

function notForbidden(what: string): Assertion {
  return { clause: 'BEARER-403-IS-NOT-401', title: `BEARER-403-IS-NOT-401: ${what} is refused with 401, not 403`, check: (r) => checkNotForbidden(r) };
}

/** The body clauses every successful token answer passes; REFRESH-200 re-runs them under its own ID. */
const TOKEN_BODY_CHECKS: Array<(r: ObservedResponse, s: RunState, c: CheckContext) => Failure[]> = [
  (r, _s, c) => checkTokenBodySchema(r, c),
  (r, s) => checkTokenUsername(r, s.get(VARS.username) ?? ''),
  (r, _s, c) => checkAccessJwt(r, c),
  (r, _s, c) => checkExpiresIn(r, c),
  (r) => checkExpiryWindow(r),
  (r, _s, c) => checkIssuedNow(r, c),
  (r) => checkJwtLifetime(r),
];

/** Failures of the clauses REFRESH-200 includes, restated under REFRESH-200 with their own ID in `expected`. */
function asRefresh200(failures: Failure[]): Failure[] {
  return failures.map((f) => ({ clause: 'REFRESH-200', expected: `${f.clause}: ${f.expected}`, seen: f.seen }));
}

function setFresh(state: RunState, name: string, make: (token: string) => string): Preparation {
  const token = state.get(VARS.accessToken);
  if (token === undefined) return { skip: 'no access token: the password grant did not succeed' };
  state.set(name, make(token));
  return {};
}

/** Generated values for the negative checks: never the real password, never a real user. */
function ensureNegativeInputs(state: RunState, env: StepEnv): void {
  if (state.get(VARS.unknownUsername) === undefined) state.set(VARS.unknownUsername, `contract-unknown-${env.randomId()}@invalid.example`);
  if (state.get(VARS.wrongPassword) === undefined || state.get(VARS.wrongPassword) === state.get(VARS.password)) {
    state.set(VARS.wrongPassword, `wrong-${env.randomId()}`);
  }
  if (state.get(VARS.invalidRefreshToken) === undefined) state.set(VARS.invalidRefreshToken, `invalid-${env.randomId()}${env.randomId()}`);
  state.set(VARS.badPasswordUsername, state.get(VARS.negativeUsername) ?? state.get(VARS.username));
}

/** Time to wait so a refresh lands in a later second than the grant it refreshes (.expires has 1 s resolution). */
const REFRESH_GAP_MS = 1100;

const DEFINED_STEPS: Step[] = [
  {
    name: 'Password grant',
    group: 'password-grant',
    description: 'POST /token with grant_type=password and the configured credentials: the one successful password grant of the run.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'password'], ['username', v(VARS.username)], ['password', v(VARS.password)]] },
    assertions: [
      { clause: 'TOKEN-PASSWORD-200', title: 'TOKEN-PASSWORD-200: a valid password grant answers 200 with Content-Type application/json', check: (r) => checkTokenIssued('TOKEN-PASSWORD-200', r) },
      { clause: 'TOKEN-BODY-SCHEMA', title: 'TOKEN-BODY-SCHEMA: the token body has every field with its documented type', check: (r, s, c) => TOKEN_BODY_CHECKS[0]!(r, s, c) },
      { clause: 'TOKEN-USERNAME', title: 'TOKEN-USERNAME: userName is the username that was sent', check: (r, s, c) => TOKEN_BODY_CHECKS[1]!(r, s, c) },
      { clause: 'TOKEN-ACCESS-JWT', title: 'TOKEN-ACCESS-JWT: access_token is a JWT with an alg other than none and a numeric exp', check: (r, s, c) => TOKEN_BODY_CHECKS[2]!(r, s, c) },
      { clause: 'EXPIRY-EXPIRES-IN', title: 'EXPIRY-EXPIRES-IN: expires_in is exactly 86400', check: (r, s, c) => TOKEN_BODY_CHECKS[3]!(r, s, c) },
      { clause: 'EXPIRY-WINDOW', title: 'EXPIRY-WINDOW: .expires is exactly 24 hours after .issued', check: (r, s, c) => TOKEN_BODY_CHECKS[4]!(r, s, c) },
      { clause: 'EXPIRY-ISSUED-NOW', title: 'EXPIRY-ISSUED-NOW: .issued is the time of the answer, within the allowed skew', check: (r, s, c) => TOKEN_BODY_CHECKS[5]!(r, s, c) },
      { clause: 'EXPIRY-JWT-LIFETIME', title: 'EXPIRY-JWT-LIFETIME: the JWT lives 24 hours and expires at .expires', check: (r, s, c) => TOKEN_BODY_CHECKS[6]!(r, s, c) },
      { clause: 'RFC-TOKEN-NO-STORE', title: 'RFC-TOKEN-NO-STORE: the token answer carries Cache-Control: no-store and Pragma: no-cache', check: (r) => checkNoStore(r) },
      { clause: 'RFC-TOKEN-CHARSET', title: 'RFC-TOKEN-CHARSET: tokens are printable ASCII and the refresh token has at least 128 bits', check: (r) => checkTokenCharset(r) },
    ],
    after: (r, s) => {
      // Refused (or unanswered) configured credentials are not tried again this run: a wrong
      // password in the configuration must not lock the account out.
      s.set(VARS.passwordGrantFailed, storeTokens(s, r, 'password') ? undefined : 'true');
    },
  },
  {
    name: 'Bearer accepted',
    group: 'bearer',
    description: 'GET the protected resource with the fresh access token.',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.accessToken) },
    needsFreshToken: true,
    assertions: [{ clause: 'BEARER-ACCEPTED', title: 'BEARER-ACCEPTED: a fresh access token is answered 2xx', check: (r) => checkBearerAccepted(r) }],
  },
  {
    name: 'Bearer missing',
    group: 'bearer',
    description: 'GET the protected resource without an Authorization header.',
    request: { method: 'GET', endpoint: 'resource' },
    assertions: [
      { clause: 'BEARER-MISSING-401', title: 'BEARER-MISSING-401: a request without Authorization is answered 401', check: (r) => checkBearerRefused('BEARER-MISSING-401', r) },
      notForbidden('a request without a token'),
      wwwAuthenticate('the 401 without a token carries a Bearer challenge', false),
    ],
  },
  {
    name: 'Bearer tampered',
    group: 'bearer',
    description: 'GET the protected resource with the access token, its signature altered.',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.tamperedAccessToken) },
    needsFreshToken: true,
    prepare: (s) => setFresh(s, VARS.tamperedAccessToken, tamperSignature),
    assertions: [
      { clause: 'BEARER-TAMPERED-401', title: 'BEARER-TAMPERED-401: the token with an altered signature is answered 401', check: (r) => checkBearerRefused('BEARER-TAMPERED-401', r) },
      notForbidden('a tampered token'),
      wwwAuthenticate('the 401 for a tampered token says error="invalid_token"', true),
    ],
  },
  {
    name: 'Bearer alg none',
    group: 'bearer',
    description: 'GET the protected resource with the same claims re-encoded unsigned, alg none.',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.algNoneAccessToken) },
    needsFreshToken: true,
    prepare: (s) => setFresh(s, VARS.algNoneAccessToken, algNoneToken),
    assertions: [
      { clause: 'BEARER-ALG-NONE-401', title: 'BEARER-ALG-NONE-401: the unsigned alg none token is answered 401', check: (r) => checkBearerRefused('BEARER-ALG-NONE-401', r) },
      notForbidden('an alg none token'),
      wwwAuthenticate('the 401 for an alg none token says error="invalid_token"', true),
    ],
  },
  {
    name: 'Expired access token',
    group: 'lifetime',
    description: 'GET the protected resource with an access token past its .expires (configured, saved by an earlier run, or minted by the reference server).',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.expiredAccessToken) },
    prepare: (s) =>
      s.get(VARS.expiredAccessToken) === undefined
        ? { skip: s.get(VARS.expiredTokenNote) ?? 'no expired access token (set MEDIROUTES_EXPIRED_ACCESS_TOKEN or use --expired-token-file)' }
        : {},
    assertions: [
      { clause: 'EXPIRY-REJECTED', title: 'EXPIRY-REJECTED: an access token past its .expires is answered 401', check: (r) => checkExpiredRejected(r) },
      notForbidden('an expired token'),
      wwwAuthenticate('the 401 for an expired token says error="invalid_token"', true),
    ],
  },
  {
    name: 'Token in query only',
    group: 'strict',
    description: 'GET the protected resource with the access token only in ?access_token= (RFC 6750 §2.3, RFC 9700 §4.3.2).',
    request: { method: 'GET', endpoint: 'resource', query: [['access_token', v(VARS.accessToken)]] },
    needsFreshToken: true,
    assertions: [{ clause: 'RFC-QUERY-TOKEN-REJECTED', title: 'RFC-QUERY-TOKEN-REJECTED: a token sent only in the query is not accepted', check: (r) => checkNotAccepted('RFC-QUERY-TOKEN-REJECTED', r) }],
  },
  {
    name: 'Refresh token as bearer',
    group: 'strict',
    description: 'GET the protected resource presenting the refresh token as a bearer token.',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.refreshToken) },
    prepare: (s) => (s.get(VARS.refreshToken) === undefined ? { skip: 'no refresh token: the password grant did not succeed' } : {}),
    assertions: [{ clause: 'RFC-REFRESH-NOT-ACCESS', title: 'RFC-REFRESH-NOT-ACCESS: a refresh token presented as a bearer token is refused', check: (r) => checkNotAccepted('RFC-REFRESH-NOT-ACCESS', r) }],
  },
  {
    name: 'Wrong password',
    group: 'bad-requests',
    description: 'POST /token with a generated wrong password: the one failed login of the run for the real (or negative-test) user.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'password'], ['username', v(VARS.badPasswordUsername)], ['password', v(VARS.wrongPassword)]] },
    failedLogin: true,
    prepare: (s, env) => {
      ensureNegativeInputs(s, env);
      const sameAccount = (s.get(VARS.badPasswordUsername) ?? '').toLowerCase() === (s.get(VARS.username) ?? '').toLowerCase();
      if (sameAccount && s.get(VARS.passwordGrantFailed) === 'true') {
        return { skip: 'the configured password grant already failed: no second failed login for this account in one run (set MEDIROUTES_NEGATIVE_USERNAME to check it anyway)' };
      }
      return {};
    },
    assertions: [
      { clause: 'TOKEN-BAD-PASSWORD-401', title: 'TOKEN-BAD-PASSWORD-401: a wrong password answers 401', check: (r) => checkTokenRefused('TOKEN-BAD-PASSWORD-401', r) },
      { clause: 'TOKEN-ERROR-BODY', title: 'TOKEN-ERROR-BODY: the wrong-password answer carries no token fields', check: (r) => checkTokenErrorBody(r) },
      { clause: 'RFC-ERROR-CODE', title: 'RFC-ERROR-CODE: the wrong-password answer has an RFC 6749 error code', check: (r, _s, c) => checkErrorCode(r, c) },
      { clause: 'RFC-TOKEN-NO-STORE', title: 'RFC-TOKEN-NO-STORE: the token error answer carries Cache-Control: no-store and Pragma: no-cache', check: (r) => checkNoStore(r) },
    ],
    after: (r, s) => s.set(VARS.wrongPasswordAnswer, JSON.stringify(fingerprintOf(r))),
  },
  {
    name: 'Unknown user',
    group: 'bad-requests',
    description: 'POST /token with a generated username that exists nowhere.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'password'], ['username', v(VARS.unknownUsername)], ['password', v(VARS.wrongPassword)]] },
    failedLogin: true,
    prepare: (s, env) => {
      ensureNegativeInputs(s, env);
      return {};
    },
    assertions: [
      { clause: 'TOKEN-UNKNOWN-USER-401', title: 'TOKEN-UNKNOWN-USER-401: an unknown username answers 401', check: (r) => checkTokenRefused('TOKEN-UNKNOWN-USER-401', r) },
      { clause: 'TOKEN-ERROR-BODY', title: 'TOKEN-ERROR-BODY: the unknown-user answer carries no token fields', check: (r) => checkTokenErrorBody(r) },
      { clause: 'RFC-ERROR-CODE', title: 'RFC-ERROR-CODE: the unknown-user answer has an RFC 6749 error code', check: (r, _s, c) => checkErrorCode(r, c) },
      {
        clause: 'RFC-NO-ENUMERATION',
        title: 'RFC-NO-ENUMERATION: the unknown-user answer is identical to the wrong-password answer',
        check: (r, s) => {
          const recorded = s.get(VARS.wrongPasswordAnswer);
          return checkNoEnumeration(recorded === undefined ? undefined : (JSON.parse(recorded) as AnswerFingerprint), r);
        },
      },
    ],
  },
  {
    name: 'Unsupported grant type',
    group: 'bad-requests',
    description: 'POST /token with grant_type=client_credentials.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'client_credentials'], ['username', v(VARS.username)], ['password', v(VARS.password)]] },
    assertions: [
      { clause: 'TOKEN-BAD-GRANT-401', title: 'TOKEN-BAD-GRANT-401: grant_type=client_credentials answers 401', check: (r) => checkTokenRefused('TOKEN-BAD-GRANT-401', r) },
      { clause: 'TOKEN-ERROR-BODY', title: 'TOKEN-ERROR-BODY: the unsupported-grant answer carries no token fields', check: (r) => checkTokenErrorBody(r) },
      { clause: 'RFC-ERROR-CODE', title: 'RFC-ERROR-CODE: the unsupported-grant answer has an RFC 6749 error code', check: (r, _s, c) => checkErrorCode(r, c) },
    ],
  },
  {
    name: 'Missing grant type',
    group: 'bad-requests',
    description: 'POST /token with username and password but no grant_type.',
    request: { method: 'POST', endpoint: 'token', form: [['username', v(VARS.username)], ['password', v(VARS.password)]] },
    assertions: [
      { clause: 'TOKEN-NO-GRANT-401', title: 'TOKEN-NO-GRANT-401: a request without grant_type answers 401', check: (r) => checkTokenRefused('TOKEN-NO-GRANT-401', r) },
      { clause: 'TOKEN-ERROR-BODY', title: 'TOKEN-ERROR-BODY: the missing-grant answer carries no token fields', check: (r) => checkTokenErrorBody(r) },
      { clause: 'RFC-ERROR-CODE', title: 'RFC-ERROR-CODE: the missing-grant answer has an RFC 6749 error code', check: (r, _s, c) => checkErrorCode(r, c) },
    ],
  },
  {
    name: 'Refresh grant',
    group: 'refresh-grant',
    description: 'POST /token with grant_type=refresh_token and the newest refresh token held.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'refresh_token'], ['refresh_token', v(VARS.refreshToken)]] },
    prepare: (s, env) => {
      const access = s.get(VARS.accessToken);
      if (s.get(VARS.refreshToken) === undefined || access === undefined) return { skip: 'no refresh token: the password grant did not succeed' };
      s.set(VARS.previousAccessToken, access);
      s.set(VARS.previousAccessTokenExpires, s.get(VARS.accessTokenExpires));
      const receivedAt = Number(s.get(VARS.accessTokenReceivedAt) ?? '0');
      return { waitMs: Math.max(0, Math.min(REFRESH_GAP_MS, receivedAt + REFRESH_GAP_MS - env.now())) };
    },
    assertions: [
      {
        clause: 'REFRESH-200',
        title: 'REFRESH-200: the refresh grant answers 200 with a body that passes every token and expiry clause',
        check: (r, s, c) => {
          const issued = checkTokenIssued('REFRESH-200', r);
          // Without a 200 there is no token body to judge: say so once, not once per body clause.
          return r.status !== 200 ? issued : [...issued, ...asRefresh200(TOKEN_BODY_CHECKS.flatMap((check) => check(r, s, c)))];
        },
      },
      {
        clause: 'REFRESH-NEW-TOKEN',
        title: 'REFRESH-NEW-TOKEN: the refreshed access token is new and opens a later 24-hour window',
        check: (r, s) => {
          const accessToken = s.get(VARS.previousAccessToken);
          const expiresAt = Number(s.get(VARS.previousAccessTokenExpires) ?? 'NaN');
          return checkRefreshNewToken(accessToken === undefined || !Number.isFinite(expiresAt) ? undefined : { accessToken, expiresAt }, r);
        },
      },
      { clause: 'RFC-TOKEN-NO-STORE', title: 'RFC-TOKEN-NO-STORE: the refresh answer carries Cache-Control: no-store and Pragma: no-cache', check: (r) => checkNoStore(r) },
      { clause: 'RFC-TOKEN-CHARSET', title: 'RFC-TOKEN-CHARSET: refreshed tokens are printable ASCII and the refresh token has at least 128 bits', check: (r) => checkTokenCharset(r) },
    ],
    after: (r, s) => {
      storeTokens(s, r, 'refresh');
    },
  },
  {
    name: 'Bearer accepted after refresh',
    group: 'refresh-grant',
    description: 'GET the protected resource with the refreshed access token.',
    request: { method: 'GET', endpoint: 'resource', bearer: v(VARS.accessToken) },
    needsFreshToken: true,
    assertions: [{ clause: 'BEARER-ACCEPTED', title: 'BEARER-ACCEPTED: the refreshed access token is answered 2xx', check: (r) => checkBearerAccepted(r) }],
  },
  {
    name: 'Invalid refresh token',
    group: 'refresh-grant',
    description: 'POST /token with grant_type=refresh_token and a generated refresh token the server never issued.',
    request: { method: 'POST', endpoint: 'token', form: [['grant_type', 'refresh_token'], ['refresh_token', v(VARS.invalidRefreshToken)]] },
    prepare: (s, env) => {
      ensureNegativeInputs(s, env);
      return {};
    },
    assertions: [
      { clause: 'REFRESH-INVALID-401', title: 'REFRESH-INVALID-401: an invalid refresh token answers 401', check: (r) => checkTokenRefused('REFRESH-INVALID-401', r) },
      { clause: 'TOKEN-ERROR-BODY', title: 'TOKEN-ERROR-BODY: the invalid-refresh answer carries no token fields', check: (r) => checkTokenErrorBody(r) },
      { clause: 'RFC-ERROR-CODE', title: 'RFC-ERROR-CODE: the invalid-refresh answer has an RFC 6749 error code', check: (r, _s, c) => checkErrorCode(r, c) },
    ],
  },
];

export const STEPS: readonly Step[] = DEFINED_STEPS.map((step) => ({ ...step, assertions: [...step.assertions, noServerError(step.name)] }));

/** The step of a request name, or undefined for a request the plan does not know (a user's own). */
export function stepByName(name: string): Step | undefined {
  return STEPS.find((s) => s.name === name);
}

/** Counts a failed login when a login-type step was refused. */
export function recordLoginOutcome(step: Step, response: ObservedResponse, state: RunState): void {
  if (step.failedLogin && response.status !== 200) increment(state, VARS.failedLogins);
}
