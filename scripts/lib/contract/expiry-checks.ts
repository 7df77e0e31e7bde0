/**
 * The 24-hour lifetime clauses (CONTRACT.md "The 24-hour lifetime"). Dates are read with the
 * strict RFC 1123 parser, never `Date.parse`.
 */
import { LIFETIME_SECONDS, type CheckContext } from './check-context';
import { describeValue } from './describe-value';
import { failure, type Failure } from './failure';
import { decodeJwt } from './jwt';
import { headerOf, type ObservedResponse } from './observed-response';
import { parseRfc1123 } from './rfc1123';
import { withTokenBody } from './token-body';

/** EXPIRY-EXPIRES-IN: expires_in is exactly 86400 (schemas/token-lifetime.schema.json). */
export function checkExpiresIn(response: ObservedResponse, ctx: CheckContext): Failure[] {
  return withTokenBody('EXPIRY-EXPIRES-IN', response, (body) =>
    ctx.validator.validate('token-lifetime', body).map(() => failure('EXPIRY-EXPIRES-IN', `expires_in the integer ${LIFETIME_SECONDS}`, `expires_in ${describeValue(body.expires_in)}`)).slice(0, 1),
  );
}

/** EXPIRY-WINDOW: .expires − .issued is exactly 86400 seconds. */
export function checkExpiryWindow(response: ObservedResponse): Failure[] {
  return withTokenBody('EXPIRY-WINDOW', response, (body) => {
    const issued = parseRfc1123(body['.issued']);
    const expires = parseRfc1123(body['.expires']);
    if (issued === undefined || expires === undefined) {
      return [failure('EXPIRY-WINDOW', '.issued and .expires as RFC 1123 GMT dates', `.issued ${describeValue(body['.issued'])}, .expires ${describeValue(body['.expires'])}`)];
    }
    const window = (expires - issued) / 1000;
    return window === LIFETIME_SECONDS ? [] : [failure('EXPIRY-WINDOW', `.expires - .issued = ${LIFETIME_SECONDS} s`, `${window} s`)];
  });
}

/**
 * EXPIRY-ISSUED-NOW: .issued lies within the allowed skew of the moment the response arrived
 * (the harness clock, or the response Date header when the harness clock is not trusted).
 */
export function checkIssuedNow(response: ObservedResponse, ctx: CheckContext): Failure[] {
  return withTokenBody('EXPIRY-ISSUED-NOW', response, (body) => {
    const issued = parseRfc1123(body['.issued']);
    if (issued === undefined) return [failure('EXPIRY-ISSUED-NOW', '.issued as an RFC 1123 GMT date', describeValue(body['.issued']))];
    let reference = response.receivedAt;
    let source = 'the harness clock';
    if (!ctx.trustLocalClock) {
      const date = parseRfc1123(headerOf(response, 'date'));
      if (date === undefined) return [failure('EXPIRY-ISSUED-NOW', 'a Date header (the harness clock is not trusted)', describeValue(headerOf(response, 'date')))];
      reference = date;
      source = 'the response Date header';
    }
    const offset = Math.round((issued - reference) / 1000);
    return Math.abs(issued - reference) <= ctx.skewSeconds * 1000
      ? []
      : [failure('EXPIRY-ISSUED-NOW', `.issued within ±${ctx.skewSeconds} s of ${source}`, `${offset > 0 ? '+' : ''}${offset} s`)];
  });
}

/** EXPIRY-JWT-LIFETIME: exp − iat (or − nbf) is 86400, and exp equals .expires within 1 s. */
export function checkJwtLifetime(response: ObservedResponse): Failure[] {
  return withTokenBody('EXPIRY-JWT-LIFETIME', response, (body) => {
    const jwt = decodeJwt(body.access_token);
    if (!jwt.ok) return [failure('EXPIRY-JWT-LIFETIME', 'a JWT access_token to read exp from', jwt.reason)];
    const { exp, iat, nbf } = jwt.claims;
    if (typeof exp !== 'number') return [failure('EXPIRY-JWT-LIFETIME', 'a numeric exp claim', `exp ${describeValue(exp)}`)];
    const start = typeof iat === 'number' ? iat : typeof nbf === 'number' ? nbf : undefined;
    const failures: Failure[] = [];
    if (start === undefined) failures.push(failure('EXPIRY-JWT-LIFETIME', 'a numeric iat or nbf claim', 'neither'));
    else if (exp - start !== LIFETIME_SECONDS) failures.push(failure('EXPIRY-JWT-LIFETIME', `exp - ${typeof iat === 'number' ? 'iat' : 'nbf'} = ${LIFETIME_SECONDS} s`, `${exp - start} s`));
    const expires = parseRfc1123(body['.expires']);
    if (expires === undefined) failures.push(failure('EXPIRY-JWT-LIFETIME', '.expires as an RFC 1123 GMT date to compare exp with', describeValue(body['.expires'])));
    else if (Math.abs(exp * 1000 - expires) > 1000) failures.push(failure('EXPIRY-JWT-LIFETIME', 'exp equal to .expires within 1 s', `exp - .expires = ${Math.round((exp * 1000 - expires) / 1000)} s`));
    return failures;
  });
}

/** EXPIRY-REJECTED: a protected endpoint answers 401 to an access token past its .expires. */
export function checkExpiredRejected(response: ObservedResponse): Failure[] {
  return response.status === 401 ? [] : [failure('EXPIRY-REJECTED', 'status 401 for an expired access token', `status ${response.status}`)];
}

/** The epoch-ms instant a token response says its access token expires, if it says so readably. */
export function expiresAtOf(body: Record<string, unknown>): number | undefined {
  return parseRfc1123(body['.expires']);
}
