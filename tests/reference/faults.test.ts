/**
 * Each faulty variant really changes the behaviour it claims to (and the correct API does not
 * show it), and keeps the basics it does not claim to break. A direct check through wrap(api):
 * whether the harness reports exactly `breaks` is the harness's own test, against these variants.
 */
import assert from 'node:assert/strict';

import { CLAUSE_IDS, clauseById, clauseInProfile, type ClauseId } from '../../scripts/lib/contract/clauses';
import { FAULTS, faultByName, type Handler } from '../../scripts/lib/reference/faults';
import { decodeJwt, encodeUnsignedJwt } from '../../scripts/lib/reference/jwt';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, DEMO_USER, type ApiRequest, type ApiResponse, type ReferenceApi } from '../../scripts/lib/reference/reference-api';

const START = Date.UTC(2020, 5, 8, 17, 17, 55);
const HOUR_MS = 3_600_000;
const UNKNOWN_USER = 'nobody@mediroutes.example';

/** Talks to one handler the way the harness does, minus HTTP. */
class Client {
  constructor(readonly handle: Handler, readonly api: ReferenceApi) {}

  token(form: Record<string, string>): ApiResponse {
    const body = new URLSearchParams(form).toString();
    return this.handle(request('POST', this.api.tokenPath, { 'content-type': 'application/x-www-form-urlencoded' }, body));
  }

  login(username = DEMO_USER.username, password = DEMO_USER.password): ApiResponse {
    return this.token({ grant_type: 'password', username, password });
  }

  loginBody(): Record<string, unknown> {
    return json(this.login());
  }

