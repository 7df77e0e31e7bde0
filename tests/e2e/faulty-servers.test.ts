/**
 * The harness is itself under test: against each faulty variant of the reference server, the
 * contract run must fail on exactly the clauses that variant breaks, and against the conforming
 * server it must pass. A check that cannot fail shows up here as a variant that stays green.
 */
import { strict as assert } from 'node:assert';
import { CLAUSE_IDS } from '../../scripts/lib/contract/clauses';
import { FAULTS } from '../../scripts/lib/reference/faults';
import { failedClauses, runAgainst, type HarnessRun } from '../support/contract-harness';

/** Runs go in parallel: most of a run is waiting (the refresh grant waits for the next second). */
async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

describe('e2e: the contract run against faulty reference servers', function () {
  this.timeout(120_000);
  const runs = new Map<string, HarnessRun>();

  before(async () => {
    const results = await inBatches(FAULTS, 10, async (fault) => [fault.name, await runAgainst({ profile: fault.profile, fault })] as const);
    for (const [name, run] of results) runs.set(name, run);
  });

  it('every clause of the catalogue is broken by at least one faulty variant, so every check is shown to fail', () => {
    const broken = new Set(FAULTS.flatMap((f) => f.breaks));
    assert.deepEqual(CLAUSE_IDS.filter((id) => !broken.has(id)), []);
  });

  for (const fault of FAULTS) {
    it(`${fault.breaks.join(', ')}: the run fails on exactly these clauses against "${fault.name}" (${fault.description})`, () => {
      const run = runs.get(fault.name);
      assert.ok(run, 'the run happened');
      assert.deepEqual(failedClauses(run), [...fault.breaks].sort());
      assert.equal(run.result.exitCode, 1, 'a broken clause makes the run exit 1');
    });
  }
});
