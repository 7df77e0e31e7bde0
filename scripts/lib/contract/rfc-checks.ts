/** Strict-profile clauses (CONTRACT.md "Strict profile (R)"): RFC 6749 / 6750 / 8725 / 9700. */
import type { CheckContext } from './check-context';
import type { ClauseId } from './clauses';
import { describeValue } from './describe-value';
import { failure, type Failure } from './failure';
import { headerOf, isJsonObject, parseJsonBody, type ObservedResponse } from './observed-response';
import { withTokenBody } from './token-body';

/** RFC-TOKEN-NO-STORE: token responses carry Cache-Control: no-store and Pragma: no-cache. */
export function checkNoStore(response: ObservedResponse): Failure[] {
  const failures: Failure[] = [];
  const cacheControl = headerOf(response, 'cache-control');
  const directives = (cacheControl ?? '').split(',').map((d) => d.trim().toLowerCase());
  if (!directives.includes('no-store')) failures.push(failure('RFC-TOKEN-NO-STORE', 'Cache-Control: no-store', cacheControl === undefined ? 'no Cache-Control' : describeValue(cacheControl)));
  const pragma = headerOf(response, 'pragma');
  if ((pragma ?? '').trim().toLowerCase() !== 'no-cache') failures.push(failure('RFC-TOKEN-NO-STORE', 'Pragma: no-cache', pragma === undefined ? 'no Pragma' : describeValue(pragma)));
  return failures;
}

/** True when a check applies: RFC-WWW-AUTHENTICATE speaks only of 401 answers. */
export function isUnauthorized(response: ObservedResponse): boolean {
  return response.status === 401;
}

/**
 * RFC-WWW-AUTHENTICATE: a 401 from a protected endpoint carries WWW-Authenticate: Bearer, with
 * error="invalid_token" when a (bad) token was presented (RFC 6750 §3).
 */
export function checkWwwAuthenticate(response: ObservedResponse, tokenPresented: boolean): Failure[] {
  const challenge = headerOf(response, 'www-authenticate');
  if (challenge === undefined || !/^\s*bearer\b/i.test(challenge)) {
    return [failure('RFC-WWW-AUTHENTICATE', 'WWW-Authenticate: Bearer … on a 401', challenge === undefined ? 'no WWW-Authenticate' : describeValue(challenge))];
  }
  if (tokenPresented && !/\berror\s*=\s*"?invalid_token"?/i.test(challenge)) {
    return [failure('RFC-WWW-AUTHENTICATE', 'error="invalid_token" for a presented bad token', describeValue(challenge))];
  }
  return [];
}

/** RFC-ERROR-CODE: a token error body is JSON with an RFC 6749 §5.2 error code in its character set. */
export function checkErrorCode(response: ObservedResponse, ctx: CheckContext): Failure[] {
  const parsed = parseJsonBody(response);
  if (!parsed.ok) return [failure('RFC-ERROR-CODE', 'a JSON error body', parsed.reason)];
  return ctx.validator.validate('oauth-error', parsed.value).map((line) => failure('RFC-ERROR-CODE', 'an RFC 6749 §5.2 error body', line));
}

/** The parts of a token-endpoint answer RFC-NO-ENUMERATION compares. */
export interface AnswerFingerprint {
  status: number;
  body: string;
}

export function fingerprintOf(response: ObservedResponse): AnswerFingerprint {
  return { status: response.status, body: response.body };
}

/** RFC-NO-ENUMERATION: unknown user and wrong password get identical answers (status and body). */
export function checkNoEnumeration(wrongPassword: AnswerFingerprint | undefined, unknownUser: ObservedResponse): Failure[] {
  if (!wrongPassword) return [failure('RFC-NO-ENUMERATION', 'the wrong-password answer to compare with', 'none recorded')];
  const failures: Failure[] = [];
  if (wrongPassword.status !== unknownUser.status) failures.push(failure('RFC-NO-ENUMERATION', 'the same status for unknown user and wrong password', `${unknownUser.status} vs ${wrongPassword.status}`));
  if (wrongPassword.body !== unknownUser.body) failures.push(failure('RFC-NO-ENUMERATION', 'the same body for unknown user and wrong password', 'bodies differ'));
  return failures;
}

/** RFC-QUERY-TOKEN-REJECTED, RFC-REFRESH-NOT-ACCESS: the credential is not accepted (no 2xx). */
export function checkNotAccepted(clause: ClauseId, response: ObservedResponse): Failure[] {
  return response.status >= 200 && response.status < 300 ? [failure(clause, 'a refusal (not 2xx)', `status ${response.status}`)] : [];
}

const PRINTABLE_ASCII = /^[\x21-\x7E]+$/;

/** RFC-TOKEN-CHARSET: tokens are printable ASCII; the refresh token has ≥ 128 bits (≥ 22 base64url chars). */
export function checkTokenCharset(response: ObservedResponse): Failure[] {
  return withTokenBody('RFC-TOKEN-CHARSET', response, (body) => {
    const failures: Failure[] = [];
    for (const name of ['access_token', 'refresh_token']) {
      const value = body[name];
      if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) failures.push(failure('RFC-TOKEN-CHARSET', `${name} in printable ASCII`, typeof value === 'string' ? 'other characters' : describeValue(value)));
    }
    const refresh = body.refresh_token;
    if (typeof refresh === 'string' && refresh.length < 22) failures.push(failure('RFC-TOKEN-CHARSET', 'a refresh_token of at least 22 characters (128 bits)', `${refresh.length} characters`));
    return failures;
  });
}

/** Reads a member of a JSON object body, when there is one. */
export function bodyMember(response: ObservedResponse, name: string): unknown {
  const parsed = parseJsonBody(response);
  return parsed.ok && isJsonObject(parsed.value) ? parsed.value[name] : undefined;
}
