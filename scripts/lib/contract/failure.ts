import type { ClauseId } from './clauses';

/**
 * What a check reports when a response breaks a clause: the clause, what the contract expected,
 * and what was seen. `seen` never holds a secret: checks build it with `describeValue`.
 */
export interface Failure {
  clause: ClauseId;
  expected: string;
  seen: string;
}

/** One failure, built without repeating the field names at every call site. */
export function failure(clause: ClauseId, expected: string, seen: string): Failure {
  return { clause, expected, seen };
}

/** The one-line text of a failure, as it appears in Postman, JUnit and the CLI summary. */
export function formatFailure(f: Failure): string {
  return `${f.clause}: expected ${f.expected}; saw ${f.seen}`;
}
