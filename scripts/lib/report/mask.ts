/**
 * What a failure message shows in place of a token it is talking about: enough to tell a JWT
 * from an opaque string, or a short value from a long one, and nothing that could be replayed.
 */
import { isJwtShaped, REDACTED, REDACTED_JWT } from './jwt-pattern';

/** `eyJ…[redacted]` for a JWT, `[redacted] (N chars)` for any other string, the type otherwise. */
export function maskToken(value: unknown): string {
  if (typeof value === 'string') return isJwtShaped(value) ? REDACTED_JWT : `${REDACTED} (${value.length} chars)`;
  // Absence is the finding itself ("access_token is missing"), and carries no secret.
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  return `${REDACTED} (${Array.isArray(value) ? 'array' : typeof value})`;
}
