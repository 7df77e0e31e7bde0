/**
 * The collection-level script of the generated Postman collection: the same bundle runs as the
 * pre-request and as the test script of every request (pm.info.eventName says which). esbuild
 * bundles it with the clause checks and schemas into one sandbox-compatible IIFE: no pm.require,
 * no Node modules, only what postman-sandbox 4.7.1 and the Postman app provide.
 *
 * Pre-request: skip what the profile or configuration rules out (reported as skipped), keep the
 * token lifecycle (password grant when nothing is held, refresh near expiry or after a 401,
 * password grant again if the refresh is refused), stay under the token rate limit.
 * Test: evaluate the step's clause checks; wait out a 429 and repeat the request, bounded.
 */
import type { CheckContext } from '../contract/check-context';
import type { Profile } from '../contract/clauses';
import type { ObservedResponse } from '../contract/observed-response';
import { recordLoginOutcome, stepByName, type Step } from '../contract/plan';
import { VARS, type RunState } from '../contract/run-state';
import { evaluateStep, failureMessage, skippedOutcomes, skippedTitle, stepOutOfProfile, STRICT_ONLY, type Outcome } from '../contract/step-evaluation';
import { MAX_RATE_LIMIT_RETRIES, retryAfterMs } from '../contract/throttle';
import { ensureFreshToken, throttleTokenRequest, type TokenWire } from '../contract/token-flow';
import { markStale } from '../contract/token-lifecycle';
import type { Pm, PmResponse, PostmanLegacy } from './postman-api';
import { createSandboxValidator } from './sandbox-validator';

declare const pm: Pm;
declare const postman: PostmanLegacy;
declare function setTimeout(callback: () => void, ms: number): unknown;

const state: RunState = {
  get(name) {
    const value = pm.variables.get(name);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  },
  set(name, value) {
    if (value === undefined || value === '') pm.collectionVariables.unset(name);
    else pm.collectionVariables.set(name, value);
  },
};

const env = {
  now: () => Date.now(),
  randomId: () => Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10),
};

function profileOf(): Profile {
  return state.get(VARS.profile) === 'strict' ? 'strict' : 'documented';
}

function observe(response: PmResponse): ObservedResponse {
  const headers: Record<string, string> = {};
  response.headers.each((h) => {
    if (h.disabled) return;
    const key = h.key.toLowerCase();
    headers[key] = headers[key] === undefined ? h.value : `${headers[key]}, ${h.value}`;
  });
  return { status: response.code, headers, body: response.text(), receivedAt: Date.now() };
}

function report(outcomes: Outcome[]): void {
  for (const o of outcomes) {
    if (o.status === 'skipped') pm.test.skip(skippedTitle(o.title, o.reason ?? 'skipped'));
    else
      pm.test(o.title, () => {
        if (o.status === 'failed') throw new Error(failureMessage(o));
      });
  }
}

function later(ms: number, next: () => void): void {
  if (ms > 0) setTimeout(next, ms);
  else next();
}

/** The lifecycle's token requests go out through pm.sendRequest; no answer reads as undefined. */
const wire: TokenWire = {
  now: () => Date.now(),
  later,
  send(form, _requestName, done) {
    pm.sendRequest(
      {
        url: `${state.get(VARS.baseUrl) ?? ''}${state.get(VARS.tokenPath) ?? '/token'}`,
        method: 'POST',
        header: [{ key: 'Content-Type', value: 'application/x-www-form-urlencoded' }, { key: 'Accept', value: 'application/json' }],
        body: { mode: 'urlencoded', urlencoded: form.map(([key, value]) => ({ key, value })) },
      },
      (error, response) => done(error || !response ? undefined : observe(response)),
    );
  },
};

function preRequest(step: Step | undefined): void {
  if (!step) return ensureFreshToken(state, wire, () => undefined); // a user's own request
  const profile = profileOf();
  if (stepOutOfProfile(step, profile)) {
    report(skippedOutcomes(step, STRICT_ONLY));
    return pm.execution.skipRequest();
  }
  const prepareAndSend = (): void => {
    // Derived tokens (tampered, alg none) are made from the token held at this point.
    const preparation = step.prepare?.(state, env) ?? {};
    if (preparation.skip !== undefined) {
      report(skippedOutcomes(step, preparation.skip));
      return pm.execution.skipRequest();
    }
    return later(preparation.waitMs ?? 0, () => (step.request.endpoint === 'token' ? throttleTokenRequest(state, wire, () => undefined) : undefined));
  };
  return step.needsFreshToken ? ensureFreshToken(state, wire, prepareAndSend) : prepareAndSend();
}

function test(step: Step | undefined): void {
  const response = observe(pm.response);
  const retries = Number(state.get(VARS.rateLimitRetries) ?? '0');
  if (response.status === 429 && retries < MAX_RATE_LIMIT_RETRIES) {
    state.set(VARS.rateLimitRetries, String(retries + 1));
    postman.setNextRequest(pm.info.requestName);
    return later(retryAfterMs(response.headers['retry-after'], Date.now()), () => undefined);
  }
  state.set(VARS.rateLimitRetries, undefined);
  if (!step) {
    // A user's own request refused with 401: refresh before the next one.
    if (response.status === 401) markStale(state);
    return undefined;
  }
  const ctx: CheckContext = {
    validator: createSandboxValidator(),
    skewSeconds: Number(state.get(VARS.clockSkewSeconds) ?? '300'),
    trustLocalClock: state.get(VARS.trustLocalClock) !== 'false',
  };
  report(evaluateStep(step, response, state, ctx, profileOf()));
  recordLoginOutcome(step, response, state);
  step.after?.(response, state);
  return undefined;
}

const current = stepByName(pm.info.requestName);
if (pm.info.eventName === 'prerequest') preRequest(current);
else test(current);
