/**
 * The reference server keeps every D and R clause of the contract, checked over real HTTP on a
 * free loopback port. A ManualClock stands in for time, so the 24-hour lifetime is stepped
 * through instead of waited for.
 */
import assert from 'node:assert/strict';

import Ajv from 'ajv';

import jwtClaimsSchema from '../../schemas/jwt-claims.schema.json';
import jwtHeaderSchema from '../../schemas/jwt-header.schema.json';
import oauthErrorSchema from '../../schemas/oauth-error.schema.json';
import tokenErrorSchema from '../../schemas/token-error.schema.json';
import tokenLifetimeSchema from '../../schemas/token-lifetime.schema.json';
import tokenResponseSchema from '../../schemas/token-response.schema.json';
import { encodeHs256Jwt, encodeUnsignedJwt, decodeJwt } from '../../scripts/lib/reference/jwt';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, DEMO_USER, type ReferenceApi } from '../../scripts/lib/reference/reference-api';
import { startReferenceServer, type RunningServer } from '../../scripts/lib/reference/reference-server';
import { getWithBearer, jsonObject, postForm, sendRequest, type SentResponse } from './send-request';

const ajv = new Ajv({ allErrors: true });
const validators = {
  tokenResponse: ajv.compile(tokenResponseSchema),
  tokenLifetime: ajv.compile(tokenLifetimeSchema),
  tokenError: ajv.compile(tokenErrorSchema),
  oauthError: ajv.compile(oauthErrorSchema),
  jwtHeader: ajv.compile(jwtHeaderSchema),
  jwtClaims: ajv.compile(jwtClaimsSchema),
};

