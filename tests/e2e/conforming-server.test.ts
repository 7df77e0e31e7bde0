import { strict as assert } from 'node:assert';
import { clausesOf, PROFILES } from '../../scripts/lib/contract/clauses';
import { runAgainst, type HarnessRun } from '../support/contract-harness';

describe('e2e: the contract run against the conforming reference server', function () {
  this.timeout(60_000);
  const runs = new Map<string, HarnessRun>();

  before(async () => {
    const results = await Promise.all(PROFILES.map(async (p) => [p, await runAgainst({ profile: p })] as const));
    for (const [p, run] of results) runs.set(p, run);
  });

  for (const profile of PROFILES) {
    it(`passes every clause of the ${profile} profile and exits 0`, () => {
      const run = runs.get(profile)!;
      const notPassed = run.result.verdict!.clauses.filter((c) => c.inProfile && c.status !== 'passed').map((c) => `${c.clause} ${c.status}`);
      assert.deepEqual(notPassed, []);
      assert.equal(run.result.verdict!.clauses.filter((c) => c.inProfile).length, clausesOf(profile).length);
      assert.equal(run.result.exitCode, 0);
    });

    it(`makes exactly one successful password grant and at most ${profile === 'strict' ? 25 : 25} requests (${profile})`, () => {
      const stats = runs.get(profile)!.result.stats!;
      assert.equal(stats.passwordGrants, 1);
      assert.ok(stats.requests <= 25, `${stats.requests} requests`);
      assert.equal(stats.failedLoginsForUser, 1, 'one wrong password for the configured user');
    });
  }

  it('lists the strict-only clauses as skipped, never passed, under documented', () => {
    const strictOnly = runs.get('documented')!.result.verdict!.clauses.filter((c) => !c.inProfile);
    assert.ok(strictOnly.length > 0);
    for (const c of strictOnly) assert.equal(c.status, 'skipped', c.clause);
  });
});
