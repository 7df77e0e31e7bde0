/**
 * Redaction for everything the harness writes: console lines, failure messages, JUnit/HTML
 * reports, exported environments. Known secrets (the password, tokens as the run learns them)
 * are replaced in any encoding they may have taken on the way; any JWT is replaced even when
 * nobody told the redactor about it, because a token seen in a response is a credential too.
 */
import { JWT_TO_REDACT_SOURCE, REDACTED, REDACTED_JWT } from './jwt-pattern';
import { MIN_SECRET_LENGTH, secretsPatternSource, usableSecrets } from './secret-pattern';

export interface Redactor {
  /**
   * Adds a secret. Returns false when it is ignored: empty, or shorter than MIN_SECRET_LENGTH
   * (it would redact ordinary text everywhere); the latter is also recorded in warnings().
   */
  add(secret: string): boolean;
  /** The text with every known secret and every JWT-shaped string replaced. */
  redact(text: string): string;
  /** The secrets in use, longest first (for the artifact scan). */
  secrets(): readonly string[];
  /** Why some secrets were ignored; never contains the secrets themselves. */
  warnings(): readonly string[];
}

export function createRedactor(initialSecrets: readonly string[] = []): Redactor {
  const known = new Set<string>();
  const warnings: string[] = [];
  let pattern: RegExp | undefined;

  const rebuild = (): void => {
    const secrets = secretsPatternSource(known);
    // Secrets first: when a known secret is itself a JWT it reads as [redacted], no shape hint.
    const source = secrets === undefined ? `(${JWT_TO_REDACT_SOURCE})` : `(${secrets})|(${JWT_TO_REDACT_SOURCE})`;
    pattern = new RegExp(source, 'g');
  };

  const add = (secret: string): boolean => {
    if (secret === '') return false;
    if (secret.length < MIN_SECRET_LENGTH) {
      warnings.push(
        `a secret shorter than ${MIN_SECRET_LENGTH} characters is not redacted: matching it would redact ordinary text; use a longer credential`,
      );
      return false;
    }
    if (!known.has(secret)) {
      known.add(secret);
      pattern = undefined;
    }
    return true;
  };

  for (const secret of initialSecrets) add(secret);

  return {
    add,
    redact(text: string): string {
      if (!pattern) rebuild();
      const secretsGiven = known.size > 0;
      // One pass over the text, so a replacement is never matched again.
      return text.replace(pattern as RegExp, (...groups: unknown[]) => {
        const secretMatch = secretsGiven ? groups[1] : undefined;
        return secretMatch !== undefined ? REDACTED : REDACTED_JWT;
      });
    },
    secrets: () => usableSecrets(known),
    warnings: () => [...warnings],
  };
}
