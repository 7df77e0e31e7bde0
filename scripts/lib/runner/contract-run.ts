/**
 * One contract run, end to end, without touching the filesystem or the process: resolve the
 * target (the embedded reference server when no base URL is configured), check it answers at
 * all, run the collection with Newman, and judge every clause of the profile. The entry point
 * (scripts/contract.ts) reads and writes files and sets the exit code.
 */
import type { ClauseId } from '../contract/clauses';
import { VARS } from '../contract/run-state';
import type { RunningServer } from '../reference/reference-server';
import { EXIT } from '../target/exit-codes';
import type { TargetConfig } from '../target/target-config';
import { shortfalls, summarizeClauses, type RunVerdict } from './clause-summary';
import { runNewman, type ExchangeRecord } from './newman-run';
import { issuedTokens, lastTokenAnswer, runStats, type RunStats } from './run-stats';
import { resolveTarget, targetSecrets, unreachableReason } from './resolve-target';
import type { SavedToken } from './saved-token';
import { formatSummary } from './summary-format';

export interface ContractRunOptions {
  config: TargetConfig;
  collection: object;
  /** Starts the embedded target when config.baseUrl is unset (tests pass faulty variants). */
  startEmbedded?: () => Promise<RunningServer>;
  /** The text of config.expiredTokenFile, read by the caller (undefined: absent). */
  savedTokenText?: string;
  /** Where Newman writes its raw reports (the caller redacts them into the reports directory). */
  junitPath: string;
  htmlPath: string;
  /** Skipped clauses that do not fail the run (still listed as skipped). */
  allowSkips?: readonly ClauseId[];
  now?: () => number;
}

export interface ContractRunResult {
  exitCode: number;
  /** What to print, not yet redacted (the caller redacts with `secrets`). */
  lines: string[];
  /** Everything that must never appear in output or artifacts: password and every token seen. */
  secrets: string[];
  verdict?: RunVerdict;
  stats?: RunStats;
  /** What --save-token should keep, when the run got a token. */
  tokenToSave?: SavedToken;
}

export async function runContract(options: ContractRunOptions): Promise<ContractRunResult> {
  const { config } = options;
  const now = options.now ?? Date.now;
  let server: RunningServer | undefined;
  try {
    const resolved = await resolveTarget(config, { now, ...(options.startEmbedded ? { startEmbedded: options.startEmbedded } : {}), ...(options.savedTokenText !== undefined ? { savedTokenText: options.savedTokenText } : {}) });
    server = resolved.server;
    const { target } = resolved;
    const secrets = targetSecrets(target);

    const unreachable = await unreachableReason(target, config.timeoutMs);
    if (unreachable !== undefined) return { exitCode: EXIT.TARGET_UNREACHABLE, lines: [`contract: target unreachable: ${unreachable}`], secrets };

    const environment: Record<string, string> = {
      [VARS.baseUrl]: target.baseUrl,
      [VARS.tokenPath]: target.tokenPath,
      [VARS.resourcePath]: target.resourcePath,
      [VARS.username]: target.username,
      [VARS.password]: target.password,
      [VARS.profile]: config.profile,
      [VARS.clockSkewSeconds]: String(config.clockSkewSeconds),
      [VARS.trustLocalClock]: String(config.trustLocalClock),
      ...(config.negativeUsername ? { [VARS.negativeUsername]: config.negativeUsername } : {}),
      ...(target.expiredAccessToken ? { [VARS.expiredAccessToken]: target.expiredAccessToken } : {}),
      ...(target.expiredTokenNote ? { [VARS.expiredTokenNote]: target.expiredTokenNote } : {}),
    };
    const started = now();
    const run = await runNewman({
      collection: options.collection,
      environment,
      timeoutRequestMs: config.timeoutMs,
      timeoutRunMs: config.budgetMs,
      junitPath: options.junitPath,
      htmlPath: options.htmlPath,
    });
    const tokenUrl = `${target.baseUrl}${target.tokenPath}`;
    secrets.push(...issuedTokens(run.exchanges));
    const verdict = summarizeClauses(run.tests, config.profile);
    const stats = runStats(run.exchanges, tokenUrl, target.username);
    const gaps = shortfalls(verdict, options.allowSkips);
    const ok = gaps.failed.length === 0 && gaps.missing.length === 0 && gaps.skipped.length === 0 && run.runError === undefined;
    // A target that stopped answering mid-run is unreachable, as one that never answered is.
    const exitCode = ok ? EXIT.OK : run.stopped === 'unanswered' ? EXIT.TARGET_UNREACHABLE : EXIT.CONTRACT_FAILED;
    const lines = formatSummary({ verdict, stats, target: target.description, elapsedMs: now() - started, runError: run.runError, allowSkips: options.allowSkips ?? [] });
    const last = lastTokenAnswer(run.exchanges, tokenUrl);
    return {
      exitCode,
      lines,
      secrets,
      verdict,
      stats,
      ...(last ? { tokenToSave: { baseUrl: target.baseUrl, accessToken: last.accessToken, expires: last.expires, savedAt: new Date(now()).toUTCString() } } : {}),
    };
  } finally {
    await server?.close();
  }
}

export type { ExchangeRecord };
