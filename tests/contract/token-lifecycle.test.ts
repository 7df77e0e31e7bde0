/**
 * The token lifecycle (contract/token-lifecycle.ts) as a client lives it: a cached token, a
 * refresh shortly before expiry so no user request meets a 401, a refresh after a 401, one
 * password grant as the fall-back when the refresh token is refused, one password grant for any
 * number of requests, refresh tokens rotated and never replayed. First through the Node
 * TokenSession on a fake clock, then through the generated collection run by Newman in-process,
 * both against the reference API served by nock; grants are counted where the server sees them.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VARS } from '../../scripts/lib/contract/run-state';
import { MAX_RATE_LIMIT_RETRIES } from '../../scripts/lib/contract/throttle';
import { REFRESH_MARGIN_MS } from '../../scripts/lib/contract/token-lifecycle';
import { bearerOf, pathOf } from '../../scripts/lib/reference/api-request';
import { jsonResponse } from '../../scripts/lib/reference/json-response';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, REFRESH_TOKEN_LIFETIME_SECONDS, type ApiRequest, type ApiResponse, type ReferenceApi, type ReferenceApiOptions } from '../../scripts/lib/reference/reference-api';
import { runContract, type ContractRunResult } from '../../scripts/lib/runner/contract-run';
import { createPlanState } from '../../scripts/lib/runner/plan-executor';
import { createTokenSession, type TokenSession } from '../../scripts/lib/runner/token-session';
import { parseTargetConfig } from '../../scripts/lib/target/target-config';
import { committedCollection } from '../support/contract-harness';
import { serveWithNock, type NockTarget } from '../support/nock-reference';
import { clockSleep, FAKE_START, settingsFor } from '../support/plan-offline';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

interface LifecycleWorld {
  clock: ManualClock;
  api: ReferenceApi;
  target: NockTarget;
  session: TokenSession;
  /** Every wait the session asked for, in order (the fake clock moves instead). */
  sleeps: number[];
  /** Access tokens the resource should refuse from now on, as if revoked. */
  revoked: Set<string>;
  resourceUrl: string;
}

