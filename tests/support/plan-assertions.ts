/**
 * Judging single answers with the plan's own assertions, for tests that probe one clause at a
 * boundary: the assertion is looked up in plan.ts and evaluated by evaluateAssertion, so the
 * test exercises exactly the check the collection and the mocha suites run.
 */
import type { CheckContext } from '../../scripts/lib/contract/check-context';
import type { ClauseId, Profile } from '../../scripts/lib/contract/clauses';
import type { ObservedResponse } from '../../scripts/lib/contract/observed-response';
import { stepByName, type Assertion } from '../../scripts/lib/contract/plan';
import { mapState, type RunState } from '../../scripts/lib/contract/run-state';
import { evaluateAssertion, failureMessage, type Outcome } from '../../scripts/lib/contract/step-evaluation';
import { checkContext } from './plan-offline';

/** The assertion of `clause` on the step named `stepName` (the first, if the step has several). */
export function planAssertion(stepName: string, clause: ClauseId): Assertion {
  const step = stepByName(stepName);
  if (!step) throw new Error(`the plan has no step "${stepName}"`);
  const assertion = step.assertions.find((a) => a.clause === clause);
  if (!assertion) throw new Error(`step "${stepName}" has no ${clause} assertion`);
  return assertion;
}

export interface JudgeOptions {
  state?: RunState;
  ctx?: CheckContext;
  profile?: Profile;
}

/** The outcome of the plan's `clause` assertion of `stepName` on one answer. */
export function judge(stepName: string, clause: ClauseId, response: ObservedResponse, options: JudgeOptions = {}): Outcome {
  return evaluateAssertion(planAssertion(stepName, clause), response, options.state ?? mapState(), options.ctx ?? checkContext(), options.profile ?? 'strict');
}

/** 'passed', 'skipped', or 'failed: <the masked failure message>' (never a token: checks mask what they show). */
export function verdictOf(outcome: Outcome): string {
  return outcome.status === 'failed' ? `failed: ${failureMessage(outcome)}` : outcome.status;
}

/** A JSON answer as the harness would have observed it. */
export function jsonAnswer(body: unknown, options: { status?: number; headers?: Record<string, string>; receivedAt?: number } = {}): ObservedResponse {
  return {
    status: options.status ?? 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    receivedAt: options.receivedAt ?? Date.UTC(2020, 5, 8, 17, 17, 55),
  };
}
