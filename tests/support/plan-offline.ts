/**
 * One execution of the contract plan against a nock-served reference API (or a faulty variant)
 * on a ManualClock: every wait the plan asks for (the refresh gap, the throttle, Retry-After)
 * moves the clock instead of sleeping, so a whole run takes milliseconds.
 */
import { createAjvValidator } from '../../scripts/lib/contract/ajv-validator';
import type { CheckContext } from '../../scripts/lib/contract/check-context';
import type { Profile } from '../../scripts/lib/contract/clauses';
import type { SchemaValidator } from '../../scripts/lib/contract/schema-validator';
import type { RunState } from '../../scripts/lib/contract/run-state';
import type { Fault } from '../../scripts/lib/reference/faults';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, type ReferenceApi, type ReferenceApiOptions } from '../../scripts/lib/reference/reference-api';
import { createPlanState, executePlan, type PlanSettings, type StepRun } from '../../scripts/lib/runner/plan-executor';
import type { ExchangeRecord } from '../../scripts/lib/runner/newman-run';
import { serveWithNock, type NockTarget } from './nock-reference';

/** 2020-06-08 17:17:55 GMT, the instant of the MediRoutes sample response. */
export const FAKE_START = Date.UTC(2020, 5, 8, 17, 17, 55);

export interface OfflineRun {
  runs: StepRun[];
  state: RunState;
  target: NockTarget;
  clock: ManualClock;
  exchanges: ExchangeRecord[];
}

export interface OfflineRunOptions {
  profile: Profile;
  fault?: Fault;
  clock?: ManualClock;
  apiOptions?: Omit<ReferenceApiOptions, 'clock'>;
  /** Overrides of the configuration (the expired token defaults to one minted by the API). */
  settings?: Partial<PlanSettings>;
  baseUrl?: string;
}

/** A sleep that moves the fake clock: no real time passes. `record` collects the waits asked for. */
export function clockSleep(clock: ManualClock, record?: number[]): (ms: number) => Promise<void> {
  return (ms) => {
    record?.push(ms);
    clock.advance(ms);
    return Promise.resolve();
  };
}

let validator: SchemaValidator | undefined;

/** The Node check context; the ajv validator is compiled once and shared (it holds no state). */
export function checkContext(overrides: Partial<Omit<CheckContext, 'validator'>> = {}): CheckContext {
  validator ??= createAjvValidator();
  return { validator, skewSeconds: 300, trustLocalClock: true, ...overrides };
}

export function settingsFor(api: ReferenceApi, profile: Profile, overrides: Partial<PlanSettings> = {}): PlanSettings {
  return {
    username: api.demoUser.username,
    password: api.demoUser.password,
    profile,
    clockSkewSeconds: 300,
    trustLocalClock: true,
    expiredAccessToken: api.mintExpiredAccessToken(),
    ...overrides,
  };
}

/** Executes the whole plan once; the caller stops `target` (its interceptors) when done. */
export async function runPlanOffline(options: OfflineRunOptions): Promise<OfflineRun> {
  const clock = options.clock ?? new ManualClock(FAKE_START);
  const api = createReferenceApi({ ...options.apiOptions, clock });
  const target = serveWithNock({ api, ...(options.fault ? { handle: options.fault.wrap(api) } : {}), ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) });
  const settings = settingsFor(api, options.profile, options.settings);
  const state = createPlanState(settings);
  const exchanges: ExchangeRecord[] = [];
  let n = 0;
  try {
    const runs = await executePlan({
      baseUrl: target.baseUrl,
      tokenPath: api.tokenPath,
      resourcePath: api.resourcePath,
      state,
      ctx: checkContext({ skewSeconds: settings.clockSkewSeconds, trustLocalClock: settings.trustLocalClock }),
      profile: options.profile,
      timeoutMs: 5000,
      now: () => clock.now(),
      sleep: clockSleep(clock),
      randomId: () => `r${(n += 1)}x${n * 7919}`,
      onExchange: (e) => exchanges.push(e),
    });
    return { runs, state, target, clock, exchanges };
  } catch (error) {
    target.stop();
    throw error;
  }
}

/** The in-profile clauses a run reported failed, distinct and sorted. */
export function failedClausesOf(runs: readonly StepRun[]): string[] {
  return [...new Set(runs.flatMap((r) => r.outcomes.filter((o) => o.status === 'failed').map((o) => o.clause)))].sort();
}
