/**
 * Faulty variants of the reference API, each breaking one clause of ../shared/CONTRACT.md (and
 * whatever clauses necessarily depend on it). The harness is run against each and must report
 * exactly `breaks` failed: a check that cannot fail is a defect.
 *
 * Every variant transforms requests and responses around a correct `api.handle`, so the correct
 * behaviour lives in one place and each fault is a few lines saying what it changes.
 * `breaks` is a prediction, confirmed against real harness runs: keep it easy to edit.
 */
import { randomBytes } from 'node:crypto';

import type { ClauseId, Profile } from '../contract/clauses';
import { bearerOf, formOf, pathOf, queryOf, withBearer, withForm } from './api-request';
import { jsonResponse, serverErrorResponse } from './json-response';
import { decodeJwt, type JsonObject } from './jwt';
import { REALM, tokenErrorResponse, type ApiRequest, type ApiResponse, type ReferenceApi } from './reference-api';

export type Handler = (req: ApiRequest) => ApiResponse;

export interface Fault {
  name: string;
  description: string;
  /** The profile to run the harness with against this variant. */
  profile: Profile;
  /** Every clause a correct harness must report failed against this variant. */
  breaks: ClauseId[];
  /** The faulty handler around a correct API. Never throws. */
  wrap(api: ReferenceApi): Handler;
}

const HOUR = 3600;

