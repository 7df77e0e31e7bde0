/**
 * Runs the contract plan (contract/plan.ts STEPS) from Node, for the mocha suites: the same
 * steps, requests and clause checks the generated Postman collection runs, in the same order and
 * with the same token lifecycle, throttling and 429 handling as the collection's scripts
 * (scripts/lib/sandbox/collection-script.ts). Nothing here judges an answer: evaluateStep does.
 */
import { randomBytes } from 'node:crypto';
import type { CheckContext } from '../contract/check-context';
import { clauseInProfile, type Profile } from '../contract/clauses';
import type { ObservedResponse } from '../contract/observed-response';
import { recordLoginOutcome, STEPS, type Step, type StepEnv } from '../contract/plan';
import { mapState, VARS, type RunState } from '../contract/run-state';
import { evaluateStep, skippedOutcomes, stepOutOfProfile, STRICT_ONLY, type Outcome } from '../contract/step-evaluation';
import { MAX_RATE_LIMIT_RETRIES, retryAfterMs } from '../contract/throttle';
import { httpRequest, type HttpRequest } from '../target/http-client';
import { asTransportError, createTokenSession, exchange, tokenRequest, type RunIo, type Send, type TokenSession } from './token-session';
import type { ExchangeRecord } from './newman-run';

export interface StepRun {
  step: Step;
  /** The answer the step was judged on; absent when it was skipped or got no answer. */
  response?: ObservedResponse;
  /** One per assertion of the step, in the step's order. */
  outcomes: Outcome[];
  /** The transport error (one line, no secrets) that left the step without an answer. */
  error?: string;
  /** Why the step was not sent at all: the target had stopped answering, or the budget was used up. */
  halted?: 'unanswered' | 'budget';
}

export interface ExecutePlanOptions {
  /** Without a trailing slash. */
  baseUrl: string;
  tokenPath: string;
  resourcePath: string;
  /** Configuration variables in, run state out (see createPlanState). */
  state: RunState;
  ctx: CheckContext;
  profile: Profile;
  /** Per request. */
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Defaults to httpRequest (node:http / node:https, so nock can intercept it). */
  send?: Send;
  /** Generated values for the negative checks; random by default. */
  randomId?: () => string;
  /** Told about every HTTP exchange, token lifecycle included (for counts and redaction). */
  onExchange?: (exchange: ExchangeRecord) => void;
  /** Defaults to the plan's STEPS. */
  steps?: readonly Step[];
  /**
   * After this many requests in a row got no answer, the remaining steps are not sent (their
   * in-profile assertions fail, saying so): a dead target fails the run in bounded time.
   * Default MAX_CONSECUTIVE_TRANSPORT_ERRORS.
   */
  maxConsecutiveTransportErrors?: number;
  /** Steps that would start after this many ms (by `now`) are not sent, and fail saying so. */
  budgetMs?: number;
}

/** As the Newman runner: one lost request can be bad luck, two in a row mean the target is not answering. */
export const MAX_CONSECUTIVE_TRANSPORT_ERRORS = 2;

/** The configuration a run starts from: what the Postman environment holds. */
export interface PlanSettings {
  username: string;
  password: string;
  profile: Profile;
  clockSkewSeconds: number;
  trustLocalClock: boolean;
  negativeUsername?: string;
  expiredAccessToken?: string;
  /** Why there is no expired token, shown on the skipped EXPIRY-REJECTED. */
  expiredTokenNote?: string;
}

/** A fresh run state holding the configuration variables, as mapState over the environment. */
export function createPlanState(settings: PlanSettings): RunState & { values: Map<string, string> } {
  return mapState({
    [VARS.username]: settings.username,
    [VARS.password]: settings.password,
    [VARS.profile]: settings.profile,
    [VARS.clockSkewSeconds]: String(settings.clockSkewSeconds),
    [VARS.trustLocalClock]: String(settings.trustLocalClock),
    [VARS.negativeUsername]: settings.negativeUsername,
    [VARS.expiredAccessToken]: settings.expiredAccessToken,
    [VARS.expiredTokenNote]: settings.expiredTokenNote,
  });
}

/** `{{name}}` replaced by the run-state variable; an unknown one stays as written, as in Postman. */
export function resolvePlaceholders(text: string, state: RunState): string {
  return text.replace(/\{\{([^{}]+)\}\}/g, (whole, name: string) => state.get(name) ?? whole);
}