function lifecycleWorld(options: { handle?: (api: ReferenceApi, req: ApiRequest) => ApiResponse | undefined; apiOptions?: Omit<ReferenceApiOptions, 'clock'> } = {}): LifecycleWorld {
  const clock = new ManualClock(FAKE_START);
  const api = createReferenceApi({ ...options.apiOptions, clock });
  const revoked = new Set<string>();
  const target = serveWithNock({
    api,
    baseUrl: 'https://lifecycle.mediroutes.test',
    handle: (req) => {
      const special = options.handle?.(api, req);
      if (special) return special;
      const token = pathOf(req) === api.resourcePath ? bearerOf(req) : undefined;
      if (token !== undefined && revoked.has(token)) return jsonResponse(401, { error: 'invalid_token', error_description: 'revoked' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return api.handle(req);
    },
  });
  const sleeps: number[] = [];
  const session = createTokenSession({
    tokenUrl: `${target.baseUrl}${api.tokenPath}`,
    state: createPlanState(settingsFor(api, 'documented')),
    timeoutMs: 2000,
    now: () => clock.now(),
    sleep: clockSleep(clock, sleeps),
  });
  return { clock, api, target, session, sleeps, revoked, resourceUrl: `${target.baseUrl}${api.resourcePath}` };
}

/** The statuses of the protected requests the server answered, in order. */
function resourceStatuses(w: LifecycleWorld): number[] {
  return w.target.exchanges.filter((e) => pathOf(e.request) === w.api.resourcePath).map((e) => e.response.status);
}

/** Refresh tokens sent: each issued one must be the newest issued before it, and sent once. Returns how many. */
function assertRefreshTokensRotated(target: NockTarget): number {
  const issuedInOrder: string[] = [];
  let refreshes = 0;
  for (const e of target.exchanges) {
    if (pathOf(e.request) !== target.api.tokenPath) continue;
    const form = new URLSearchParams(e.request.body);
    const sent = form.get('grant_type') === 'refresh_token' ? (form.get('refresh_token') ?? '') : undefined;
    // A token the server never issued is the plan's REFRESH-INVALID-401 probe, not the lifecycle.
    if (sent !== undefined && issuedInOrder.includes(sent)) {
      refreshes += 1;
      // Compared by position, never printed: the message must not carry a token.
      assert.equal(issuedInOrder.lastIndexOf(sent), issuedInOrder.length - 1, `refresh ${refreshes} used the newest refresh token issued, no older one`);
      assert.equal(target.tokenRequests('refresh_token').filter((r) => r.form.get('refresh_token') === sent).length, 1, `refresh ${refreshes}: its token was sent once`);
    }
    if (e.response.status === 200) {
      const body = JSON.parse(e.response.body) as { refresh_token?: string };
      if (body.refresh_token) issuedInOrder.push(body.refresh_token);
    }
  }
  return refreshes;
}

describe('contract: the token lifecycle (TokenSession, fake clock, nock)', () => {
  let w: LifecycleWorld;
  afterEach(() => w.target.stop());

  it('caches the token: twenty requests in an hour make one password grant and no refresh', async () => {
    w = lifecycleWorld();
    for (let i = 0; i < 20; i += 1) {
      const answer = await w.session.authorizedGet(w.resourceUrl);
      assert.equal(answer.status, 200, `request ${i + 1}`);
      w.clock.advance(3 * 60 * SECOND);
    }
    assert.equal(w.target.passwordGrants(), 1);
    assert.equal(w.target.tokenRequests('refresh_token').length, 0);
  });

  it(`uses the token until ${REFRESH_MARGIN_MS / SECOND} s before .expires, and refreshes inside that margin, before any 401`, async () => {
    w = lifecycleWorld();
    assert.equal(await w.session.ensureFreshToken(), 'password');
    const expires = Number(w.session.state.get(VARS.accessTokenExpires));
    assert.equal(expires, FAKE_START + DAY);

    w.clock.set(expires - REFRESH_MARGIN_MS - SECOND);
    assert.equal(await w.session.ensureFreshToken(), 'use');
    w.clock.set(expires - REFRESH_MARGIN_MS);
    const answer = await w.session.authorizedGet(w.resourceUrl);
    assert.equal(answer.status, 200);
    assert.equal(w.target.tokenRequests('refresh_token').length, 1, 'refreshed while the old token was still valid');
    assert.equal(Number(w.session.state.get(VARS.accessTokenExpires)), expires - REFRESH_MARGIN_MS + DAY);
    assert.deepEqual(resourceStatuses(w), [200]);
  });

  it('refreshes (never a 401) after a long idle gap past .expires, while the refresh token lives', async () => {
    w = lifecycleWorld();
    await w.session.authorizedGet(w.resourceUrl);
    w.clock.advance(3 * DAY);
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200);
    assert.deepEqual(resourceStatuses(w), [200, 200]);
    assert.equal(w.target.passwordGrants(), 1);
    assert.equal(w.target.tokenRequests('refresh_token').length, 1);
  });

  it('refreshes after a 401: the refused token is marked stale and the next request carries a new one', async () => {
    w = lifecycleWorld();
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200);
    w.revoked.add(w.session.state.get(VARS.accessToken) as string);
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 401);
    assert.equal(w.session.state.get(VARS.accessTokenStale), 'true');
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200);
    assert.equal(w.target.tokenRequests('refresh_token').length, 1);
    assert.equal(w.target.passwordGrants(), 1);
  });

  it('onUnauthorized() alone makes the next ensureFreshToken refresh', async () => {
    w = lifecycleWorld();
    await w.session.ensureFreshToken();
    assert.equal(await w.session.ensureFreshToken(), 'use');
    w.session.onUnauthorized();
    assert.equal(await w.session.ensureFreshToken(), 'refresh');
    assert.equal(await w.session.ensureFreshToken(), 'use');
  });

  it('falls back to exactly one password grant when the refresh token is refused (expired after 14 days)', async () => {
    w = lifecycleWorld();
    await w.session.authorizedGet(w.resourceUrl);
    w.clock.advance(REFRESH_TOKEN_LIFETIME_SECONDS * SECOND + HOUR);
    assert.equal(await w.session.ensureFreshToken(), 'password');
    const refreshes = w.target.tokenRequests('refresh_token');
    assert.deepEqual(refreshes.map((r) => r.response.status), [401]);
    assert.equal(w.target.passwordGrants(), 2, 'the first grant and the one fall-back');
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200);
    assert.equal(w.target.passwordGrants(), 2);
  });

  it('falls back to one password grant, not a loop, when the server refuses every refresh', async () => {
    w = lifecycleWorld({ handle: (_api, req) => (new URLSearchParams(req.body).get('grant_type') === 'refresh_token' ? jsonResponse(401, { error: 'invalid_grant' }) : undefined) });
    await w.session.ensureFreshToken();
    w.session.onUnauthorized();
    assert.equal(await w.session.ensureFreshToken(), 'password');
    assert.equal(w.target.tokenRequests('refresh_token').length, 1);
    assert.equal(w.target.passwordGrants(), 2);
    assert.equal(w.session.state.get(VARS.passwordGrants), '2');
  });

  it('makes one password grant for a week of requests every two hours, rotating refresh tokens and never replaying one', async () => {
    w = lifecycleWorld();
    for (let i = 0; i < 7 * 12; i += 1) {
      assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200, `request ${i + 1}`);
      w.clock.advance(2 * HOUR);
    }
    assert.equal(w.target.passwordGrants(), 1);
    assert.ok(resourceStatuses(w).every((s) => s === 200), 'no request met a 401');
    const refreshes = assertRefreshTokensRotated(w.target);
    assert.ok(refreshes >= 6 && refreshes <= 8, `${refreshes} refreshes in a week`);
  });

  it('tries refused configured credentials once per run, never again (account lockout)', async () => {
    w = lifecycleWorld();
    w.session.state.set(VARS.password, 'not-the-password');
    for (let i = 0; i < 5; i += 1) assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 401);
    assert.equal(w.target.tokenRequests('password').length, 1);
    assert.equal(w.session.state.get(VARS.passwordGrantFailed), 'true');
  });

  it(`waits out a 429 on the token endpoint as Retry-After says, at most ${MAX_RATE_LIMIT_RETRIES} times`, async () => {
    let limited = 2;
    w = lifecycleWorld({ handle: (api, req) => (pathOf(req) === api.tokenPath && limited-- > 0 ? jsonResponse(429, { error: 'rate_limited' }, { 'retry-after': '2' }) : undefined) });
    assert.equal((await w.session.authorizedGet(w.resourceUrl)).status, 200);
    assert.deepEqual(w.sleeps, [2000, 2000]);
    assert.equal(w.target.passwordGrants(), 1);

    w.target.stop();
    w = lifecycleWorld({ handle: (api, req) => (pathOf(req) === api.tokenPath ? jsonResponse(429, { error: 'rate_limited' }, { 'retry-after': '1' }) : undefined) });
    const answer = await w.session.sendTokenRequest([['grant_type', 'password']]);
    assert.equal(answer.status, 429, 'gives up and reports the 429');
    assert.equal(w.target.tokenRequests('password').length, 1 + MAX_RATE_LIMIT_RETRIES);
  });

  it('keeps token requests under 10 per second: a burst of 30 is spread so the reference rate limit never answers 429', async () => {
    const times: number[] = [];
    w = lifecycleWorld({ handle: (api, req) => (pathOf(req) === api.tokenPath ? (times.push(api.clock.now()), undefined) : undefined) });
    for (let i = 0; i < 30; i += 1) await w.session.sendTokenRequest([['grant_type', 'client_credentials']]);
    assert.equal(w.target.exchanges.filter((e) => e.response.status === 429).length, 0);
    for (const t of times) assert.ok(times.filter((u) => u > t - SECOND && u <= t).length <= 8, 'at most 8 in any second');
  });

  it('records a lifecycle transport error in one line and leaves the state without a token', async () => {
    w = lifecycleWorld();
    const session = createTokenSession({ tokenUrl: 'https://unreachable.mediroutes.test/token', state: createPlanState(settingsFor(w.api, 'documented')), timeoutMs: 500, now: () => w.clock.now(), sleep: () => Promise.resolve() });
    assert.equal(await session.ensureFreshToken(), 'password');
    assert.equal(session.state.get(VARS.accessToken), undefined);
    assert.equal(session.errors.length, 1);
    assert.match(session.errors[0] as string, /^POST \/token on unreachable\.mediroutes\.test:443 failed: /);
  });
});

