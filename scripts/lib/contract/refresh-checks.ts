/** Refresh-grant clauses (CONTRACT.md "Refresh grant"). */
import { failure, type Failure } from './failure';
import type { ObservedResponse } from './observed-response';
import { parseRfc1123 } from './rfc1123';
import { withTokenBody } from './token-body';

/** What the harness held before the refresh: the access token and when it expires (epoch ms). */
export interface PreviousToken {
  accessToken: string;
  expiresAt: number;
}

/** REFRESH-NEW-TOKEN: a new access_token, with an .expires later than the one it replaces. */
export function checkRefreshNewToken(previous: PreviousToken | undefined, response: ObservedResponse): Failure[] {
  if (!previous) return [failure('REFRESH-NEW-TOKEN', 'a token from the password grant to compare with', 'none held')];
  return withTokenBody('REFRESH-NEW-TOKEN', response, (body) => {
    const failures: Failure[] = [];
    if (typeof body.access_token !== 'string' || body.access_token === previous.accessToken) {
      failures.push(failure('REFRESH-NEW-TOKEN', 'an access_token different from the one it replaces', typeof body.access_token === 'string' ? 'the same access_token' : 'no access_token'));
    }
    const before = previous.expiresAt;
    const after = parseRfc1123(body['.expires']);
    if (after === undefined) {
      failures.push(failure('REFRESH-NEW-TOKEN', 'a readable .expires to compare with the replaced token', 'an unreadable .expires'));
    } else if (after <= before) {
      failures.push(failure('REFRESH-NEW-TOKEN', '.expires later than the replaced token\'s (a fresh 24-hour window)', `${(after - before) / 1000} s later`));
    }
    return failures;
  });
}
