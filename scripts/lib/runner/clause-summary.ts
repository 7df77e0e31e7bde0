/**
 * From the test results of a run to one verdict per clause: failed if any check of it failed,
 * passed if at least one passed and none failed, skipped if all were skipped, and missing if the
 * run produced no result for it at all (a missing clause of the profile fails the run: a clause
 * nobody checked must never look green).
 */
import { CLAUSES, clauseIdOfTitle, clauseInProfile, type ClauseId, type Profile } from '../contract/clauses';

export interface TestRecord {
  /** The test name as reported (starts with the clause ID). */
  title: string;
  /** The request (step) it belongs to. */
  request: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure message (already secret-free: checks mask what they show). */
  message?: string;
}

export type ClauseStatus = 'passed' | 'failed' | 'skipped' | 'missing';

export interface ClauseVerdict {
  clause: ClauseId;
  inProfile: boolean;
  status: ClauseStatus;
  failures: Array<{ request: string; message: string }>;
  skipReasons: string[];
}

export interface RunVerdict {
  profile: Profile;
  clauses: ClauseVerdict[];
  /** Tests whose names carry no clause ID (e.g. a user's own tests): reported, never dropped. */
  unattributed: TestRecord[];
}

const SKIP_REASON = /\[skipped: (.*)\]$/;

export function summarizeClauses(records: readonly TestRecord[], profile: Profile): RunVerdict {
  const unattributed: TestRecord[] = [];
  const byClause = new Map<ClauseId, TestRecord[]>();
  for (const record of records) {
    const id = clauseIdOfTitle(record.title);
    if (!id) unattributed.push(record);
    else byClause.set(id, [...(byClause.get(id) ?? []), record]);
  }
  const clauses = CLAUSES.map((c): ClauseVerdict => {
    const own = byClause.get(c.id) ?? [];
    const failed = own.filter((r) => r.status === 'failed');
    const status: ClauseStatus = own.length === 0 ? 'missing' : failed.length > 0 ? 'failed' : own.some((r) => r.status === 'passed') ? 'passed' : 'skipped';
    return {
      clause: c.id,
      inProfile: clauseInProfile(c.id, profile),
      status,
      failures: failed.map((r) => ({ request: r.request, message: r.message ?? 'failed without a message' })),
      skipReasons: [...new Set(own.filter((r) => r.status === 'skipped').map((r) => SKIP_REASON.exec(r.title)?.[1] ?? 'skipped'))],
    };
  });
  return { profile, clauses, unattributed };
}

/** The in-profile clauses that did not pass, by how they did not. */
export function shortfalls(verdict: RunVerdict, allowedSkips: readonly ClauseId[] = []): { failed: ClauseVerdict[]; missing: ClauseVerdict[]; skipped: ClauseVerdict[] } {
  const own = verdict.clauses.filter((c) => c.inProfile);
  return {
    failed: own.filter((c) => c.status === 'failed'),
    missing: own.filter((c) => c.status === 'missing'),
    skipped: own.filter((c) => c.status === 'skipped' && !allowedSkips.includes(c.clause)),
  };
}
