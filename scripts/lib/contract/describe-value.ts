/**
 * Renders values for failure messages without ever showing a token: anything JWT-shaped becomes
 * `eyJ…[redacted]` (the redactor's own pattern and form). Checks never pass credentials or
 * opaque tokens here; a token they must speak of goes through report/mask.ts's maskToken.
 * Sandbox-compatible: no Node imports.
 */
import { JWT_TO_REDACT_SOURCE, REDACTED_JWT } from '../report/jwt-pattern';

/** Masks JWT-shaped substrings inside free text (e.g. an error_description echoing a token). */
export function maskJwts(text: string): string {
  return text.replace(new RegExp(JWT_TO_REDACT_SOURCE, 'g'), REDACTED_JWT);
}

/** A short, secret-free rendering of a non-secret JSON value, for `seen`. */
export function describeValue(value: unknown, maxLength = 120): string {
  if (value === undefined) return 'nothing (absent)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = maskJwts(text);
  return text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
}
