/**
 * The Node executor must see every break the Newman run sees: against each faulty variant of the
 * reference API (scripts/lib/reference/faults.ts), served by nock on a fake clock, the plan's
 * failed outcomes name exactly the clauses the variant breaks, and the failure messages show no
 * token. A variant that stays green here is a check the mocha suites cannot fail.
 */
import { strict as assert } from 'node:assert';
import { failureMessage } from '../../scripts/lib/contract/step-evaluation';
import { FAULTS } from '../../scripts/lib/reference/faults';
import type { StepRun } from '../../scripts/lib/runner/plan-executor';
import { failedClausesOf, runPlanOffline } from '../support/plan-offline';

describe('contract: the executed plan fails on exactly what each faulty variant breaks (nock, fake clock)', () => {
  const results = new Map<string, { runs: StepRun[]; secrets: string[] }>();

  before(async () => {
    for (const fault of FAULTS) {
      const run = await runPlanOffline({ profile: fault.profile, fault });
      run.target.stop();
      results.set(fault.name, { runs: run.runs, secrets: [run.target.api.demoUser.password, ...run.target.issuedTokens()] });
    }
  });

  for (const fault of FAULTS) {
    it(`${fault.breaks.join(', ')}: reported failed, and nothing else, against "${fault.name}" (${fault.description}, ${fault.profile})`, () => {
      const result = results.get(fault.name);
      assert.ok(result, 'the plan was executed');
      assert.deepEqual(failedClausesOf(result.runs), [...fault.breaks].sort());
    });
  }

  it('names the broken clause first in every failure message, and never shows a password or token', () => {
    for (const [name, { runs, secrets }] of results) {
      for (const outcome of runs.flatMap((r) => r.outcomes).filter((o) => o.status === 'failed')) {
        const message = failureMessage(outcome);
        for (const line of message.split('\n')) assert.ok(line.startsWith(`${outcome.clause}: expected `), `${name}: a line of ${outcome.clause} starts with its clause`);
        assert.ok(!secrets.some((s) => message.includes(s)), `${name}: ${outcome.clause} shows no secret`);
        assert.doesNotMatch(message, /eyJ[A-Za-z0-9_-]{8,}/, `${name}: ${outcome.clause} shows no JWT`);
      }
    }
  });
});
