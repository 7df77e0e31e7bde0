/**
 * The clause catalogue of ../shared/CONTRACT.md: every check the project makes carries one of
 * these IDs, in mocha titles, Postman test names, reports and failure messages.
 */
export type Profile = 'documented' | 'strict';

export const PROFILES: readonly Profile[] = ['documented', 'strict'];

/** D: promised by the MediRoutes page. R: RFC requirements checked only in the strict profile. */
export type ClauseKind = 'D' | 'R';

export type ClauseGroup =
  | 'password-grant'
  | 'lifetime'
  | 'bad-requests'
  | 'refresh-grant'
  | 'bearer'
  | 'strict';

export const CLAUSE_GROUP_TITLES: Readonly<Record<ClauseGroup, string>> = {
  'password-grant': 'Password grant',
  lifetime: 'The 24-hour lifetime',
  'bad-requests': 'Bad requests to the token endpoint',
  'refresh-grant': 'Refresh grant',
  bearer: 'Bearer use on protected endpoints',
  strict: 'Strict profile (RFC 6749 / 6750 / 8725 / 9700)',
};

export const CLAUSE_IDS = [
  'TOKEN-PASSWORD-200',
  'TOKEN-BODY-SCHEMA',
  'TOKEN-USERNAME',
  'TOKEN-ACCESS-JWT',
  'EXPIRY-EXPIRES-IN',
  'EXPIRY-WINDOW',
  'EXPIRY-ISSUED-NOW',
  'EXPIRY-JWT-LIFETIME',
  'EXPIRY-REJECTED',
  'TOKEN-BAD-PASSWORD-401',
  'TOKEN-UNKNOWN-USER-401',
  'TOKEN-BAD-GRANT-401',
  'TOKEN-NO-GRANT-401',
  'TOKEN-ERROR-BODY',
  'TOKEN-NO-5XX',
  'REFRESH-200',
  'REFRESH-NEW-TOKEN',
  'REFRESH-INVALID-401',
  'BEARER-ACCEPTED',
  'BEARER-MISSING-401',
  'BEARER-TAMPERED-401',
  'BEARER-ALG-NONE-401',
  'BEARER-403-IS-NOT-401',
  'RFC-TOKEN-NO-STORE',
  'RFC-WWW-AUTHENTICATE',
  'RFC-ERROR-CODE',
  'RFC-NO-ENUMERATION',
  'RFC-QUERY-TOKEN-REJECTED',
  'RFC-REFRESH-NOT-ACCESS',
  'RFC-TOKEN-CHARSET',
] as const;

export type ClauseId = (typeof CLAUSE_IDS)[number];

export interface Clause {
  id: ClauseId;
  kind: ClauseKind;
  group: ClauseGroup;
  /** The sentence of the contract, short enough for a report line. */
  summary: string;
}