function assertValid(name: keyof typeof validators, data: unknown): void {
  const validate = validators[name];
  assert.ok(validate(data), `${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(data)}`);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function flipLowestBit(char: string): string {
  return BASE64URL.charAt(BASE64URL.indexOf(char) ^ 1);
}

const START = Date.UTC(2020, 5, 8, 17, 17, 55);
const DAY_MS = 86_400_000;

describe('reference API over HTTP', () => {
  const clock = new ManualClock(START);
  let api: ReferenceApi;
  let server: RunningServer;
  let url: string;

  before(async () => {
    // The rate limit has its own suite; here it would only count this suite's requests.
    api = createReferenceApi({ clock, rateLimitPerSecond: Infinity });
    server = await startReferenceServer({ api });
    url = server.url;
  });
  after(() => server.close());
  beforeEach(() => clock.set(START));

  const token = (form: Record<string, string>): Promise<SentResponse> => postForm(url, api.tokenPath, form);
  const passwordGrant = (username = DEMO_USER.username, password = DEMO_USER.password): Promise<SentResponse> =>
    token({ grant_type: 'password', username, password });
  const refreshGrant = (refreshToken: string): Promise<SentResponse> => token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const resource = (accessToken?: string): Promise<SentResponse> => getWithBearer(url, `${api.resourcePath}?riderId=42`, accessToken);
  const login = async (): Promise<Record<string, unknown>> => jsonObject(await passwordGrant());
  const accessTokenOf = async (): Promise<string> => String((await login())['access_token']);

  /** Every kind of bad token-endpoint request the contract names, with its expected error code. */
  const badTokenRequests: Array<[string, Record<string, string>, string]> = [
    ['wrong password', { grant_type: 'password', username: DEMO_USER.username, password: 'wrong' }, 'invalid_grant'],
    ['unknown user', { grant_type: 'password', username: 'nobody@mediroutes.example', password: 'wrong' }, 'invalid_grant'],
    ['missing password', { grant_type: 'password', username: DEMO_USER.username }, 'invalid_request'],
    ['unsupported grant_type', { grant_type: 'client_credentials' }, 'unsupported_grant_type'],
    ['missing grant_type', { username: DEMO_USER.username, password: DEMO_USER.password }, 'invalid_request'],
    ['invalid refresh token', { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }, 'invalid_grant'],
    ['missing refresh token', { grant_type: 'refresh_token' }, 'invalid_request'],
  ];

  describe('password grant', () => {
    it('TOKEN-PASSWORD-200: answers 200 with application/json for valid credentials', async () => {
      const res = await passwordGrant();
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    });

    it('TOKEN-BODY-SCHEMA: the 200 body matches token-response.schema.json', async () => {
      const body = await login();
      assertValid('tokenResponse', body);
      assert.equal(body['token_type'], 'bearer');
      assert.equal(body['.issued'], 'Mon, 08 Jun 2020 17:17:55 GMT');
    });

    it('TOKEN-USERNAME: userName is the username sent, looked up case-insensitively', async () => {
      const body = jsonObject(await passwordGrant(DEMO_USER.username.toUpperCase()));
      assert.equal(body['userName'], DEMO_USER.username);
    });

    it('TOKEN-ACCESS-JWT: access_token is an HS256 JWT naming the user, with numeric exp, iat and nbf', async () => {
      const jwt = decodeJwt(await accessTokenOf());
      assert.ok(jwt);
      assertValid('jwtHeader', jwt.header);
      assertValid('jwtClaims', jwt.payload);
      assert.deepEqual(jwt.header, { alg: 'HS256', typ: 'JWT' });
      assert.equal(jwt.payload['unique_name'], DEMO_USER.username);
      assert.match(String(jwt.payload['sub']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(typeof jwt.payload['nbf'], 'number');
    });

    it('TOKEN-ACCESS-JWT: two tokens issued in the same second differ', async () => {
      const [first, second] = [await accessTokenOf(), await accessTokenOf()];
      assert.notEqual(first, second);
      assert.equal(decodeJwt(first)?.payload['iat'], decodeJwt(second)?.payload['iat']);
    });
  });

  describe('the 24-hour lifetime', () => {
    it('EXPIRY-EXPIRES-IN: expires_in is the JSON integer 86400', async () => {
      const body = await login();
      assertValid('tokenLifetime', body);
      assert.equal(body['expires_in'], 86400);
    });

    it('EXPIRY-WINDOW: .expires is exactly 86400 seconds after .issued', async () => {
      const body = await login();
      assert.equal(Date.parse(String(body['.expires'])) - Date.parse(String(body['.issued'])), DAY_MS);
    });

    it('EXPIRY-ISSUED-NOW: .issued is the current second of the server clock', async () => {
      clock.set(START + 999);
      const body = await login();
      assert.equal(Date.parse(String(body['.issued'])), START);
    });

    it('EXPIRY-JWT-LIFETIME: exp - iat is 86400 and exp equals .expires', async () => {
      const body = await login();
      const claims = decodeJwt(String(body['access_token']))?.payload ?? {};
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 86400);
      assert.equal(Number(claims['exp']) * 1000, Date.parse(String(body['.expires'])));
    });

    it('EXPIRY-REJECTED: a token is still accepted one second (and one millisecond) before its exp', async () => {
      const accessToken = await accessTokenOf();
      clock.set(START + DAY_MS - 1000);
      assert.equal((await resource(accessToken)).status, 200);
      clock.set(START + DAY_MS - 1);
      assert.equal((await resource(accessToken)).status, 200);
    });

    it('EXPIRY-REJECTED: a token is refused with 401 at its exp and after', async () => {
      const accessToken = await accessTokenOf();
      for (const at of [START + DAY_MS, START + DAY_MS + 1000]) {
        clock.set(at);
        const res = await resource(accessToken);
        assert.equal(res.status, 401);
        assert.match(res.headers['www-authenticate'] ?? '', /error="invalid_token", error_description="The access token expired"/);
      }
    });

    it('EXPIRY-REJECTED: mintExpiredAccessToken gives a signed token the resource refuses', async () => {
      const expired = api.mintExpiredAccessToken();
      const claims = decodeJwt(expired)?.payload ?? {};
      assert.equal(Number(claims['exp']), START / 1000 - 3600);
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 86400);
      const res = await resource(expired);
      assert.equal(res.status, 401);
      assert.match(res.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    });

    it('EXPIRY-REJECTED: the expired token was refused for its age alone, not its signature', async () => {
      const expired = api.mintExpiredAccessToken();
      clock.set(START - 2 * 3600 * 1000);
      assert.equal((await resource(expired)).status, 200);
    });
  });

  describe('bad requests to the token endpoint', () => {
    it('TOKEN-BAD-PASSWORD-401: answers 401 invalid_grant for a wrong password', async () => {
      const res = await passwordGrant(DEMO_USER.username, 'not-the-password');
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_grant');
    });

    it('TOKEN-UNKNOWN-USER-401: answers 401 invalid_grant for an unknown username', async () => {
      const res = await passwordGrant('nobody@mediroutes.example', DEMO_USER.password);
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_grant');
    });

    it('TOKEN-BAD-GRANT-401: answers 401 unsupported_grant_type for client_credentials', async () => {
      const res = await token({ grant_type: 'client_credentials', username: DEMO_USER.username, password: DEMO_USER.password });
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'unsupported_grant_type');
    });

    it('TOKEN-NO-GRANT-401: answers 401 invalid_request when grant_type is missing', async () => {
      const res = await token({ username: DEMO_USER.username, password: DEMO_USER.password });
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_request');
    });

    it('TOKEN-NO-GRANT-401: answers 401 to an empty POST without Content-Type', async () => {
      const res = await sendRequest(url, { method: 'POST', path: api.tokenPath });
      assert.equal(res.status, 401);
    });

    it('TOKEN-NO-GRANT-401: answers 401, not 5xx, to a JSON body', async () => {
      const res = await sendRequest(url, {
        method: 'POST',
        path: api.tokenPath,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', ...DEMO_USER }),
      });
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_request');
    });

    it('TOKEN-ERROR-BODY: every token-endpoint 401 is a JSON object without token fields', async () => {
      for (const [what, form] of badTokenRequests) {
        const res = await token(form);
        assert.equal(res.status, 401, what);
        assertValid('tokenError', jsonObject(res));
      }
    });

    it('TOKEN-NO-5XX: malformed token requests answer 4xx, never 5xx', async () => {
      const bodies = ['grant_type=%E0%A4%A', '%%%&&&===', 'grant_type=password&grant_type=password', '\u0000\u00ff\ufffd', `${'x'.repeat(8000)}=1`];
      for (const body of bodies) {
        const res = await sendRequest(url, { method: 'POST', path: api.tokenPath, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(body.slice(0, 40))}`);
        assertValid('oauthError', jsonObject(res));
      }
    });

    it('TOKEN-NO-5XX: an exception inside the handler is a 500 JSON answer, not a throw', () => {
      // A request no HTTP server would build, to reach the last-resort branch.
      const res = api.handle({ method: 'POST', path: api.tokenPath, headers: null as unknown as Record<string, string>, body: '', clientId: 'x' });
      assert.equal(res.status, 500);
      assert.deepEqual(JSON.parse(res.body), { error: 'server_error' });
    });
  });

  describe('refresh grant', () => {
    it('REFRESH-200: a refresh answers 200 with a full token body for the same user', async () => {
      const first = await login();
      const res = await refreshGrant(String(first['refresh_token']));
      assert.equal(res.status, 200);
      const body = jsonObject(res);
      assertValid('tokenResponse', body);
      assertValid('tokenLifetime', body);
      assert.equal(body['userName'], DEMO_USER.username);
    });

    it('REFRESH-NEW-TOKEN: the refreshed access token is new and its 24 hours start at the refresh', async () => {
      const first = await login();
      clock.advance(3600_000);
      const second = jsonObject(await refreshGrant(String(first['refresh_token'])));
      assert.notEqual(second['access_token'], first['access_token']);
      assert.notEqual(second['refresh_token'], first['refresh_token']);
      assert.equal(Date.parse(String(second['.issued'])), START + 3600_000);
      assert.equal(Date.parse(String(second['.expires'])), START + 3600_000 + DAY_MS);
      assert.equal(Number(decodeJwt(String(second['access_token']))?.payload['exp']) * 1000, START + 3600_000 + DAY_MS);
    });

    it('REFRESH-NEW-TOKEN: a refresh token works once (rotation); the new one works', async () => {
      const first = await login();
      const second = jsonObject(await refreshGrant(String(first['refresh_token'])));
      const replay = await refreshGrant(String(first['refresh_token']));
      assert.equal(replay.status, 401);
      assert.equal(jsonObject(replay)['error'], 'invalid_grant');
      assert.equal((await refreshGrant(String(second['refresh_token']))).status, 200);
    });

    it('REFRESH-NEW-TOKEN: a refresh after the access token expired still works', async () => {
      const first = await login();
      clock.advance(DAY_MS + 1000);
      const res = await refreshGrant(String(first['refresh_token']));
      assert.equal(res.status, 200);
      assert.equal((await resource(String(jsonObject(res)['access_token']))).status, 200);
    });

    it('REFRESH-INVALID-401: an unknown refresh token answers 401 invalid_grant', async () => {
      const res = await refreshGrant('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_grant');
    });

    it('REFRESH-INVALID-401: a refresh grant without refresh_token answers 401 invalid_request', async () => {
      const res = await token({ grant_type: 'refresh_token' });
      assert.equal(res.status, 401);
      assert.equal(jsonObject(res)['error'], 'invalid_request');
    });
  });

  describe('bearer use on the protected resource', () => {
    it('BEARER-ACCEPTED: a fresh access token is answered 200 with the rider', async () => {
      const res = await resource(await accessTokenOf());
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(jsonObject(res)['riderId'], '42');
    });

    it('BEARER-ACCEPTED: the Bearer scheme name is matched case-insensitively', async () => {
      const res = await sendRequest(url, { path: api.resourcePath, headers: { authorization: `bearer ${await accessTokenOf()}` } });
      assert.equal(res.status, 200);
    });

    it('BEARER-MISSING-401: no Authorization header answers 401 with a bare Bearer challenge', async () => {
      const res = await resource();
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="MediRoutes"');
    });

    it('BEARER-MISSING-401: a Basic Authorization header counts as no bearer token', async () => {
      const res = await sendRequest(url, { path: api.resourcePath, headers: { authorization: 'Basic ZGVtbzpkZW1v' } });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="MediRoutes"');
    });

    it('BEARER-TAMPERED-401: every alteration of the signature or claims answers 401 invalid_token', async () => {
      const accessToken = await accessTokenOf();
      const [header, payload, signature] = accessToken.split('.') as [string, string, string];
      const claims = decodeJwt(accessToken)?.payload ?? {};
      const flip = (c: string): string => (c === 'A' ? 'B' : 'A');
      const variants = {
        // The last character of a 43-character signature carries two spare bits; flipping one
        // leaves the decoded bytes unchanged, so a check that compares bytes would accept this.
        'spare bit of the last character': `${header}.${payload}.${signature.slice(0, -1)}${flipLowestBit(signature.slice(-1))}`,
        'first character': `${header}.${payload}.${flip(signature.charAt(0))}${signature.slice(1)}`,
        'empty signature': `${header}.${payload}.`,
        'claims changed, signature kept': `${header}.${Buffer.from(JSON.stringify({ ...claims, unique_name: 'admin' })).toString('base64url')}.${signature}`,
        'signed with another key': encodeHs256Jwt(claims, 'another-key-another-key-another-key'),
        'not a JWT': 'not-a-jwt',
      };
      for (const [what, tampered] of Object.entries(variants)) {
        const res = await resource(tampered);
        assert.equal(res.status, 401, what);
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer realm="MediRoutes", error="invalid_token", error_description="[^"\\]+"$/, what);
      }
    });

    it('BEARER-ALG-NONE-401: the same claims unsigned with alg none, in any case, answer 401', async () => {
      const accessToken = await accessTokenOf();
      const claims = decodeJwt(accessToken)?.payload ?? {};
      const signature = accessToken.split('.')[2] ?? '';
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        const unsigned = encodeUnsignedJwt(claims, { alg, typ: 'JWT' });
        assert.equal((await resource(unsigned)).status, 401, alg);
        assert.equal((await resource(`${unsigned}${signature}`)).status, 401, `${alg} with the original signature`);
      }
    });

    it('BEARER-ALG-NONE-401: any algorithm other than HS256 answers 401, even with a valid HS256 signature', async () => {
      const claims = decodeJwt(await accessTokenOf())?.payload ?? {};
      for (const alg of ['HS512', 'hs256', 'RS256']) {
        assert.equal((await resource(api.signJwt(claims, { alg, typ: 'JWT' }))).status, 401, alg);
      }
    });

    it('BEARER-403-IS-NOT-401: no rejection of a token is a 403', async () => {
      const claims = decodeJwt(await accessTokenOf())?.payload ?? {};
      const rejected = [undefined, 'garbage', encodeUnsignedJwt(claims), api.mintExpiredAccessToken()];
      for (const bad of rejected) assert.equal((await resource(bad)).status, 401);
    });
  });

  describe('strict profile', () => {
    it('RFC-TOKEN-NO-STORE: every token-endpoint answer, 200 or error, carries no-store, no-cache and JSON', async () => {
      const answers = [await passwordGrant(), ...(await Promise.all(badTokenRequests.map(([, form]) => token(form))))];
      answers.push(await sendRequest(url, { path: api.tokenPath }));
      for (const res of answers) {
        assert.equal(res.headers['cache-control'], 'no-store', res.body);
        assert.equal(res.headers['pragma'], 'no-cache', res.body);
        assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', res.body);
      }
    });

    it('RFC-WWW-AUTHENTICATE: a presented bad token gets error="invalid_token" in a Bearer challenge', async () => {
      for (const bad of ['garbage', api.mintExpiredAccessToken()]) {
        const challenge = (await resource(bad)).headers['www-authenticate'] ?? '';
        assert.match(challenge, /^Bearer realm="MediRoutes", error="invalid_token", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$/);
      }
    });

    it('RFC-ERROR-CODE: every token error body has an RFC 6749 code and character set', async () => {
      for (const [what, form, code] of badTokenRequests) {
        const body = jsonObject(await token(form));
        assertValid('oauthError', body);
        assert.equal(body['error'], code, what);
      }
    });

    it('RFC-NO-ENUMERATION: unknown user and wrong password get byte-identical status, headers and body', async () => {
      const wrongPassword = await passwordGrant(DEMO_USER.username, 'not-the-password');
      const unknownUser = await passwordGrant('nobody@mediroutes.example', 'not-the-password');
      const withoutDate = ({ date: _date, ...rest }: Record<string, string>): Record<string, string> => rest;
      assert.equal(unknownUser.status, wrongPassword.status);
      assert.deepEqual(withoutDate(unknownUser.headers), withoutDate(wrongPassword.headers));
      assert.equal(unknownUser.body, wrongPassword.body);
    });

    it('RFC-QUERY-TOKEN-REJECTED: a token sent only as ?access_token= is refused as missing', async () => {
      const res = await getWithBearer(url, `${api.resourcePath}?access_token=${await accessTokenOf()}`);
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="MediRoutes"');
    });

    it('RFC-REFRESH-NOT-ACCESS: a refresh token presented as a bearer token answers 401 invalid_token', async () => {
      const res = await resource(String((await login())['refresh_token']));
      assert.equal(res.status, 401);
      assert.match(res.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    });

    it('RFC-TOKEN-CHARSET: tokens are printable ASCII and the refresh token carries 256 bits', async () => {
      const body = await login();
      assert.match(String(body['access_token']), /^[\x21-\x7E]+$/);
      assert.match(String(body['refresh_token']), /^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('routing', () => {
    it('answers 404 JSON for an unknown path', async () => {
      const res = await sendRequest(url, { path: '/v1/unknown' });
      assert.equal(res.status, 404);
      assert.equal(jsonObject(res)['error'], 'not_found');
    });

    it('answers 405 with Allow: POST for a GET on the token endpoint', async () => {
      const res = await sendRequest(url, { path: api.tokenPath });
      assert.equal(res.status, 405);
      assert.equal(res.headers['allow'], 'POST');
      assertValid('oauthError', jsonObject(res));
    });

    it('answers 405 with Allow: GET for a POST to the resource', async () => {
      const res = await sendRequest(url, { method: 'POST', path: api.resourcePath, headers: { authorization: `Bearer ${await accessTokenOf()}` } });
      assert.equal(res.status, 405);
      assert.equal(res.headers['allow'], 'GET');
    });

    it('reads a path like //host/x as a path, not a host', async () => {
      assert.equal((await sendRequest(url, { path: `//example.com${api.tokenPath}` })).status, 404);
    });

    it('serves custom token and resource paths', async () => {
      const custom = createReferenceApi({ clock, tokenPath: '/oauth/token', resourcePath: '/v2/trips', rateLimitPerSecond: Infinity });
      const form = new URLSearchParams({ grant_type: 'password', ...DEMO_USER }).toString();
      const res = custom.handle({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, clientId: 'x' });
      assert.equal(res.status, 200);
      const bearer = { authorization: `Bearer ${String(JSON.parse(res.body).access_token)}` };
      assert.equal(custom.handle({ method: 'GET', path: '/v2/trips', headers: bearer, body: '', clientId: 'x' }).status, 200);
    });

    it('refuses options it cannot honour', () => {
      assert.throws(() => createReferenceApi({ signingKey: 'short' }), /at least 32/);
      assert.throws(() => createReferenceApi({ tokenPath: 'token' }), /must start with/);
      assert.throws(() => createReferenceApi({ tokenPath: '/same', resourcePath: '/same' }), /must differ/);
      assert.throws(() => createReferenceApi({ users: [] }), /at least one user/);
      assert.throws(() => createReferenceApi({ rateLimitPerSecond: -1 }), /non-negative/);
    });
  });
});
