/**
 * JWT shapes. A JWT's header is a JSON object, so its base64url always begins `eyJ` (`{"`);
 * that prefix is what makes a token recognisable in any text without knowing it in advance.
 */

/**
 * What the redactor and failure messages replace: generous (a truncated token with one dot
 * counts too), since redacting a look-alike costs nothing. Sandbox-compatible: the clause checks
 * mask with it inside Postman.
 */
export const JWT_TO_REDACT_SOURCE = 'eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*';

/**
 * What the artifact scan reports: a non-empty payload is required, so notes such as `eyJ..` or
 * the redacted form `eyJ…[redacted]` are not alarms. A false red wakes people up at night.
 */
export const JWT_LEAK_SOURCE = 'eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*';

/** What a redacted JWT becomes: recognisable as a JWT, carrying nothing of it. */
export const REDACTED_JWT = 'eyJ…[redacted]';

export const REDACTED = '[redacted]';

/** True when the whole string is JWT-shaped (three base64url segments, header starting eyJ). */
export function isJwtShaped(value: string): boolean {
  return new RegExp(`^${JWT_LEAK_SOURCE}$`).test(value);
}
