/**
 * The whole contract plan, offline: the plan's own steps and clause checks (the ones the
 * Postman collection runs) executed from Node against a nock-served reference API on a fake
 * clock. Everything in the profile passes; strict-only clauses are skipped under documented.
 */
import { strict as assert } from 'node:assert';
import { clauseInProfile, PROFILES, type Profile } from '../../scripts/lib/contract/clauses';
import { VARS } from '../../scripts/lib/contract/run-state';
import { STRICT_ONLY } from '../../scripts/lib/contract/step-evaluation';
import type { StepRun } from '../../scripts/lib/runner/plan-executor';
import { httpRequest, TransportError } from '../../scripts/lib/target/http-client';
import { describePlanRun } from '../support/plan-suite';
import { runPlanOffline, type OfflineRun } from '../support/plan-offline';

describe('contract plan offline (nock)', function () {
  it('runs with the network disabled: a host nobody intercepts is refused by nock, not called', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'https://not-intercepted.mediroutes.test/token', timeoutMs: 2000 }),
      (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.match(error.message, /network guard \(nock\) refused/);
        return true;
      },
    );
  });

  it('the network guard is nock\'s NetConnectNotAllowedError underneath', async () => {
    const https = await import('node:https');
    const name = await new Promise<string>((resolve) => {
      const req = https.request('https://not-intercepted.mediroutes.test/', { agent: false }, () => resolve('answered'));
      req.on('error', (error) => resolve(error.name));
      req.end();
    });
    assert.equal(name, 'NetConnectNotAllowedError');
  });

  for (const profile of PROFILES) {
    let offline: OfflineRun | undefined;
    describePlanRun({
      title: `the plan, ${profile} profile, against the conforming reference API`,
      profile,
      execute: async () => {
        offline = await runPlanOffline({ profile });
        return offline.runs;
      },
      cleanup: () => offline?.target.stop(),
      extra: (runs) => extraChecks(profile, runs, () => offline),
    });
  }
});

function extraChecks(profile: Profile, runs: () => readonly StepRun[], offline: () => OfflineRun | undefined): void {
  describe('the run as a whole', () => {
    it('passes every in-profile assertion: none failed, none skipped (but the no-5xx check of a strict-only request that is not sent)', () => {
      const notPassed = runs().flatMap((r) =>
        r.outcomes
          .filter((o) => clauseInProfile(o.clause, profile) && o.status !== 'passed' && o.reason !== STRICT_ONLY)
          .map((o) => `${o.clause} ${o.status}${o.reason ? ` (${o.reason})` : ''}`),
      );
      assert.deepEqual(notPassed, []);
    });

    it('skips the strict-only clauses as strict-only, never passes them', () => {
      const outOfProfile = runs().flatMap((r) => r.outcomes.filter((o) => !clauseInProfile(o.clause, profile)));
      const sentAnyway = runs().flatMap((r) => r.outcomes.filter((o) => o.reason === STRICT_ONLY && clauseInProfile(o.clause, profile) && o.clause !== 'TOKEN-NO-5XX'));
      assert.deepEqual(sentAnyway, []);
      if (profile === 'strict') assert.equal(outOfProfile.length, 0);
      else {
        assert.ok(outOfProfile.length > 0);
        for (const o of outOfProfile) assert.equal(`${o.clause} ${o.status} ${o.reason}`, `${o.clause} skipped ${STRICT_ONLY}`);
      }
    });

    it('makes exactly one successful password grant and one failed login for the configured user', () => {
      const run = offline();
      assert.ok(run);
      assert.equal(run.target.passwordGrants(), 1);
      const failedForUser = run.target.tokenRequests('password').filter((e) => e.response.status !== 200 && e.form.get('username') === run.target.api.demoUser.username);
      assert.equal(failedForUser.length, 1);
      assert.equal(run.state.get(VARS.failedLogins), '2', 'one wrong password, one unknown user');
    });

    it('never replays a refresh token', () => {
      const run = offline();
      assert.ok(run);
      const sent = run.target.tokenRequests('refresh_token').map((e) => e.form.get('refresh_token') ?? '');
      const issued = new Set(run.target.issuedTokens());
      const genuine = sent.filter((t) => issued.has(t));
      assert.ok(genuine.length >= 1, 'the refresh grant used an issued refresh token');
      assert.equal(new Set(genuine).size, genuine.length, 'each issued refresh token is sent at most once');
    });
  });
}
