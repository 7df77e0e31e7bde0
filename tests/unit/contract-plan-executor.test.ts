/**
 * The plan executor's own behaviour, beyond what the conforming and faulty runs show: how it
 * builds requests from steps, what it does without an answer, with a 429, within the profile,
 * and that it counts failed logins the way the collection does.
 */
import { strict as assert } from 'node:assert';
import type { ClauseId } from '../../scripts/lib/contract/clauses';
import { clauseInProfile } from '../../scripts/lib/contract/clauses';
import type { ObservedResponse } from '../../scripts/lib/contract/observed-response';
import { stepByName, STEPS, type Step } from '../../scripts/lib/contract/plan';
import { mapState, VARS } from '../../scripts/lib/contract/run-state';
import { failureMessage } from '../../scripts/lib/contract/step-evaluation';
import { MAX_RATE_LIMIT_RETRIES } from '../../scripts/lib/contract/throttle';
import { formOf, pathOf } from '../../scripts/lib/reference/api-request';
import { jsonResponse } from '../../scripts/lib/reference/json-response';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, type ApiRequest, type ApiResponse } from '../../scripts/lib/reference/reference-api';
import { buildStepRequest, createPlanState, executePlan, resolvePlaceholders, type StepRun } from '../../scripts/lib/runner/plan-executor';
import { httpRequest, TransportError, type HttpRequest } from '../../scripts/lib/target/http-client';
import { serveWithNock } from '../support/nock-reference';
import { checkContext, clockSleep, FAKE_START, runPlanOffline, settingsFor } from '../support/plan-offline';

const URLS = { baseUrl: 'https://api.mediroutes.test', tokenPath: '/token', resourcePath: '/v1/riders/getByRiderId' };

