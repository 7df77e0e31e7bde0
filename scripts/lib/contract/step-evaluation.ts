/**
 * Turns a step's answer into test outcomes, the same way in both worlds: the sandbox reports
 * them with pm.test / pm.test.skip, mocha with it() / this.skip().
 */
import type { CheckContext } from './check-context';
import { clauseById, clauseInProfile, type ClauseId, type Profile } from './clauses';
import { formatFailure, type Failure } from './failure';
import type { ObservedResponse } from './observed-response';
import type { Assertion, Step } from './plan';
import type { RunState } from './run-state';

export type OutcomeStatus = 'passed' | 'failed' | 'skipped';

export interface Outcome {
  clause: ClauseId;
  title: string;
  status: OutcomeStatus;
  failures: Failure[];
  /** Why it was skipped. */
  reason?: string;
}

/** Skip reason for a clause outside the run's profile. */
export const STRICT_ONLY = 'strict profile only';

/** The title a skipped test is reported under: the clause ID first, the reason last. */
export function skippedTitle(title: string, reason: string): string {
  return `${title} [skipped: ${reason}]`;
}

/** The message of a failed test: every failure on its own line. */
export function failureMessage(outcome: Outcome): string {
  return outcome.failures.map(formatFailure).join('\n');
}

/** True when nothing of the step is in the profile but TOKEN-NO-5XX: the request is then not sent. */
export function stepOutOfProfile(step: Step, profile: Profile): boolean {
  return step.assertions.every((a) => a.clause === 'TOKEN-NO-5XX' || !clauseInProfile(a.clause, profile));
}

/** Every assertion of a step, skipped for one reason. */
export function skippedOutcomes(step: Step, reason: string): Outcome[] {
  return step.assertions.map((a) => ({ clause: a.clause, title: a.title, status: 'skipped', failures: [], reason }));
}

/** The outcome of one assertion on an answer. A check that throws is a failure, never a pass. */
export function evaluateAssertion(assertion: Assertion, response: ObservedResponse, state: RunState, ctx: CheckContext, profile: Profile): Outcome {
  const base = { clause: assertion.clause, title: assertion.title };
  if (!clauseInProfile(assertion.clause, profile)) return { ...base, status: 'skipped', failures: [], reason: STRICT_ONLY };
  const notApplicable = assertion.notApplicable?.(response);
  if (notApplicable !== undefined) return { ...base, status: 'skipped', failures: [], reason: notApplicable };
  let failures: Failure[];
  try {
    failures = assertion.check(response, state, ctx);
  } catch (error) {
    failures = [{ clause: assertion.clause, expected: 'a check that completes', seen: `an error in the check (${error instanceof Error ? error.name : 'unknown'})` }];
  }
  return { ...base, status: failures.length === 0 ? 'passed' : 'failed', failures };
}

/** The outcomes of every assertion of a step on its answer. */
export function evaluateStep(step: Step, response: ObservedResponse, state: RunState, ctx: CheckContext, profile: Profile): Outcome[] {
  return step.assertions.map((a) => evaluateAssertion(a, response, state, ctx, profile));
}

/** A one-line description of a clause for summaries. */
export function clauseLine(id: ClauseId): string {
  return `${id} (${clauseById(id).kind}): ${clauseById(id).summary}`;
}
