/**
 * The contract plan as mocha tests, shared by the offline suite (nock) and live mode: a describe
 * per step, an it per assertion titled exactly as the assertion (clause ID first), judged by the
 * outcome evaluateStep produced. The plan executes once, in before(); the its only read results.
 *
 * Nothing secret reaches mocha: a failure is reported with assert.fail(failureMessage(outcome)),
 * whose text the checks have already masked; no token is ever handed to an equality assertion,
 * whose message would print it.
 */
import { strict as assert } from 'node:assert';
import type { Profile } from '../../scripts/lib/contract/clauses';
import { STEPS } from '../../scripts/lib/contract/plan';
import { failureMessage, skippedTitle, type Outcome } from '../../scripts/lib/contract/step-evaluation';
import type { StepRun } from '../../scripts/lib/runner/plan-executor';

export interface PlanSuiteOptions {
  title: string;
  profile: Profile;
  /** Executes the plan; called once, from before(). */
  execute: () => Promise<StepRun[]>;
  /** Runs after the its of the steps (e.g. to release a target). */
  cleanup?: () => void | Promise<void>;
  /** More its inside the suite, reading the same runs. */
  extra?: (runs: () => readonly StepRun[]) => void;
  /** Timeout of the before() hook that executes the plan. */
  timeoutMs?: number;
}

/** The outcome of assertion `index` of a step in a run; a missing one is a defect of the executor. */
export function outcomeOf(runs: readonly StepRun[], stepName: string, index: number): Outcome {
  const run = runs.find((r) => r.step.name === stepName);
  const outcome = run?.outcomes[index];
  if (!outcome) assert.fail(`the run produced no outcome for assertion ${index + 1} of "${stepName}"`);
  return outcome;
}

export function describePlanRun(options: PlanSuiteOptions): void {
  describe(options.title, function () {
    let runs: StepRun[] | undefined;
    let executionError: string | undefined;

    before(async function () {
      if (options.timeoutMs !== undefined) this.timeout(options.timeoutMs);
      try {
        runs = await options.execute();
      } catch (error) {
        // One line, no stack: a stack can carry request data. Every it then fails with it.
        executionError = `the plan could not be executed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      }
    });

    if (options.cleanup) after(options.cleanup);

    const results = (): readonly StepRun[] => {
      if (!runs) assert.fail(executionError ?? 'the plan was not executed');
      return runs;
    };

    for (const step of STEPS) {
      describe(step.name, function () {
        step.assertions.forEach((assertion, index) => {
          it(assertion.title, function () {
            const outcome = outcomeOf(results(), step.name, index);
            if (outcome.title !== assertion.title) assert.fail(`outcome ${index + 1} of "${step.name}" belongs to another assertion`);
            if (outcome.status === 'skipped') {
              // Reported as the collection reports it: the title, then why it was skipped.
              if (this.test) this.test.title = skippedTitle(assertion.title, outcome.reason ?? 'skipped');
              this.skip();
            }
            if (outcome.status === 'failed') assert.fail(failureMessage(outcome));
          });
        });
      });
    }

    options.extra?.(results);
  });
}
