/**
 * The token lifecycle as one sequence, written once for both worlds: the collection's
 * pre-request script (pm.sendRequest, setTimeout) and the Node client of the mocha suites
 * (httpRequest, an injectable sleep). Continuation-passing style, because the Postman sandbox
 * has callbacks and no reliable promises across pm.sendRequest; Node wraps it in a promise.
 *
 * - no token held: one password grant; a held token expired, near expiry or refused: a refresh
 *   grant, and one password grant again when the refresh token is refused;
 * - never a second failed password grant for the configured account in one run (lockout);
 * - token requests stay under the rate limit, and a 429 is waited out a bounded number of times.
 */
import type { ObservedResponse } from './observed-response';
import { VARS, type RunState } from './run-state';
import { MAX_RATE_LIMIT_RETRIES, recordSent, retryAfterMs, throttleDelay } from './throttle';
import { dropRefreshToken, nextTokenAction, passwordGrantForm, refreshGrantForm, storeTokens, type TokenAction } from './token-lifecycle';

/** What the lifecycle needs of its world: a clock, a way to wait, one token request on the wire. */
export interface TokenWire {
  now(): number;
  later(ms: number, next: () => void): void;
  /** One POST to the token endpoint; `undefined` when it got no answer (the world records why). */
  send(form: Array<[string, string]>, requestName: string, done: (response: ObservedResponse | undefined) => void): void;
}

/** Waits until one more token request stays under the rate limit, and records it. */
export function throttleTokenRequest(state: RunState, wire: TokenWire, next: () => void): void {
  const sent = JSON.parse(state.get(VARS.tokenRequestTimes) ?? '[]') as number[];
  wire.later(throttleDelay(sent, wire.now()), () => {
    state.set(VARS.tokenRequestTimes, JSON.stringify(recordSent(sent, wire.now())));
    next();
  });
}

/** One throttled token request, a 429 waited out as Retry-After says, at most MAX_RATE_LIMIT_RETRIES times. */
export function requestToken(
  state: RunState,
  wire: TokenWire,
  form: Array<[string, string]>,
  requestName: string,
  done: (response: ObservedResponse | undefined) => void,
  attempt = 0,
): void {
  throttleTokenRequest(state, wire, () =>
    wire.send(form, requestName, (response) => {
      if (response && response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        return wire.later(retryAfterMs(response.headers['retry-after'], wire.now()), () => requestToken(state, wire, form, requestName, done, attempt + 1));
      }
      return done(response);
    }),
  );
}

/** The password grant of the lifecycle: at most one failed one for the configured account per run. */
function passwordGrant(state: RunState, wire: TokenWire, done: () => void): void {
  if (state.get(VARS.passwordGrantFailed) === 'true') return done();
  return requestToken(state, wire, passwordGrantForm(state.get(VARS.username) ?? '', state.get(VARS.password) ?? ''), 'token lifecycle: password grant', (response) => {
    if (!response || !storeTokens(state, response, 'password')) state.set(VARS.passwordGrantFailed, 'true');
    done();
  });
}

/** Makes sure a fresh access token is held before a request that needs one; says which grant it took. */
export function ensureFreshToken(state: RunState, wire: TokenWire, done: (action: TokenAction) => void): void {
  const action = nextTokenAction(state, wire.now());
  if (action === 'use') return done(action);
  if (action === 'password') return passwordGrant(state, wire, () => done(action));
  return requestToken(state, wire, refreshGrantForm(state.get(VARS.refreshToken) ?? ''), 'token lifecycle: refresh grant', (response) => {
    if (response && storeTokens(state, response, 'refresh')) return done(action);
    // The refresh token was refused: forget it and fall back to one password grant.
    dropRefreshToken(state);
    return passwordGrant(state, wire, () => done('password'));
  });
}