export const FAULTS: readonly Fault[] = [
  // --- the token response body -------------------------------------------------------------
  fault('expires-in-3600', 'expires_in is 3600 instead of 86400',
    ['EXPIRY-EXPIRES-IN', 'REFRESH-200'],
    editTokenBody((body) => ({ ...body, expires_in: 3600 }))),
  fault('expires-in-string', 'expires_in is the string "86400", not a JSON integer',
    ['TOKEN-BODY-SCHEMA', 'EXPIRY-EXPIRES-IN', 'REFRESH-200'],
    editTokenBody((body) => ({ ...body, expires_in: '86400' }))),
  fault('iso-dates', '.issued and .expires are ISO 8601 instead of RFC 1123',
    // REFRESH-NEW-TOKEN too: an unreadable .expires cannot show the refreshed window is later.
    ['TOKEN-BODY-SCHEMA', 'EXPIRY-WINDOW', 'EXPIRY-ISSUED-NOW', 'EXPIRY-JWT-LIFETIME', 'REFRESH-200', 'REFRESH-NEW-TOKEN'],
    editTokenBody((body) => ({
      ...body,
      '.issued': new Date(Date.parse(String(body['.issued']))).toISOString(),
      '.expires': new Date(Date.parse(String(body['.expires']))).toISOString(),
    }))),
  fault('window-23h', '.expires is .issued + 23 hours; the JWT is unchanged',
    ['EXPIRY-WINDOW', 'EXPIRY-JWT-LIFETIME', 'REFRESH-200'],
    editTokenBody((body) => ({ ...body, '.expires': shiftedDate(body['.issued'], 23 * HOUR) }))),
  fault('issued-stale', '.issued and .expires are both an hour in the past; the JWT is unchanged',
    ['EXPIRY-ISSUED-NOW', 'EXPIRY-JWT-LIFETIME', 'REFRESH-200'],
    editTokenBody((body) => ({
      ...body,
      '.issued': shiftedDate(body['.issued'], -HOUR),
      '.expires': shiftedDate(body['.expires'], -HOUR),
    }))),
  fault('jwt-lifetime-1h', 'the JWT exp is iat + 3600; the body still says 24 hours',
    ['EXPIRY-JWT-LIFETIME', 'REFRESH-200'],
    editAccessTokenClaims((claims) => ({ ...claims, exp: Number(claims['iat']) + HOUR }))),
  fault('jwt-no-exp', 'the JWT has no exp claim',
    ['TOKEN-ACCESS-JWT', 'EXPIRY-JWT-LIFETIME', 'REFRESH-200'],
    editAccessTokenClaims(({ exp: _exp, ...claims }) => claims)),
  fault('username-mismatch', 'userName names another user',
    ['TOKEN-USERNAME', 'REFRESH-200'],
    editTokenBody((body) => ({ ...body, userName: 'someone.else@mediroutes.example' }))),
  fault('content-type-text', 'successful token responses are labelled text/plain',
    ['TOKEN-PASSWORD-200', 'REFRESH-200'],
    (api) => (req) => editTokenSuccess(api, req, api.handle(req), (res) => setHeader(res, 'content-type', 'text/plain; charset=utf-8'))),

  // --- bad requests to the token endpoint --------------------------------------------------
  fault('wrong-password-200', 'a known user with a wrong password gets tokens',
    ['TOKEN-BAD-PASSWORD-401', 'TOKEN-ERROR-BODY'],
    (api) => (req) => {
      const res = api.handle(req);
      const user = isTokenRequest(api, req) && grantTypeOf(req) === 'password' && res.status === 401 ? knownUser(api, req) : undefined;
      if (!user) return res;
      const form = formOf(req) ?? new URLSearchParams();
      form.set('password', user.password);
      return api.handle(withForm(req, form));
    }),
  fault('bad-credentials-400', 'wrong password and unknown user answer 400, as stock OWIN does',
    ['TOKEN-BAD-PASSWORD-401', 'TOKEN-UNKNOWN-USER-401'],
    editTokenError((res, req) => (grantTypeOf(req) === 'password' && errorCodeOf(res) === 'invalid_grant' ? { ...res, status: 400 } : res))),
  fault('bad-grant-400', 'an unsupported or missing grant_type answers 400',
    ['TOKEN-BAD-GRANT-401', 'TOKEN-NO-GRANT-401'],
    editTokenError((res, req) => (isUnsupportedOrMissingGrant(req) ? { ...res, status: 400 } : res))),
  fault('error-body-with-token', 'token-endpoint 401 bodies carry an access_token member',
    ['TOKEN-ERROR-BODY'],
    editTokenError((res) => {
      const body = jsonObjectOf(res);
      return res.status === 401 && body ? withJsonBody(res, { ...body, access_token: 'not-a-token' }) : res;
    })),
  fault('no-grant-500', 'a request without grant_type answers 500',
    ['TOKEN-NO-GRANT-401', 'TOKEN-NO-5XX'],
    (api) => (req) => (isTokenRequest(api, req) && grantTypeOf(req) === undefined ? serverErrorResponse() : api.handle(req))),

  // --- the refresh grant -------------------------------------------------------------------
  fault('refresh-unsupported', 'the refresh grant answers 401 unsupported_grant_type',
    ['REFRESH-200', 'REFRESH-NEW-TOKEN'],
    (api) => (req) =>
      isTokenRequest(api, req) && grantTypeOf(req) === 'refresh_token'
        ? tokenErrorResponse('unsupported_grant_type', 'The grant_type must be password.')
        : api.handle(req)),
  fault('refresh-same-token', 'the refresh grant returns the previous access token and its old dates',
    ['REFRESH-NEW-TOKEN'],
    (api) => {
      // What each refresh token was issued with, so its refresh can hand the same back.
      const issuedWith = boundedMap<JsonObject>();
      return (req) => editTokenSuccess(api, req, api.handle(req), (res) => {
        const body = jsonObjectOf(res);
        if (!body) return res;
        const previous = grantTypeOf(req) === 'refresh_token' ? issuedWith.get(formOf(req)?.get('refresh_token') ?? '') : undefined;
        const kept = previous ?? { access_token: body['access_token'], '.issued': body['.issued'], '.expires': body['.expires'] };
        issuedWith.set(String(body['refresh_token']), kept);
        return withJsonBody(res, { ...body, ...kept });
      });
    }),
  fault('refresh-invalid-accepted', 'any refresh token is accepted (tokens for the demo user)',
    // TOKEN-ERROR-BODY too: the answer to that bad request carries tokens.
    ['REFRESH-INVALID-401', 'TOKEN-ERROR-BODY'],
    (api) => (req) => {
      const res = api.handle(req);
      if (!isTokenRequest(api, req) || grantTypeOf(req) !== 'refresh_token' || res.status !== 401) return res;
      const form = new URLSearchParams({ grant_type: 'password', username: api.demoUser.username, password: api.demoUser.password });
      return api.handle(withForm(req, form));
    }),

  // --- bearer use on the protected resource -------------------------------------------------
  fault('accepts-expired', 'the resource ignores exp',
    ['EXPIRY-REJECTED'],
    editBearer((token, api) => {
      const jwt = decodeJwt(token);
      // Only genuine tokens: re-signing what was received reproduces them exactly.
      if (!jwt || api.signJwt(jwt.payload, jwt.header) !== token) return token;
      return api.signJwt({ ...jwt.payload, exp: Math.floor(api.clock.now() / 1000) + HOUR }, jwt.header);
    })),
  fault('accepts-tampered', 'the resource ignores the signature (but still refuses alg none)',
    ['BEARER-TAMPERED-401'],
    editBearer((token, api) => {
      const jwt = decodeJwt(token);
      return jwt && !isAlgNone(jwt.header) ? api.signJwt(jwt.payload) : token;
    })),
  fault('accepts-alg-none', 'the resource accepts unsigned alg none tokens',
    ['BEARER-ALG-NONE-401'],
    editBearer((token, api) => {
      const jwt = decodeJwt(token);
      return jwt && isAlgNone(jwt.header) ? api.signJwt(jwt.payload) : token;
    })),
  fault('forbidden-403', 'the resource answers 403 where it should answer 401',
    ['BEARER-MISSING-401', 'BEARER-TAMPERED-401', 'BEARER-ALG-NONE-401', 'BEARER-403-IS-NOT-401', 'EXPIRY-REJECTED'],
    editResourceResponse((res) => (res.status === 401 ? { ...res, status: 403 } : res))),
  fault('rejects-valid', 'the resource answers 401 invalid_token to every request',
    ['BEARER-ACCEPTED'],
    editResourceResponse((res) =>
      res.status === 401
        ? res
        : jsonResponse(401, { error: 'invalid_token', error_description: 'The access token is invalid' }, {
          'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is invalid"`,
        }))),

  // --- strict profile: RFC requirements the page does not mention -------------------------
  fault('no-cache-control', 'token responses say Cache-Control: no-cache (as OWIN does), not no-store',
    ['RFC-TOKEN-NO-STORE'],
    (api) => (req) => {
      const res = api.handle(req);
      return pathOf(req) === api.tokenPath ? setHeader(res, 'cache-control', 'no-cache') : res;
    }, 'strict'),
  fault('no-www-authenticate', 'resource 401s carry no WWW-Authenticate',
    ['RFC-WWW-AUTHENTICATE'],
    editResourceResponse((res) => (res.status === 401 ? removeHeader(res, 'www-authenticate') : res)), 'strict'),
  fault('error-code-nonrfc', 'bad credentials answer error "bad_credentials", not an RFC 6749 code',
    ['RFC-ERROR-CODE'],
    editTokenError((res) => {
      const body = jsonObjectOf(res);
      return body && body['error'] === 'invalid_grant' ? withJsonBody(res, { ...body, error: 'bad_credentials' }) : res;
    }), 'strict'),
  fault('enumeration', 'an unknown user gets a different error_description than a wrong password',
    ['RFC-NO-ENUMERATION'],
    (api) => (req) => {
      const res = api.handle(req);
      const body = jsonObjectOf(res);
      const unknownUser = isTokenRequest(api, req) && grantTypeOf(req) === 'password' && body?.['error'] === 'invalid_grant' && !knownUser(api, req);
      return unknownUser && body ? withJsonBody(res, { ...body, error_description: 'The user name does not exist.' }) : res;
    }, 'strict'),
  fault('query-token-accepted', 'the resource accepts a token sent only as ?access_token=',
    ['RFC-QUERY-TOKEN-REJECTED'],
    (api) => (req) => {
      const queryToken = queryOf(req).get('access_token');
      const moved = pathOf(req) === api.resourcePath && bearerOf(req) === undefined && queryToken ? withBearer(req, queryToken) : req;
      return api.handle(moved);
    }, 'strict'),
  fault('refresh-as-access', 'the resource accepts a refresh token as a bearer token',
    ['RFC-REFRESH-NOT-ACCESS'],
    (api) => {
      const accessTokenOf = boundedMap<string>();
      return (req) => {
        const bearer = bearerOf(req);
        const standIn = pathOf(req) === api.resourcePath && bearer ? accessTokenOf.get(bearer) : undefined;
        const res = api.handle(standIn ? withBearer(req, standIn) : req);
        const body = isTokenRequest(api, req) && res.status === 200 ? jsonObjectOf(res) : undefined;
        if (body) accessTokenOf.set(String(body['refresh_token']), String(body['access_token']));
        return res;
      };
    }, 'strict'),
  fault('short-refresh-token', 'refresh tokens carry 8 random bytes (64 bits) instead of 32',
    ['RFC-TOKEN-CHARSET'],
    (api) => {
      const realTokenOf = boundedMap<string>();
      return (req) => {
        const form = isTokenRequest(api, req) && grantTypeOf(req) === 'refresh_token' ? formOf(req) : undefined;
        const real = realTokenOf.get(form?.get('refresh_token') ?? '');
        if (form && real) form.set('refresh_token', real);
        const res = api.handle(form && real ? withForm(req, form) : req);
        return editTokenSuccess(api, req, res, (ok) => {
          const body = jsonObjectOf(ok);
          if (!body) return ok;
          const short = randomBytes(8).toString('base64url');
          realTokenOf.set(short, String(body['refresh_token']));
          return withJsonBody(ok, { ...body, refresh_token: short });
        });
      };
    }, 'strict'),
];

