/**
 * How `npm run test:live` (scripts/test-live.ts) hands its resolved target to the live suite, and
 * how the suite hands its run back: a module-level setter and getter, so nothing in the suite or
 * the library reads process.env. Loaded once: the entry point and the suite share this module.
 */
import type { Profile } from '../../scripts/lib/contract/clauses';
import type { RunState } from '../../scripts/lib/contract/run-state';
import type { ExchangeRecord } from '../../scripts/lib/runner/newman-run';
import type { StepRun } from '../../scripts/lib/runner/plan-executor';

export interface LiveTarget {
  /** Without a trailing slash. */
  baseUrl: string;
  tokenPath: string;
  resourcePath: string;
  username: string;
  password: string;
  profile: Profile;
  clockSkewSeconds: number;
  trustLocalClock: boolean;
  /** Per request. */
  timeoutMs: number;
  /** The whole plan. */
  budgetMs: number;
  negativeUsername?: string;
  expiredAccessToken?: string;
  expiredTokenNote?: string;
  /** What the report calls the target: the base URL, or the embedded server. Never a secret. */
  description: string;
  /** Learns a secret (a token the run was issued), so nothing printed afterwards shows it. */
  addSecret(secret: string): void;
}

export interface LiveRun {
  runs: StepRun[];
  exchanges: ExchangeRecord[];
  state: RunState;
}

let target: LiveTarget | undefined;
let lastRun: LiveRun | undefined;

export function setLiveConfig(config: LiveTarget): void {
  target = config;
  lastRun = undefined;
}

/** The target of this live run; throws when the suite was loaded other than by `npm run test:live`. */
export function getLiveConfig(): LiveTarget {
  if (!target) throw new Error('the live suite runs only through `npm run test:live`, which configures its target');
  return target;
}

export function recordLiveRun(run: LiveRun): void {
  lastRun = run;
}

/** What the suite's run did, once it ran. */
export function getLiveRun(): LiveRun | undefined {
  return lastRun;
}
