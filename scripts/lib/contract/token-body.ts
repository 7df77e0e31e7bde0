import { failure, type Failure } from './failure';
import type { ClauseId } from './clauses';
import { isJsonObject, parseJsonBody, type ObservedResponse } from './observed-response';

export type TokenBody = Record<string, unknown>;

/** The JSON object body of a token response, or the failure (under `clause`) saying why there is none. */
export function tokenBodyOf(clause: ClauseId, response: ObservedResponse): { body: TokenBody } | { failures: Failure[] } {
  const parsed = parseJsonBody(response);
  if (!parsed.ok) return { failures: [failure(clause, 'a JSON object body', `${parsed.reason} (status ${response.status})`)] };
  if (!isJsonObject(parsed.value)) {
    return { failures: [failure(clause, 'a JSON object body', `JSON ${Array.isArray(parsed.value) ? 'array' : typeof parsed.value} (status ${response.status})`)] };
  }
  return { body: parsed.value };
}

/** Runs `check` on the body when there is one; otherwise reports the missing body under `clause`. */
export function withTokenBody(clause: ClauseId, response: ObservedResponse, check: (body: TokenBody) => Failure[]): Failure[] {
  const result = tokenBodyOf(clause, response);
  return 'failures' in result ? result.failures : check(result.body);
}