/** The fault of that name, or undefined. */
export function faultByName(name: string): Fault | undefined {
  return FAULTS.find((f) => f.name === name);
}

// --- building blocks ------------------------------------------------------------------------

function fault(name: string, description: string, breaks: ClauseId[], wrap: (api: ReferenceApi) => Handler, profile: Profile = 'documented'): Fault {
  return {
    name,
    description,
    profile,
    breaks,
    wrap(api) {
      const handler = wrap(api);
      // Like api.handle, a variant answers 500 rather than throw into a nock reply or the server.
      return (req) => {
        try {
          return handler(req);
        } catch {
          return serverErrorResponse();
        }
      };
    },
  };
}

function isTokenRequest(api: ReferenceApi, req: ApiRequest): boolean {
  return req.method === 'POST' && pathOf(req) === api.tokenPath;
}

function grantTypeOf(req: ApiRequest): string | undefined {
  const grantType = formOf(req)?.get('grant_type');
  return grantType === null || grantType === '' ? undefined : grantType;
}

function isUnsupportedOrMissingGrant(req: ApiRequest): boolean {
  const grantType = grantTypeOf(req);
  return grantType !== 'password' && grantType !== 'refresh_token';
}

function knownUser(api: ReferenceApi, req: ApiRequest): ReferenceApi['demoUser'] | undefined {
  const username = (formOf(req)?.get('username') ?? '').toLowerCase();
  return api.users.find((u) => u.username.toLowerCase() === username);
}

