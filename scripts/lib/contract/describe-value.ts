/**
 * Renders values for failure messages without ever showing a secret: anything JWT-shaped becomes
 * `eyJ…[redacted]`, and strings that may be credentials or tokens become `[redacted] (N chars)`.
 * Sandbox-compatible: no Node imports.
 */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;

/** A token or other secret, masked: the kind of thing it was and its length, never its value. */
export function maskSecret(value: unknown): string {
  if (typeof value !== 'string') return describeValue(value);
  if (value.startsWith('eyJ')) return 'eyJ…[redacted]';
  return `[redacted] (${value.length} chars)`;
}

/** Masks JWT-shaped substrings inside free text (e.g. an error_description echoing a token). */
export function maskJwts(text: string): string {
  return text.replace(JWT_SHAPE, 'eyJ…[redacted]');
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
