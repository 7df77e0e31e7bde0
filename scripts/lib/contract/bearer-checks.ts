/** Bearer-use clauses on a protected endpoint (CONTRACT.md "Bearer use on protected endpoints"). */
import type { ClauseId } from './clauses';
import { failure, type Failure } from './failure';
import type { ObservedResponse } from './observed-response';

/** BEARER-ACCEPTED: a fresh access token is answered 2xx. */
export function checkBearerAccepted(response: ObservedResponse): Failure[] {
  return response.status >= 200 && response.status < 300 ? [] : [failure('BEARER-ACCEPTED', 'a 2xx status for a fresh access token', `status ${response.status}`)];
}

/** BEARER-MISSING-401, BEARER-TAMPERED-401, BEARER-ALG-NONE-401: the request is answered exactly 401. */
export function checkBearerRefused(clause: ClauseId, response: ObservedResponse): Failure[] {
  return response.status === 401 ? [] : [failure(clause, 'status 401', `status ${response.status}`)];
}

/** BEARER-403-IS-NOT-401: a rejected token gets 401, never 403. */
export function checkNotForbidden(response: ObservedResponse): Failure[] {
  return response.status === 403 ? [failure('BEARER-403-IS-NOT-401', '401 for a rejected token, not 403', 'status 403')] : [];
}
