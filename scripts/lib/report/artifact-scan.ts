/**
 * The proof behind "credentials and tokens never reach reports": a scan of written artifacts
 * for the known secrets, for any un-redacted JWT, and for the tokens the run saw. Tokens are
 * known by their sha256 only, so a standalone scan can find them later without anyone storing
 * the tokens themselves. A finding names file, line and kind, never the matched text.
 */
import { createHash } from 'node:crypto';
import { JWT_LEAK_SOURCE } from './jwt-pattern';
import { secretsPatternSource } from './secret-pattern';

export type FindingKind = 'secret' | 'jwt' | 'token-digest';

export interface Finding {
  file: string;
  kind: FindingKind;
  /** 1-based. */
  line: number;
}

/** sha256 hex of a token, as recorded in reports/.token-digests.json. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Characters a token may be made of (base64, base64url, JWT dots, RFC 6750 b64token). */
const TOKEN_RUN = /[A-Za-z0-9._~+/=-]{16,}/g;

export type TextScanner = (name: string, text: string) => Finding[];

/** Compiles the patterns once, for scanning many files with the same secrets and digests. */
export function createScanner(secrets: readonly string[], digests: ReadonlySet<string> = new Set()): TextScanner {
  const secretSource = secretsPatternSource(secrets);
  const secretPattern = secretSource === undefined ? undefined : new RegExp(secretSource);
  const jwtPattern = new RegExp(JWT_LEAK_SOURCE);
  const lowerDigests = new Set([...digests].map((d) => d.toLowerCase()));

  return (name, text) => {
    const findings: Finding[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const at = (kind: FindingKind): void => {
        findings.push({ file: name, kind, line: i + 1 });
      };
      if (secretPattern?.test(line)) at('secret');
      if (jwtPattern.test(line)) at('jwt');
      if (lowerDigests.size > 0 && hasDigestMatch(line, lowerDigests)) at('token-digest');
    }
    return findings;
  };
}

/** Scans one text: the known secrets in any encoding, JWT-shaped strings, and digest matches. */
export function scanText(name: string, text: string, secrets: readonly string[], digests?: ReadonlySet<string>): Finding[] {
  return createScanner(secrets, digests)(name, text);
}

function hasDigestMatch(line: string, digests: ReadonlySet<string>): boolean {
  for (const variant of lineVariants(line)) {
    for (const run of variant.match(TOKEN_RUN) ?? []) {
      for (const candidate of tokenCandidates(run)) {
        if (digests.has(tokenDigest(candidate))) return true;
      }
    }
  }
  return false;
}

/** The line, plus its percent-decoded and JSON-unescaped forms when those differ. */
function lineVariants(line: string): string[] {
  const variants = [line];
  if (line.includes('%')) variants.push(percentDecode(line));
  if (line.includes('\\/')) variants.push(line.replace(/\\\//g, '/'));
  return variants;
}

function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (seq) => {
    try {
      return decodeURIComponent(seq);
    } catch {
      return seq;
    }
  });
}

/**
 * A token-like run is often more than the token: `access_token=TOKEN` is one run (`_` and `=`
 * are token characters), and so is a token ending a sentence with a full stop. Candidates are
 * the run and each part after an `=`, each with and without trailing dots.
 */
function tokenCandidates(run: string): Set<string> {
  const starts = [0];
  for (let i = 1; i < run.length; i++) {
    if (run[i - 1] === '=' && run[i] !== '=') starts.push(i);
  }
  const out = new Set<string>();
  for (const start of starts) {
    const part = run.slice(start);
    out.add(part);
    out.add(part.replace(/\.+$/, ''));
  }
  return out;
}
