/**
 * Password-grant and token-endpoint clauses (CONTRACT.md "Password grant", "Bad requests").
 * Each function is the one definition of its clause, run in mocha and in the Postman sandbox.
 */
import type { CheckContext } from './check-context';
import type { ClauseId } from './clauses';
import { describeValue, maskJwts } from './describe-value';
import { failure, type Failure } from './failure';
import { decodeJwt } from './jwt';
import { headerOf, isJsonObject, parseJsonBody, type ObservedResponse } from './observed-response';
import { withTokenBody } from './token-body';

const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/i;

/** TOKEN-PASSWORD-200 (and the status part of REFRESH-200): 200 with an application/json body. */
export function checkTokenIssued(clause: ClauseId, response: ObservedResponse): Failure[] {
  const failures: Failure[] = [];
  if (response.status !== 200) failures.push(failure(clause, 'status 200', `status ${response.status}${errorHint(response)}`));
  const type = headerOf(response, 'content-type');
  if (type === undefined || !JSON_MEDIA_TYPE.test(type.trim())) {
    failures.push(failure(clause, 'Content-Type application/json (any charset)', type === undefined ? 'no Content-Type' : describeValue(type)));
  }
  return failures;
}

/** TOKEN-BODY-SCHEMA: the body validates against schemas/token-response.schema.json. */
export function checkTokenBodySchema(response: ObservedResponse, ctx: CheckContext): Failure[] {
  return withTokenBody('TOKEN-BODY-SCHEMA', response, (body) =>
    ctx.validator.validate('token-response', body).map((line) => failure('TOKEN-BODY-SCHEMA', 'a body valid against token-response.schema.json', line)),
  );
}

/** TOKEN-USERNAME: userName is the username that was sent, compared case-insensitively. */
export function checkTokenUsername(response: ObservedResponse, sentUsername: string): Failure[] {
  return withTokenBody('TOKEN-USERNAME', response, (body) => {
    const userName = body.userName;
    if (typeof userName === 'string' && userName.toLowerCase() === sentUsername.toLowerCase()) return [];
    // Usernames are not secrets in this contract's sense, but say only whether they matched.
    return [failure('TOKEN-USERNAME', 'userName equal to the username sent (case-insensitive)', typeof userName === 'string' ? `a different userName (${userName.length} chars)` : describeValue(userName))];
  });
}

/** TOKEN-ACCESS-JWT: access_token is a JWT whose header has an alg other than none and whose payload has a numeric exp. */
export function checkAccessJwt(response: ObservedResponse, ctx: CheckContext): Failure[] {
  return withTokenBody('TOKEN-ACCESS-JWT', response, (body) => {
    const jwt = decodeJwt(body.access_token);
    if (!jwt.ok) return [failure('TOKEN-ACCESS-JWT', 'access_token a JWT (three base64url segments, JSON header and payload)', jwt.reason)];
    const expected = 'a JWT header with alg (not none) and claims with a numeric exp';
    return [
      ...ctx.validator.validate('jwt-header', jwt.header).map((line) => failure('TOKEN-ACCESS-JWT', expected, `header ${line.replace(/^body/, '')}`.trim())),
      ...ctx.validator.validate('jwt-claims', jwt.claims).map((line) => failure('TOKEN-ACCESS-JWT', expected, `claims ${line.replace(/^body/, '')}`.trim())),
    ];
  });
}

/** TOKEN-BAD-PASSWORD-401, TOKEN-UNKNOWN-USER-401, TOKEN-BAD-GRANT-401, TOKEN-NO-GRANT-401, REFRESH-INVALID-401. */
export function checkTokenRefused(clause: ClauseId, response: ObservedResponse): Failure[] {
  return response.status === 401 ? [] : [failure(clause, 'status 401', `status ${response.status}${errorHint(response)}`)];
}

/** TOKEN-ERROR-BODY: the answer to a bad token request carries no token fields; a JSON body is an object. */
export function checkTokenErrorBody(response: ObservedResponse): Failure[] {
  const parsed = parseJsonBody(response);
  if (!parsed.ok) return []; // "when present and JSON": an empty or non-JSON body is allowed.
  if (!isJsonObject(parsed.value)) return [failure('TOKEN-ERROR-BODY', 'a JSON object', `JSON ${Array.isArray(parsed.value) ? 'array' : typeof parsed.value}`)];
  const leaked = ['access_token', 'refresh_token'].filter((name) => name in (parsed.value as Record<string, unknown>));
  return leaked.length === 0 ? [] : [failure('TOKEN-ERROR-BODY', 'no token fields in the answer to a bad request', `${leaked.join(' and ')} present (status ${response.status})`)];
}

/** TOKEN-NO-5XX: no request of a run is answered 5xx. */
export function checkNoServerError(response: ObservedResponse, requestName: string): Failure[] {
  return response.status >= 500 ? [failure('TOKEN-NO-5XX', `no 5xx for "${requestName}"`, `status ${response.status}${errorHint(response)}`)] : [];
}

/** A short hint of an error body (its OAuth `error` code), never the body itself. */
function errorHint(response: ObservedResponse): string {
  const parsed = parseJsonBody(response);
  if (parsed.ok && isJsonObject(parsed.value) && typeof parsed.value.error === 'string') {
    return ` (error ${describeValue(maskJwts(parsed.value.error), 60)})`;
  }
  return '';
}