  refresh(refreshToken: string): ApiResponse {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  resource(token?: string, query = ''): ApiResponse {
    return this.handle(request('GET', `${this.api.resourcePath}${query}`, token === undefined ? {} : { authorization: `Bearer ${token}` }));
  }
}

function request(method: string, path: string, headers: Record<string, string>, body = ''): ApiRequest {
  return { method, path, headers, body, clientId: 'faults-test' };
}

function json(res: ApiResponse): Record<string, unknown> {
  return JSON.parse(res.body) as Record<string, unknown>;
}

function advance(c: Client, ms: number): void {
  assert.ok(c.api.clock instanceof ManualClock);
  c.api.clock.advance(ms);
}

const str = (value: unknown): string => String(value);
const seconds = (date: unknown): number => Date.parse(str(date)) / 1000;

/** For each fault: assertions that hold against it and fail against the correct API. */
const SHOWS_FAULT: Record<string, (c: Client) => void> = {
  'expires-in-3600': (c) => assert.equal(c.loginBody()['expires_in'], 3600),
  'expires-in-string': (c) => assert.equal(c.loginBody()['expires_in'], '86400'),
  'iso-dates': (c) => {
    const body = c.loginBody();
    assert.equal(body['.issued'], '2020-06-08T17:17:55.000Z');
    assert.equal(body['.expires'], '2020-06-09T17:17:55.000Z');
  },
  'window-23h': (c) => {
    const body = c.loginBody();
    assert.equal(seconds(body['.expires']) - seconds(body['.issued']), 23 * 3600);
    assert.equal(Number(decodeJwt(str(body['access_token']))?.payload['exp']), START / 1000 + 86400);
  },
  'issued-stale': (c) => {
    const body = c.loginBody();
    assert.equal(seconds(body['.issued']), START / 1000 - 3600);
    assert.equal(seconds(body['.expires']) - seconds(body['.issued']), 86400);
  },
  'jwt-lifetime-1h': (c) => {
    const body = c.loginBody();
    const claims = decodeJwt(str(body['access_token']))?.payload ?? {};
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 3600);
    assert.equal(body['expires_in'], 86400);
  },
  'jwt-no-exp': (c) => {
    const claims = decodeJwt(str(c.loginBody()['access_token']))?.payload ?? {};
    assert.equal('exp' in claims, false);
    assert.equal(typeof claims['iat'], 'number');
  },
  'username-mismatch': (c) => assert.notEqual(str(c.loginBody()['userName']).toLowerCase(), DEMO_USER.username.toLowerCase()),
  'content-type-text': (c) => assert.match(c.login().headers['content-type'] ?? '', /^text\/plain/),
  'wrong-password-200': (c) => {
    const res = c.login(DEMO_USER.username, 'wrong');
    assert.equal(res.status, 200);
    assert.equal(typeof json(res)['access_token'], 'string');
  },
  'bad-credentials-400': (c) => {
    assert.equal(c.login(DEMO_USER.username, 'wrong').status, 400);
    assert.equal(c.login(UNKNOWN_USER, 'wrong').status, 400);
  },
  'bad-grant-400': (c) => {
    assert.equal(c.token({ grant_type: 'client_credentials' }).status, 400);
    assert.equal(c.token({ username: DEMO_USER.username, password: DEMO_USER.password }).status, 400);
  },
  'error-body-with-token': (c) => assert.ok('access_token' in json(c.login(DEMO_USER.username, 'wrong'))),
  'no-grant-500': (c) => assert.equal(c.token({ username: DEMO_USER.username, password: DEMO_USER.password }).status, 500),
  'refresh-unsupported': (c) => {
    const res = c.refresh(str(c.loginBody()['refresh_token']));
    assert.equal(res.status, 401);
    assert.equal(json(res)['error'], 'unsupported_grant_type');
  },
  'refresh-same-token': (c) => {
    const first = c.loginBody();
    advance(c, HOUR_MS);
    const second = json(c.refresh(str(first['refresh_token'])));
    assert.equal(second['access_token'], first['access_token']);
    assert.equal(second['.expires'], first['.expires']);
    const third = json(c.refresh(str(second['refresh_token'])));
    assert.equal(third['access_token'], first['access_token']);
  },
  'refresh-invalid-accepted': (c) => assert.equal(c.refresh('not-a-refresh-token').status, 200),
  'accepts-expired': (c) => assert.equal(c.resource(c.api.mintExpiredAccessToken()).status, 200),
  'accepts-tampered': (c) => {
    const accessToken = str(c.loginBody()['access_token']);
    assert.equal(c.resource(`${accessToken.slice(0, -4)}AAAA`).status, 200);
    assert.equal(c.resource(encodeUnsignedJwt(decodeJwt(accessToken)?.payload ?? {})).status, 401, 'still refuses alg none');
  },
  'accepts-alg-none': (c) => {
    const claims = decodeJwt(str(c.loginBody()['access_token']))?.payload ?? {};
    assert.equal(c.resource(encodeUnsignedJwt(claims)).status, 200);
    assert.equal(c.resource(encodeUnsignedJwt(claims, { alg: 'NoNe' })).status, 200);
  },
  'forbidden-403': (c) => {
    assert.equal(c.resource().status, 403);
    assert.equal(c.resource('garbage').status, 403);
  },
  'rejects-valid': (c) => assert.equal(c.resource(str(c.loginBody()['access_token'])).status, 401),
  'no-cache-control': (c) => {
    assert.notEqual(c.login().headers['cache-control'], 'no-store');
    assert.notEqual(c.login(UNKNOWN_USER, 'wrong').headers['cache-control'], 'no-store');
  },
  'no-www-authenticate': (c) => {
    assert.equal(c.resource().headers['www-authenticate'], undefined);
    assert.equal(c.resource('garbage').headers['www-authenticate'], undefined);
  },
  'error-code-nonrfc': (c) => assert.equal(json(c.login(DEMO_USER.username, 'wrong'))['error'], 'bad_credentials'),
  enumeration: (c) => {
    const wrongPassword = c.login(DEMO_USER.username, 'wrong');
    const unknownUser = c.login(UNKNOWN_USER, 'wrong');
    assert.equal(unknownUser.status, wrongPassword.status);
    assert.notEqual(unknownUser.body, wrongPassword.body);
  },
  'query-token-accepted': (c) => assert.equal(c.resource(undefined, `?access_token=${str(c.loginBody()['access_token'])}`).status, 200),
  'refresh-as-access': (c) => assert.equal(c.resource(str(c.loginBody()['refresh_token'])).status, 200),
  'short-refresh-token': (c) => {
    const refreshToken = str(c.loginBody()['refresh_token']);
    assert.ok(refreshToken.length < 22, refreshToken);
    assert.equal(c.refresh(refreshToken).status, 200, 'the short token still refreshes');
  },
};