describe('contract: the token lifecycle in the generated collection (Newman in-process, nock)', function () {
  this.timeout(30_000);

  interface NewmanWorld {
    target: NockTarget;
    result: ContractRunResult;
  }

  /** One run of the committed collection against a nock host; the API clock is real time shifted by `offsetMs`. */
  async function newmanRun(host: string, offsetMs: number, extraFlags: string[] = []): Promise<NewmanWorld> {
    const api = createReferenceApi({ clock: { now: () => Date.now() + offsetMs } });
    const target = serveWithNock({ api, baseUrl: host });
    const parsed = parseTargetConfig(['--base-url', host, '--resource-path', api.resourcePath, ...extraFlags], {
      MEDIROUTES_USERNAME: api.demoUser.username,
      MEDIROUTES_PASSWORD: api.demoUser.password,
      MEDIROUTES_EXPIRED_ACCESS_TOKEN: api.mintExpiredAccessToken(),
    });
    if (parsed.kind !== 'ok') throw new Error(`test configuration refused: ${parsed.kind}`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-lifecycle-'));
    try {
      const result = await runContract({ config: parsed.config, collection: committedCollection(), junitPath: path.join(work, 'junit.xml'), htmlPath: path.join(work, 'report.html') });
      return { target, result };
    } catch (error) {
      target.stop();
      throw error;
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  const runs: Partial<Record<'normal' | 'nearExpiry', NewmanWorld>> = {};

  before(async () => {
    // Two hosts, so the runs can share the wait for the refresh gap.
    const [normal, nearExpiry] = await Promise.all([
      newmanRun('https://newman.mediroutes.test', 0),
      // Tokens that expire 30 s after they are issued, as the harness sees it: every request that
      // needs a fresh token must refresh first. A day of allowed skew keeps .issued acceptable.
      newmanRun('https://newman-expiring.mediroutes.test', -(DAY - 30 * SECOND), ['--clock-skew', '86400']),
    ]);
    runs.normal = normal;
    runs.nearExpiry = nearExpiry;
  });
  after(() => {
    runs.normal?.target.stop();
    runs.nearExpiry?.target.stop();
  });

  const run = (name: 'normal' | 'nearExpiry'): NewmanWorld => {
    const found = runs[name];
    assert.ok(found, 'the Newman run happened');
    return found;
  };

  it('runs through nock: every clause of the documented profile passes, exit 0', () => {
    const { result } = run('normal');
    assert.deepEqual(result.verdict?.clauses.filter((c) => c.inProfile && c.status !== 'passed').map((c) => `${c.clause} ${c.status}`), []);
    assert.equal(result.exitCode, 0);
  });

  it('makes exactly one password grant for the whole run, counted by the server', () => {
    const { target, result } = run('normal');
    assert.equal(target.passwordGrants(), 1);
    assert.equal(result.stats?.passwordGrants, 1);
  });

  it('rotates refresh tokens and never replays one', () => {
    assert.equal(assertRefreshTokensRotated(run('normal').target), 1);
  });

  it('refreshes before every request that needs a fresh token when the token is inside the refresh margin, so no such request meets a 401', () => {
    const { target, result } = run('nearExpiry');
    assert.deepEqual(result.verdict?.clauses.filter((c) => c.inProfile && c.status !== 'passed').map((c) => `${c.clause} ${c.status}`), []);
    assert.equal(target.passwordGrants(), 1);
    // Bearer accepted, tampered, alg none, after refresh: four lifecycle refreshes, plus the plan's own.
    assert.equal(assertRefreshTokensRotated(target), 5);
  });
});