/** Applies `edit` to the successful (200) answers of the token endpoint. */
function editTokenSuccess(api: ReferenceApi, req: ApiRequest, res: ApiResponse, edit: (res: ApiResponse) => ApiResponse): ApiResponse {
  return isTokenRequest(api, req) && res.status === 200 ? edit(res) : res;
}

/** A variant that edits the JSON body of every successful token response. */
function editTokenBody(edit: (body: JsonObject) => JsonObject): (api: ReferenceApi) => Handler {
  return (api) => (req) =>
    editTokenSuccess(api, req, api.handle(req), (res) => {
      const body = jsonObjectOf(res);
      return body ? withJsonBody(res, edit(body)) : res;
    });
}

/**
 * A variant whose token responses carry a re-signed access token with edited claims. The
 * resource is handed the original back, so the variant keeps accepting its own tokens and only
 * the edit shows: a server that issued exp-less tokens would accept them too.
 */
function editAccessTokenClaims(edit: (claims: JsonObject) => JsonObject): (api: ReferenceApi) => Handler {
  return (api) => {
    const originalOf = boundedMap<string>();
    return (req) => {
      const bearer = pathOf(req) === api.resourcePath ? bearerOf(req) : undefined;
      const original = bearer ? originalOf.get(bearer) : undefined;
      const res = api.handle(original ? withBearer(req, original) : req);
      return editTokenSuccess(api, req, res, (ok) => {
        const body = jsonObjectOf(ok);
        const jwt = decodeJwt(String(body?.['access_token'] ?? ''));
        if (!body || !jwt) return ok;
        const edited = api.signJwt(edit(jwt.payload), jwt.header);
        originalOf.set(edited, String(body['access_token']));
        return withJsonBody(ok, { ...body, access_token: edited });
      });
    };
  };
}