/** The HTTP request of a step, its placeholders resolved (query values URL-encoded). */
export function buildStepRequest(step: Step, state: RunState, urls: { baseUrl: string; tokenPath: string; resourcePath: string }): { request: Omit<HttpRequest, 'timeoutMs' | 'now'>; form: Array<[string, string]> } {
  const { method, endpoint, form, bearer, query } = step.request;
  const path = endpoint === 'token' ? urls.tokenPath : urls.resourcePath;
  const queryString = query ? `?${query.map(([k, value]) => `${encodeURIComponent(k)}=${encodeURIComponent(resolvePlaceholders(value, state))}`).join('&')}` : '';
  const url = `${urls.baseUrl}${path}${queryString}`;
  if (form) {
    const resolved = form.map(([k, value]): [string, string] => [k, resolvePlaceholders(value, state)]);
    return { request: tokenRequest(url, resolved), form: resolved };
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (bearer !== undefined) headers.Authorization = `Bearer ${resolvePlaceholders(bearer, state)}`;
  return { request: { method, url, headers }, form: [] };
}

/** Every in-profile assertion of a step failed for want of an answer; the others skipped as out of profile. */
export function unansweredOutcomes(step: Step, profile: Profile, reason: string): Outcome[] {
  return step.assertions.map((a): Outcome => {
    if (!clauseInProfile(a.clause, profile)) return { clause: a.clause, title: a.title, status: 'skipped', failures: [], reason: STRICT_ONLY };
    return { clause: a.clause, title: a.title, status: 'failed', failures: [{ clause: a.clause, expected: `an answer to "${step.name}"`, seen: reason }] };
  });
}

const defaultRandomId = (): string => randomBytes(8).toString('hex');

/** Executes the plan step by step; never rejects for anything the target does. */
export async function executePlan(options: ExecutePlanOptions): Promise<StepRun[]> {
  const send = options.send ?? httpRequest;
  let unanswered = 0;
  // Every request counts, the token lifecycle's too: a target that stopped answering stops the run.
  const counted: Send = async (request) => {
    try {
      const response = await send(request);
      unanswered = 0;
      return response;
    } catch (error) {
      unanswered += 1;
      throw error;
    }
  };
  const session = createTokenSession({
    tokenUrl: `${options.baseUrl}${options.tokenPath}`,
    state: options.state,
    timeoutMs: options.timeoutMs,
    send: counted,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });
  const env: StepEnv = { now: session.io.now, randomId: options.randomId ?? defaultRandomId };
  const maxUnanswered = options.maxConsecutiveTransportErrors ?? MAX_CONSECUTIVE_TRANSPORT_ERRORS;
  const started = env.now();
  let stopped: Halt | undefined;
  /** Why nothing more is sent, once that is so. */
  const halt = (): Halt | undefined => {
    if (stopped === undefined && unanswered >= maxUnanswered) stopped = { kind: 'unanswered', reason: `not sent: the target stopped answering (${unanswered} requests in a row got no answer)` };
    if (stopped === undefined && options.budgetMs !== undefined && env.now() - started >= options.budgetMs) stopped = { kind: 'budget', reason: `not sent: the run budget of ${options.budgetMs} ms was used up` };
    return stopped;
  };
  const runs: StepRun[] = [];
  for (const step of options.steps ?? STEPS) runs.push(await executeStep(step, session, env, options, halt));
  return runs;
}

interface Halt {
  kind: NonNullable<StepRun['halted']>;
  reason: string;
}

async function executeStep(step: Step, session: TokenSession, env: StepEnv, options: ExecutePlanOptions, halt: () => Halt | undefined): Promise<StepRun> {
  const { state, ctx, profile } = options;
  const io: RunIo = session.io;
  if (stepOutOfProfile(step, profile)) return { step, outcomes: skippedOutcomes(step, STRICT_ONLY) };
  const notSent = (stop: Halt): StepRun => ({ step, outcomes: unansweredOutcomes(step, profile, stop.reason), error: stop.reason, halted: stop.kind });
  for (let attempt = 0; ; attempt += 1) {
    let stopped = halt();
    if (stopped !== undefined) return notSent(stopped);
    // The pre-request script: a fresh token first, then derived tokens made from it.
    if (step.needsFreshToken) await session.ensureFreshToken();
    stopped = halt();
    if (stopped !== undefined) return notSent(stopped);
    const preparation = step.prepare?.(state, env) ?? {};
    if (preparation.skip !== undefined) return { step, outcomes: skippedOutcomes(step, preparation.skip) };
    if ((preparation.waitMs ?? 0) > 0) await io.sleep(preparation.waitMs as number);
    if (step.request.endpoint === 'token') await session.throttle();

    const { request, form } = buildStepRequest(step, state, options);
    let response: ObservedResponse;
    try {
      response = await exchange(io, step.name, request, form);
    } catch (error) {
      const reason = asTransportError(error, request.method).message;
      return { step, outcomes: unansweredOutcomes(step, profile, reason), error: reason };
    }
    // The test script: a 429 is waited out and the request repeated, a bounded number of times.
    if (response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
      await io.sleep(retryAfterMs(response.headers['retry-after'], io.now()));
      continue;
    }
    const outcomes = evaluateStep(step, response, state, ctx, profile);
    recordLoginOutcome(step, response, state);
    step.after?.(response, state);
    return { step, response, outcomes };
  }
}
