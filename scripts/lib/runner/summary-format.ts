/** The CLI summary of a run: one line per clause, each failure with expected vs seen, then the costs. */
import { clauseById, type ClauseId } from '../contract/clauses';
import type { ClauseVerdict, RunVerdict } from './clause-summary';
import type { RunStats } from './run-stats';

export interface SummaryInput {
  verdict: RunVerdict;
  stats: RunStats;
  target: string;
  elapsedMs: number;
  runError?: string;
  allowSkips: readonly ClauseId[];
}

const LABEL: Record<ClauseVerdict['status'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP', missing: 'MISS' };

export function formatSummary(input: SummaryInput): string[] {
  const { verdict, stats } = input;
  const lines = [`MediRoutes auth contract, profile ${verdict.profile}, target ${input.target}`];
  const inProfile = verdict.clauses.filter((c) => c.inProfile);
  for (const c of inProfile) {
    lines.push(`  ${LABEL[c.status]}  ${c.clause.padEnd(25)} ${clauseById(c.clause).summary}`);
    for (const f of c.failures) for (const line of f.message.split('\n')) lines.push(`          [${f.request}] ${line}`);
    if (c.status === 'skipped') lines.push(`          skipped: ${c.skipReasons.join('; ')}${input.allowSkips.includes(c.clause) ? ' (allowed by --allow-skip)' : ' (a skipped clause is not a pass)'}`);
    if (c.status === 'missing') lines.push('          no result: the run never reached this check');
  }
  const outOfProfile = verdict.clauses.filter((c) => !c.inProfile);
  if (outOfProfile.length > 0) lines.push(`  (${outOfProfile.length} strict-profile clauses not checked under ${verdict.profile}: run with --profile strict)`);
  for (const t of verdict.unattributed) lines.push(`  ${t.status === 'failed' ? 'FAIL' : t.status === 'passed' ? 'PASS' : 'SKIP'}  [${t.request}] ${t.title}${t.message ? `: ${t.message}` : ''}`);
  if (input.runError) lines.push(`  run error: ${input.runError}`);
  for (const e of stats.transportErrors) lines.push(`  transport error: ${e}`);
  const count = (s: ClauseVerdict['status']): number => inProfile.filter((c) => c.status === s).length;
  lines.push(`clauses: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped, ${count('missing')} missing`);
  lines.push(
    `requests: ${stats.requests} (token endpoint ${stats.tokenRequests}, rate-limited ${stats.rateLimited}); successful password grants: ${stats.passwordGrants}; failed logins: ${stats.failedLogins} (${stats.failedLoginsForUser} for the configured user); ${(input.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines;
}