/** A variant that edits every error answer (status >= 400) of the token endpoint. */
function editTokenError(edit: (res: ApiResponse, req: ApiRequest) => ApiResponse): (api: ReferenceApi) => Handler {
  return (api) => (req) => {
    const res = api.handle(req);
    return isTokenRequest(api, req) && res.status >= 400 ? edit(res, req) : res;
  };
}

/** A variant that edits every answer of the protected resource. */
function editResourceResponse(edit: (res: ApiResponse) => ApiResponse): (api: ReferenceApi) => Handler {
  return (api) => (req) => {
    const res = api.handle(req);
    return pathOf(req) === api.resourcePath ? edit(res) : res;
  };
}

/** A variant that swaps the bearer token a resource request carries before the API sees it. */
function editBearer(swap: (token: string, api: ReferenceApi) => string): (api: ReferenceApi) => Handler {
  return (api) => (req) => {
    const token = pathOf(req) === api.resourcePath ? bearerOf(req) : undefined;
    return api.handle(token ? withBearer(req, swap(token, api)) : req);
  };
}

function isAlgNone(header: JsonObject): boolean {
  return typeof header['alg'] === 'string' && header['alg'].toLowerCase() === 'none';
}

function jsonObjectOf(res: ApiResponse): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(res.body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

function errorCodeOf(res: ApiResponse): unknown {
  return jsonObjectOf(res)?.['error'];
}

function withJsonBody(res: ApiResponse, body: JsonObject): ApiResponse {
  return { ...res, body: JSON.stringify(body) };
}

function setHeader(res: ApiResponse, name: string, value: string): ApiResponse {
  return { ...res, headers: { ...res.headers, [name]: value } };
}

function removeHeader(res: ApiResponse, name: string): ApiResponse {
  return { ...res, headers: Object.fromEntries(Object.entries(res.headers).filter(([key]) => key !== name)) };
}

function shiftedDate(value: unknown, seconds: number): string {
  return new Date(Date.parse(String(value)) + seconds * 1000).toUTCString();
}

/** A Map that forgets its oldest entries, so a long `npm run serve -- --fault` stays small. */
function boundedMap<V>(capacity = 10_000): { get(key: string): V | undefined; set(key: string, value: V): void } {
  const entries = new Map<string, V>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      entries.set(key, value);
      if (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
  };
}