/** The basics a variant must keep unless it claims to break their clause: a rough status check each. */
const KEEPS: Array<[ClauseId, (c: Client) => void]> = [
  ['TOKEN-PASSWORD-200', (c) => assert.equal(c.login().status, 200)],
  ['TOKEN-BAD-PASSWORD-401', (c) => assert.equal(c.login(DEMO_USER.username, 'wrong').status, 401)],
  ['TOKEN-UNKNOWN-USER-401', (c) => assert.equal(c.login(UNKNOWN_USER, 'wrong').status, 401)],
  ['TOKEN-BAD-GRANT-401', (c) => assert.equal(c.token({ grant_type: 'client_credentials' }).status, 401)],
  ['TOKEN-NO-GRANT-401', (c) => assert.equal(c.token({}).status, 401)],
  ['REFRESH-200', (c) => assert.equal(c.refresh(str(c.loginBody()['refresh_token'])).status, 200)],
  ['REFRESH-INVALID-401', (c) => assert.equal(c.refresh('not-a-refresh-token').status, 401)],
  ['BEARER-ACCEPTED', (c) => assert.equal(c.resource(str(c.loginBody()['access_token'])).status, 200)],
  ['BEARER-MISSING-401', (c) => assert.equal(c.resource().status, 401)],
  ['BEARER-TAMPERED-401', (c) => assert.equal(c.resource(`${str(c.loginBody()['access_token']).slice(0, -4)}AAAA`).status, 401)],
  ['EXPIRY-REJECTED', (c) => assert.equal(c.resource(c.api.mintExpiredAccessToken()).status, 401)],
];

describe('faulty variants of the reference API', () => {
  const fresh = (): ReferenceApi => createReferenceApi({ clock: new ManualClock(START), rateLimitPerSecond: Infinity });

  it('names each variant once, in kebab-case, and finds it by name', () => {
    const names = FAULTS.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) {
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.equal(faultByName(name)?.name, name);
    }
    assert.equal(faultByName('no-such-fault'), undefined);
  });

  it('lists for each variant known clauses of its profile, and strict only when it needs an R clause', () => {
    for (const fault of FAULTS) {
      assert.ok(fault.breaks.length > 0, fault.name);
      assert.equal(new Set(fault.breaks).size, fault.breaks.length, fault.name);
      for (const id of fault.breaks) {
        assert.ok((CLAUSE_IDS as readonly string[]).includes(id), `${fault.name}: ${id}`);
        assert.ok(clauseInProfile(id, fault.profile), `${fault.name}: ${id} is not in ${fault.profile}`);
      }
      const needsStrict = fault.breaks.some((id) => clauseById(id).kind === 'R');
      assert.equal(fault.profile, needsStrict ? 'strict' : 'documented', fault.name);
    }
  });

  it('has a behaviour check for every variant, and no check without a variant', () => {
    assert.deepEqual(Object.keys(SHOWS_FAULT).sort(), FAULTS.map((f) => f.name).sort());
  });

  for (const fault of FAULTS) {
    describe(`fault ${fault.name}`, () => {
      it(`shows its fault: ${fault.description}`, () => {
        const api = fresh();
        const check = SHOWS_FAULT[fault.name];
        assert.ok(check, `no behaviour check for ${fault.name}`);
        check(new Client(fault.wrap(api), api));
        const correct = fresh();
        assert.throws(() => check(new Client(correct.handle, correct)), assert.AssertionError, 'the correct API passes the same check');
      });

      it('keeps the basics of the clauses it does not claim to break', () => {
        for (const [clause, keep] of KEEPS) {
          if (fault.breaks.includes(clause)) continue;
          const api = fresh();
          assert.doesNotThrow(() => keep(new Client(fault.wrap(api), api)), `${clause} broken by ${fault.name}`);
        }
      });

      it('answers 500 instead of throwing when the API underneath throws', () => {
        const api = fresh();
        const throwing: ReferenceApi = { ...api, handle: () => { throw new Error('boom'); } };
        const res = new Client(fault.wrap(throwing), throwing).login();
        assert.equal(res.status, 500);
      });
    });
  }
});
