/**
 * The token lifecycle both worlds follow (collection pre-request script and the mocha client):
 * password grant when nothing is held, refresh grant when the held access token is expired, near
 * expiry or was refused, and one password grant as the fall-back when the refresh is refused.
 */
import { expiresAtOf } from './expiry-checks';
import { isJsonObject, parseJsonBody, type ObservedResponse } from './observed-response';
import { VARS, increment, type RunState } from './run-state';

/** Refresh this long before .expires, so no request of the user's ever meets an expired token. */
export const REFRESH_MARGIN_MS = 60_000;

export type TokenAction = 'use' | 'refresh' | 'password';

/** What to do before a request that needs a fresh access token. */
export function nextTokenAction(state: RunState, now: number): TokenAction {
  const access = state.get(VARS.accessToken);
  const refresh = state.get(VARS.refreshToken);
  const expires = Number(state.get(VARS.accessTokenExpires) ?? 'NaN');
  const usable = access !== undefined && state.get(VARS.accessTokenStale) !== 'true' && Number.isFinite(expires) && now < expires - REFRESH_MARGIN_MS;
  if (usable) return 'use';
  return refresh !== undefined ? 'refresh' : 'password';
}

/** Form fields of the password grant. */
export function passwordGrantForm(username: string, password: string): Array<[string, string]> {
  return [['grant_type', 'password'], ['username', username], ['password', password]];
}

/** Form fields of the refresh grant (RFC 6749 §6). */
export function refreshGrantForm(refreshToken: string): Array<[string, string]> {
  return [['grant_type', 'refresh_token'], ['refresh_token', refreshToken]];
}

/**
 * Keeps the tokens of a successful grant: the newest refresh token replaces the old one (servers
 * may rotate them), so a used one is never replayed. Returns false when the answer holds no token.
 */
export function storeTokens(state: RunState, response: ObservedResponse, grant: 'password' | 'refresh'): boolean {
  if (response.status !== 200) return false;
  const parsed = parseJsonBody(response);
  if (!parsed.ok || !isJsonObject(parsed.value) || typeof parsed.value.access_token !== 'string') return false;
  const body = parsed.value;
  state.set(VARS.accessToken, body.access_token as string);
  if (typeof body.refresh_token === 'string' && body.refresh_token !== '') state.set(VARS.refreshToken, body.refresh_token);
  const expiresAt = expiresAtOf(body);
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
  // Trust .expires; without a readable one, expires_in from arrival; else treat as short-lived.
  const expires = expiresAt ?? (expiresIn !== undefined ? response.receivedAt + expiresIn * 1000 : response.receivedAt);
  state.set(VARS.accessTokenExpires, String(expires));
  state.set(VARS.accessTokenReceivedAt, String(response.receivedAt));
  state.set(VARS.accessTokenStale, undefined);
  if (grant === 'password') increment(state, VARS.passwordGrants);
  return true;
}

/** Forgets a refresh token the server refused, so the next attempt is a password grant. */
export function dropRefreshToken(state: RunState): void {
  state.set(VARS.refreshToken, undefined);
}

/** Marks the held access token as refused (a 401 on a protected request), so it is refreshed next. */
export function markStale(state: RunState): void {
  state.set(VARS.accessTokenStale, 'true');
}
