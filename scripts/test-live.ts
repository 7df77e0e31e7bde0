/**
 * npm run test:live [-- flags]: the mocha contract suite (tests/live) against a target, over real
 * HTTP, with the configuration `npm run contract` takes (flags and MEDIROUTES_* variables). No
 * base URL: the embedded reference server, started in-process, as `npm run contract` does
 * (--require-base-url refuses that instead). Thin: configuration, output, files, the exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import type { ClauseId } from './lib/contract/clauses';
import { formatRfc1123 } from './lib/contract/rfc1123';
import { VARS } from './lib/contract/run-state';
import { createRedactor, type Redactor } from './lib/report/redactor';
import { shortfalls, summarizeClauses, type TestRecord } from './lib/runner/clause-summary';
import { runStats } from './lib/runner/run-stats';
import { resolveTarget, targetSecrets, unreachableReason, type ResolvedTarget } from './lib/runner/resolve-target';
import { writePrivateFile } from './lib/runner/private-file';
import { serializeSavedToken } from './lib/runner/saved-token';
import { formatSummary } from './lib/runner/summary-format';
import { EXIT } from './lib/target/exit-codes';
import { parseTargetConfig, type TargetConfig } from './lib/target/target-config';
import { getLiveRun, setLiveConfig, type LiveTarget } from '../tests/live/live-target';

const NAME = 'test:live';
const LIVE_SUITE = path.join(__dirname, '..', 'tests', 'live', 'contract.live.test.ts');

const USAGE = `usage: npm run test:live -- [flags]

Runs the mocha contract suite (tests/live) against the target and checks every clause of the
profile: one test per check, titled with its clause ID. Exits 0 only when every clause of the
profile passed (a skipped clause fails the run unless --allow-skip names it).

`;

/** Everything this process writes goes through the redactor: mocha's reporter included. */
function redactOutput(redactor: Redactor): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]): boolean =>
      write(typeof chunk === 'string' ? redactor.redact(chunk) : Buffer.isBuffer(chunk) ? redactor.redact(chunk.toString('utf8')) : chunk, ...rest)) as typeof stream.write;
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function complain(line: string): void {
  process.stderr.write(`${NAME}: ${line}\n`);
}

/** The live suite's target: the resolved target plus the run settings it needs. */
function liveTarget(config: TargetConfig, target: ResolvedTarget): Omit<LiveTarget, 'addSecret'> {
  return {
    ...target,
    profile: config.profile,
    clockSkewSeconds: config.clockSkewSeconds,
    trustLocalClock: config.trustLocalClock,
    timeoutMs: config.timeoutMs,
    budgetMs: config.budgetMs,
    ...(config.negativeUsername !== undefined ? { negativeUsername: config.negativeUsername } : {}),
  };
}

/** Runs the live suite with mocha; resolves with every test result and the hook failures. */
function runMocha(timeoutMs: number): Promise<{ records: TestRecord[]; failures: number; hookErrors: string[] }> {
  const mocha = new Mocha({ timeout: timeoutMs, reporter: 'spec' });
  mocha.addFile(LIVE_SUITE);
  const records: TestRecord[] = [];
  const hookErrors: string[] = [];
  return new Promise((resolve) => {
    const runner = mocha.run((failures) => resolve({ records, failures, hookErrors }));
    const requestOf = (test: Mocha.Runnable): string => test.parent?.title ?? '';
    runner.on('pass', (test) => records.push({ title: test.title, request: requestOf(test), status: 'passed' }));
    runner.on('pending', (test) => records.push({ title: test.title, request: requestOf(test), status: 'skipped' }));
    runner.on('fail', (test, error: Error) => {
      const message = error.message.split('\n').slice(0, 20).join('\n');
      // A failed before() hook arrives here too: its tests never ran, and show up as missing.
      const kind: string = test.type;
      if (kind === 'hook') hookErrors.push(`${test.title}: ${message.split('\n')[0]}`);
      else records.push({ title: test.title, request: requestOf(test), status: 'failed', message });
    });
  });
}

async function main(): Promise<number> {
  const parsed = parseTargetConfig(process.argv.slice(2), process.env, { readStdin: () => fs.readFileSync(0, 'utf8') });
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + parsed.text);
    return EXIT.OK;
  }
  if (parsed.kind === 'error') {
    complain(parsed.message);
    return parsed.exitCode;
  }
  const { config } = parsed;
  const savedTokenText = config.expiredTokenFile && fs.existsSync(config.expiredTokenFile) ? fs.readFileSync(config.expiredTokenFile, 'utf8') : undefined;
  const { target, server } = await resolveTarget(config, { now: Date.now, ...(savedTokenText !== undefined ? { savedTokenText } : {}) });
  try {
    const redactor = createRedactor(targetSecrets(target));
    redactOutput(redactor);

    const unreachable = await unreachableReason(target, config.timeoutMs);
    if (unreachable !== undefined) {
      complain(`target unreachable: ${unreachable}`);
      return EXIT.TARGET_UNREACHABLE;
    }

    setLiveConfig({ ...liveTarget(config, target), addSecret: (secret) => void redactor.add(secret) });
    const started = Date.now();
    const result = await runMocha(config.budgetMs + config.timeoutMs + 5000);
    const run = getLiveRun();

    const verdict = summarizeClauses(result.records, config.profile);
    const exchanges = run?.exchanges ?? [];
    const stats = runStats(exchanges, `${target.baseUrl}${target.tokenPath}`, target.username);
    const allowSkips: readonly ClauseId[] = config.allowSkips;
    const gaps = shortfalls(verdict, allowSkips);
    say('');
    const runError = result.hookErrors.length > 0 ? result.hookErrors.join('; ') : undefined;
    for (const line of formatSummary({ verdict, stats, target: target.description, elapsedMs: Date.now() - started, allowSkips, ...(runError ? { runError } : {}) })) say(line);
    const failedNames = [...gaps.failed, ...gaps.missing, ...gaps.skipped].map((c) => `${c.clause} ${c.status}`);
    if (failedNames.length > 0) say(`${NAME}: not passed: ${failedNames.join(', ')}`);

    saveToken(config, target.baseUrl, run?.state.get(VARS.accessToken), run?.state.get(VARS.accessTokenExpires));
    const ok = failedNames.length === 0 && result.failures === 0;
    // As `npm run contract`: a target that stopped answering mid-run is unreachable, not a contract verdict.
    if (run?.runs.some((r) => r.halted === 'unanswered')) {
      complain('target unreachable: it stopped answering during the run; the checks it left unanswered are listed as failed');
      return EXIT.TARGET_UNREACHABLE;
    }
    return ok ? EXIT.OK : EXIT.CONTRACT_FAILED;
  } finally {
    await server?.close();
  }
}

/** --save-token: the newest access token with its .expires, mode 0600, for a later EXPIRY-REJECTED. */
function saveToken(config: TargetConfig, baseUrl: string, accessToken: string | undefined, expiresMs: string | undefined): void {
  if (!config.saveTokenFile || accessToken === undefined || expiresMs === undefined || !Number.isFinite(Number(expiresMs))) return;
  const expires = formatRfc1123(Number(expiresMs));
  writePrivateFile(config.saveTokenFile, serializeSavedToken({ baseUrl, accessToken, expires, savedAt: new Date().toUTCString() }));
  say(`saved the access token for a later EXPIRY-REJECTED check (expires ${expires}), mode 0600`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A defect in the harness: one line, no stack (stacks can carry request data).
    complain(`internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exitCode = EXIT.INTERNAL;
  },
);