export const CLAUSES: readonly Clause[] = [
  { id: 'TOKEN-PASSWORD-200', kind: 'D', group: 'password-grant', summary: 'a valid password grant answers 200 with Content-Type application/json' },
  { id: 'TOKEN-BODY-SCHEMA', kind: 'D', group: 'password-grant', summary: 'the 200 body has every token field with its documented type' },
  { id: 'TOKEN-USERNAME', kind: 'D', group: 'password-grant', summary: 'userName is the username that was sent' },
  { id: 'TOKEN-ACCESS-JWT', kind: 'D', group: 'password-grant', summary: 'access_token is a signed JWT with a numeric exp' },
  { id: 'EXPIRY-EXPIRES-IN', kind: 'D', group: 'lifetime', summary: 'expires_in is exactly 86400' },
  { id: 'EXPIRY-WINDOW', kind: 'D', group: 'lifetime', summary: '.expires - .issued is exactly 86400 seconds' },
  { id: 'EXPIRY-ISSUED-NOW', kind: 'D', group: 'lifetime', summary: '.issued is the time of the response, within the allowed clock skew' },
  { id: 'EXPIRY-JWT-LIFETIME', kind: 'D', group: 'lifetime', summary: 'JWT exp - iat (or nbf) is 86400 and exp equals .expires within 1 s' },
  { id: 'EXPIRY-REJECTED', kind: 'D', group: 'lifetime', summary: 'an access token past its .expires is answered 401' },
  { id: 'TOKEN-BAD-PASSWORD-401', kind: 'D', group: 'bad-requests', summary: 'a wrong password answers 401' },
  { id: 'TOKEN-UNKNOWN-USER-401', kind: 'D', group: 'bad-requests', summary: 'an unknown username answers 401' },
  { id: 'TOKEN-BAD-GRANT-401', kind: 'D', group: 'bad-requests', summary: 'an unsupported grant_type answers 401' },
  { id: 'TOKEN-NO-GRANT-401', kind: 'D', group: 'bad-requests', summary: 'a request without grant_type answers 401' },
  { id: 'TOKEN-ERROR-BODY', kind: 'D', group: 'bad-requests', summary: 'a JSON 401 body is an object with no token fields' },
  { id: 'TOKEN-NO-5XX', kind: 'D', group: 'bad-requests', summary: 'no request of the run is answered 5xx' },
  { id: 'REFRESH-200', kind: 'D', group: 'refresh-grant', summary: 'a refresh grant answers 200 with a body that passes every token and expiry clause' },
  { id: 'REFRESH-NEW-TOKEN', kind: 'D', group: 'refresh-grant', summary: 'the refreshed access token is new and opens a later 24-hour window' },
  { id: 'REFRESH-INVALID-401', kind: 'D', group: 'refresh-grant', summary: 'an invalid refresh token answers 401' },
  { id: 'BEARER-ACCEPTED', kind: 'D', group: 'bearer', summary: 'a fresh access token is answered 2xx by a protected endpoint' },
  { id: 'BEARER-MISSING-401', kind: 'D', group: 'bearer', summary: 'no Authorization header is answered 401' },
  { id: 'BEARER-TAMPERED-401', kind: 'D', group: 'bearer', summary: 'a token with an altered signature is answered 401' },
  { id: 'BEARER-ALG-NONE-401', kind: 'D', group: 'bearer', summary: 'the same claims unsigned with alg none are answered 401' },
  { id: 'BEARER-403-IS-NOT-401', kind: 'D', group: 'bearer', summary: 'a rejected token gets 401, never 403' },
  { id: 'RFC-TOKEN-NO-STORE', kind: 'R', group: 'strict', summary: 'token responses carry Cache-Control: no-store and Pragma: no-cache' },
  { id: 'RFC-WWW-AUTHENTICATE', kind: 'R', group: 'strict', summary: 'a 401 from a protected endpoint carries WWW-Authenticate: Bearer (error="invalid_token" for a bad token)' },
  { id: 'RFC-ERROR-CODE', kind: 'R', group: 'strict', summary: 'token error bodies carry an RFC 6749 error code in its character set' },
  { id: 'RFC-NO-ENUMERATION', kind: 'R', group: 'strict', summary: 'unknown user and wrong password get identical answers' },
  { id: 'RFC-QUERY-TOKEN-REJECTED', kind: 'R', group: 'strict', summary: 'a token sent only as ?access_token= is not accepted' },
  { id: 'RFC-REFRESH-NOT-ACCESS', kind: 'R', group: 'strict', summary: 'a refresh token presented as a bearer token is rejected' },
  { id: 'RFC-TOKEN-CHARSET', kind: 'R', group: 'strict', summary: 'tokens are printable ASCII; the refresh token carries at least 128 bits' },
];

/** The clause record for an ID. */
export function clauseById(id: ClauseId): Clause {
  const clause = CLAUSES.find((c) => c.id === id);
  if (!clause) throw new Error(`unknown clause ${id}`);
  return clause;
}

/** True when a clause belongs to a profile: D clauses to both, R clauses to strict only. */
export function clauseInProfile(id: ClauseId, profile: Profile): boolean {
  return profile === 'strict' || clauseById(id).kind === 'D';
}

/** The clauses a profile checks. */
export function clausesOf(profile: Profile): Clause[] {
  return CLAUSES.filter((c) => clauseInProfile(c.id, profile));
}

/** The clause ID a test title starts with, or undefined. */
export function clauseIdOfTitle(title: string): ClauseId | undefined {
  const head = title.split(':', 1)[0]?.trim();
  return (CLAUSE_IDS as readonly string[]).includes(head ?? '') ? (head as ClauseId) : undefined;
}