function step(name: string): Step {
  const found = stepByName(name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
}

function statusesOf(run: StepRun | undefined): string[] {
  return (run?.outcomes ?? []).map((o) => `${o.clause} ${o.status}`);
}

describe('plan executor: requests built from the plan', () => {
  it('resolves {{placeholders}} from the run state and leaves unknown ones as written, as Postman does', () => {
    const state = mapState({ a: 'x y', b: 'B' });
    assert.equal(resolvePlaceholders('{{a}}-{{b}}-{{missing}}', state), 'x y-B-{{missing}}');
  });

  it('sends the password grant as an url-encoded form to the token path', () => {
    const state = mapState({ [VARS.username]: 'jane+doe@example.com', [VARS.password]: 'p&ss=wörd' });
    const { request, form } = buildStepRequest(step('Password grant'), state, URLS);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'https://api.mediroutes.test/token');
    assert.equal(request.headers?.['Content-Type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers?.Authorization, undefined);
    const parsed = new URLSearchParams(request.body);
    assert.deepEqual([...parsed.keys()], ['grant_type', 'username', 'password']);
    assert.equal(parsed.get('username'), 'jane+doe@example.com');
    assert.ok(parsed.get('password') === 'p&ss=wörd', 'the password survives the encoding');
    assert.deepEqual(form.map(([k]) => k), ['grant_type', 'username', 'password']);
  });

  it('sends a bearer token in the Authorization header, and none for "Bearer missing"', () => {
    const state = mapState({ [VARS.accessToken]: 'tok' });
    const accepted = buildStepRequest(step('Bearer accepted'), state, URLS).request;
    assert.equal(accepted.method, 'GET');
    assert.equal(accepted.url, 'https://api.mediroutes.test/v1/riders/getByRiderId');
    assert.equal(accepted.headers?.Authorization, 'Bearer tok');
    assert.equal(accepted.body, undefined);
    assert.equal(buildStepRequest(step('Bearer missing'), state, URLS).request.headers?.Authorization, undefined);
  });

  it('URL-encodes a query value and sends no Authorization for "Token in query only"', () => {
    const state = mapState({ [VARS.accessToken]: 'a+b/c=d&e f' });
    const { request } = buildStepRequest(step('Token in query only'), state, URLS);
    assert.equal(request.url, 'https://api.mediroutes.test/v1/riders/getByRiderId?access_token=a%2Bb%2Fc%3Dd%26e%20f');
    assert.equal(request.headers?.Authorization, undefined);
  });

  it('omits grant_type for "Missing grant type"', () => {
    const state = mapState({ [VARS.username]: 'u', [VARS.password]: 'p' });
    assert.equal(new URLSearchParams(buildStepRequest(step('Missing grant type'), state, URLS).request.body).has('grant_type'), false);
  });
});

describe('plan executor: runs', () => {
  it('stamps every answer with the injected clock, never Date.now', async () => {
    const run = await runPlanOffline({ profile: 'documented' });
    run.target.stop();
    const first = run.runs[0]?.response;
    assert.ok(first);
    assert.equal(first.receivedAt, FAKE_START);
    for (const r of run.runs) if (r.response) assert.ok(r.response.receivedAt < FAKE_START + 60_000, r.step.name);
  });

  it('waits the refresh gap on the clock it is given: the refresh lands in a later second', async () => {
    const run = await runPlanOffline({ profile: 'documented' });
    run.target.stop();
    const grant = run.runs.find((r) => r.step.name === 'Password grant')?.response;
    const refresh = run.runs.find((r) => r.step.name === 'Refresh grant')?.response;
    assert.ok(grant && refresh);
    assert.ok(refresh.receivedAt - grant.receivedAt >= 1100);
  });

  it('passes against the conforming API when .issued is judged by the Date header instead of the harness clock', async () => {
    const run = await runPlanOffline({ profile: 'strict', settings: { trustLocalClock: false } });
    run.target.stop();
    const notPassed = run.runs.flatMap((r) => r.outcomes).filter((o) => o.status !== 'passed').map((o) => `${o.clause} ${o.status}`);
    assert.deepEqual(notPassed, []);
  });

  it('does not send a strict-only step under documented, and reports it skipped', async () => {
    const run = await runPlanOffline({ profile: 'documented' });
    run.target.stop();
    assert.equal(run.exchanges.filter((e) => e.url.includes('access_token=')).length, 0);
    const queryOnly = run.runs.find((r) => r.step.name === 'Token in query only');
    assert.equal(queryOnly?.response, undefined);
    assert.deepEqual(queryOnly?.outcomes.map((o) => `${o.status} ${o.reason}`), ['skipped strict profile only', 'skipped strict profile only']);
  });

  it('skips EXPIRY-REJECTED, saying why, when there is no expired token', async () => {
    const run = await runPlanOffline({ profile: 'documented', settings: { expiredAccessToken: undefined, expiredTokenNote: 'the saved token is not yet due' } });
    run.target.stop();
    const expired = run.runs.find((r) => r.step.name === 'Expired access token');
    assert.equal(expired?.response, undefined);
    assert.ok(expired?.outcomes.every((o) => o.status === 'skipped' && o.reason === 'the saved token is not yet due'));
  });

  it('bounds failed logins: one wrong password for the configured user, one unknown user', async () => {
    const run = await runPlanOffline({ profile: 'documented' });
    run.target.stop();
    const refused = run.target.tokenRequests('password').filter((e) => e.response.status !== 200).map((e) => e.form.get('username'));
    assert.equal(refused.length, 2);
    assert.equal(refused.filter((u) => u === run.target.api.demoUser.username).length, 1);
    assert.equal(run.state.get(VARS.failedLogins), '2');
  });

  it('sends the wrong password for the negative-test user instead, when one is configured', async () => {
    const run = await runPlanOffline({ profile: 'documented', settings: { negativeUsername: 'lockable@mediroutes.example' } });
    run.target.stop();
    const refused = run.target.tokenRequests('password').filter((e) => e.response.status !== 200).map((e) => e.form.get('username'));
    assert.equal(refused.filter((u) => u === run.target.api.demoUser.username).length, 0);
    assert.ok(refused.includes('lockable@mediroutes.example'));
  });

  it('with a wrong configured password, fails one login for that account in the whole run, not one per step', async () => {
    const run = await runPlanOffline({ profile: 'documented', settings: { password: 'not-the-password' } });
    run.target.stop();
    const forUser = run.target.tokenRequests('password').filter((e) => e.form.get('username') === run.target.api.demoUser.username);
    assert.equal(forUser.length, 1);
    assert.equal(run.runs.find((r) => r.step.name === 'Password grant')?.outcomes[0]?.status, 'failed');
  });

  it('never sends the real password with a wrong-password or unknown-user request', async () => {
    const run = await runPlanOffline({ profile: 'strict' });
    run.target.stop();
    const refused = run.target.tokenRequests('password').filter((e) => e.response.status !== 200);
    assert.ok(refused.every((e) => e.form.get('password') !== run.target.api.demoUser.password));
  });
});

describe('plan executor: no answer, or a rate limit', () => {
  const clock = new ManualClock(FAKE_START);

  async function execute(options: { send?: (req: HttpRequest) => Promise<ObservedResponse>; profile?: 'documented' | 'strict'; handle?: (req: ApiRequest) => ApiResponse | undefined }): Promise<{ runs: StepRun[]; sleeps: number[] }> {
    const api = createReferenceApi({ clock });
    const special = options.handle;
    const target = serveWithNock({ api, baseUrl: 'https://executor.mediroutes.test', ...(special ? { handle: (req: ApiRequest) => special(req) ?? api.handle(req) } : {}) });
    const sleeps: number[] = [];
    try {
      const runs = await executePlan({
        baseUrl: target.baseUrl,
        tokenPath: api.tokenPath,
        resourcePath: api.resourcePath,
        state: createPlanState(settingsFor(api, options.profile ?? 'documented')),
        ctx: checkContext(),
        profile: options.profile ?? 'documented',
        timeoutMs: 2000,
        now: () => clock.now(),
        sleep: clockSleep(clock, sleeps),
        ...(options.send ? { send: options.send } : {}),
      });
      return { runs, sleeps };
    } finally {
      target.stop();
    }
  }

  async function executeWithBudget(budgetMs: number): Promise<{ runs: StepRun[] }> {
    const api = createReferenceApi({ clock });
    const target = serveWithNock({ api, baseUrl: 'https://executor.mediroutes.test' });
    try {
      const runs = await executePlan({
        baseUrl: target.baseUrl,
        tokenPath: api.tokenPath,
        resourcePath: api.resourcePath,
        state: createPlanState(settingsFor(api, 'documented')),
        ctx: checkContext(),
        profile: 'documented',
        timeoutMs: 2000,
        budgetMs,
        now: () => clock.now(),
        sleep: clockSleep(clock),
      });
      return { runs };
    } finally {
      target.stop();
    }
  }

  it('fails every in-profile assertion of a step that got no answer, with the one-line transport error, and goes on', async () => {
    const { runs } = await execute({
      send: (req) =>
        req.method === 'GET' && req.headers?.Authorization === undefined && !req.url.includes('?')
          ? Promise.reject(new TransportError('reset', 'GET /v1/riders/getByRiderId on executor.mediroutes.test:443 failed: the server reset or closed the connection before answering (ECONNRESET)', 'ECONNRESET'))
          : httpRequest(req),
    });
    const missing = runs.find((r) => r.step.name === 'Bearer missing');
    assert.equal(missing?.error, 'GET /v1/riders/getByRiderId on executor.mediroutes.test:443 failed: the server reset or closed the connection before answering (ECONNRESET)');
    assert.deepEqual(statusesOf(missing), ['BEARER-MISSING-401 failed', 'BEARER-403-IS-NOT-401 failed', 'RFC-WWW-AUTHENTICATE skipped', 'TOKEN-NO-5XX failed']);
    const failure = missing?.outcomes[0]?.failures[0];
    assert.deepEqual(failure, { clause: 'BEARER-MISSING-401', expected: 'an answer to "Bearer missing"', seen: missing?.error });
    // The rest of the run went on.
    assert.ok(runs.filter((r) => r.step.name !== 'Bearer missing').every((r) => r.outcomes.every((o) => o.status !== 'failed')));
  });

  it('against a target that never answers, passes nothing: every in-profile assertion fails, and the run ends', async () => {
    // (Most steps are then not sent at all: see the next test.)
    const refused = (): Promise<ObservedResponse> => Promise.reject(new TransportError('refused', 'POST /token on executor.mediroutes.test:443 failed: connection refused: nothing is listening there (ECONNREFUSED)', 'ECONNREFUSED'));
    for (const profile of ['documented', 'strict'] as const) {
      const { runs } = await execute({ send: refused, profile });
      const outcomes = runs.flatMap((r) => r.outcomes);
      assert.equal(outcomes.filter((o) => o.status === 'passed').length, 0, profile);
      const inProfileNotFailed = outcomes.filter((o) => clauseInProfile(o.clause, profile) && o.status !== 'failed');
      // Only steps that could not even be prepared (no token was ever issued) are skipped.
      assert.ok(inProfileNotFailed.every((o) => o.status === 'skipped' && o.reason !== undefined), profile);
      const failedClauses = new Set(outcomes.filter((o) => o.status === 'failed').map((o) => o.clause));
      for (const clause of ['TOKEN-PASSWORD-200', 'BEARER-MISSING-401', 'TOKEN-BAD-PASSWORD-401', 'REFRESH-INVALID-401'] as ClauseId[]) assert.ok(failedClauses.has(clause), `${profile}: ${clause}`);
    }
  });

  it('stops sending after two requests in a row got no answer: the rest fail as not sent, in bounded time', async () => {
    let sent = 0;
    const { runs } = await execute({
      send: () => {
        sent += 1;
        return Promise.reject(new TransportError('timeout', 'POST /token on executor.mediroutes.test:443 failed: no complete response within 2000 ms', 'ETIMEDOUT'));
      },
    });
    assert.equal(sent, 2, 'the password grant and the first lifecycle retry, then nothing');
    const last = runs[runs.length - 1];
    assert.equal(last?.error, 'not sent: the target stopped answering (2 requests in a row got no answer)');
    assert.equal(last?.halted, 'unanswered');
    assert.deepEqual(statusesOf(last), ['REFRESH-INVALID-401 failed', 'TOKEN-ERROR-BODY failed', 'RFC-ERROR-CODE skipped', 'TOKEN-NO-5XX failed']);
  });

  it('sends nothing once the run budget is used up, and fails what it did not send', async () => {
    const { runs } = await executeWithBudget(1000);
    const notSent = runs.filter((r) => r.error?.startsWith('not sent: the run budget of 1000 ms was used up'));
    // The refresh gap (1.1 s on the fake clock) uses the budget up: the steps after the refresh are not sent.
    assert.deepEqual(notSent.map((r) => r.step.name), ['Bearer accepted after refresh', 'Invalid refresh token']);
    assert.ok(notSent.every((r) => r.halted === 'budget'));
  });

  it('turns anything else a sender throws into a one-line failure, never a pass or a crash', async () => {
    const { runs } = await execute({ send: () => Promise.reject(new TypeError('socket exploded\n    at somewhere (internal)')) });
    const grant = runs.find((r) => r.step.name === 'Password grant');
    assert.equal(grant?.error, 'POST request failed: TypeError');
    assert.ok(grant?.outcomes.every((o) => o.status !== 'passed'));
  });

  const badGrant = (req: ApiRequest): boolean => pathOf(req) === '/token' && formOf(req)?.get('grant_type') === 'client_credentials';

  it('waits out a 429 on a step as Retry-After says, repeats it, and judges the answer after it', async () => {
    let limited = 2;
    const { runs, sleeps } = await execute({ handle: (req) => (badGrant(req) && limited-- > 0 ? jsonResponse(429, { error: 'rate_limited' }, { 'retry-after': '3' }) : undefined) });
    assert.deepEqual(sleeps.filter((ms) => ms === 3000), [3000, 3000]);
    const step = runs.find((r) => r.step.name === 'Unsupported grant type');
    assert.equal(step?.response?.status, 401);
    assert.deepEqual(statusesOf(step), ['TOKEN-BAD-GRANT-401 passed', 'TOKEN-ERROR-BODY passed', 'RFC-ERROR-CODE skipped', 'TOKEN-NO-5XX passed']);
  });

  it(`gives up after ${MAX_RATE_LIMIT_RETRIES} retries and judges the 429 itself (a failure, never a pass)`, async () => {
    let sent = 0;
    const { runs } = await execute({ handle: (req) => (badGrant(req) ? ((sent += 1), jsonResponse(429, { error: 'rate_limited' }, { 'retry-after': '1' })) : undefined) });
    assert.equal(sent, 1 + MAX_RATE_LIMIT_RETRIES);
    const step = runs.find((r) => r.step.name === 'Unsupported grant type');
    assert.equal(verdictLine(step, 'TOKEN-BAD-GRANT-401'), 'TOKEN-BAD-GRANT-401: expected status 401; saw status 429 (error "rate_limited")');
  });
});

function verdictLine(run: StepRun | undefined, clause: ClauseId): string {
  const outcome = run?.outcomes.find((o) => o.clause === clause);
  return outcome ? failureMessage(outcome) || outcome.status : 'no outcome';
}

describe('plan executor: the plan it executes', () => {
  it('executes every step of the plan in order, one outcome per assertion', async () => {
    const run = await runPlanOffline({ profile: 'strict' });
    run.target.stop();
    assert.deepEqual(run.runs.map((r) => r.step.name), STEPS.map((s) => s.name));
    for (const r of run.runs) assert.deepEqual(r.outcomes.map((o) => o.title), r.step.assertions.map((a) => a.title));
  });
});
