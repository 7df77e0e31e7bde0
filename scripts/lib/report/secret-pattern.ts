/**
 * How a secret can look once it has passed through the encoders between a request and a report:
 * Postman's and Node's URL encoders (which disagree on which characters to escape), form
 * encoding (space as '+'), JSON string escaping (short escapes or \uXXXX), and XML/HTML
 * escaping in the JUnit and HTML reports (named, decimal or hex entities). Rather than list the
 * output of each encoder, every character may appear in any of its encoded forms; mixed forms
 * (an XML-escaped, half-percent-encoded password) are found too.
 *
 * Each character is regex-escaped before it goes into the pattern: the secret is data, never
 * regex syntax.
 */

/** Secrets shorter than this would match ordinary text all over a report. */
export const MIN_SECRET_LENGTH = 4;

/** `[cC]`-style class so hex digits match either case. */
function hexCaseless(hex: string): string {
  return [...hex].map((d) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d)).join('');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const XML_NAMED: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\u00a0': '&nbsp;',
};

function alternativesFor(char: string): string[] {
  const literal = escapeRegExp(char);
  // Encoders leave ASCII letters and digits alone; matching only the literal keeps patterns small.
  if (/^[A-Za-z0-9]$/.test(char)) return [literal];
  const alts = new Set<string>([literal]);
  const percent = [...Buffer.from(char, 'utf8')].map((b) => `%${hexCaseless(b.toString(16).padStart(2, '0'))}`).join('');
  alts.add(percent);
  if (char === ' ') alts.add('\\+');
  const short = JSON_SHORT[char];
  if (short) alts.add(escapeRegExp(short));
  const units: string[] = [];
  for (let i = 0; i < char.length; i++) units.push(char.charCodeAt(i).toString(16).padStart(4, '0'));
  alts.add(units.map((u) => `\\\\u${hexCaseless(u)}`).join(''));
  const named = XML_NAMED[char];
  if (named) alts.add(escapeRegExp(named));
  const codePoint = char.codePointAt(0) ?? 0;
  alts.add(`&#0*${codePoint};`);
  alts.add(`&#[xX]0*${hexCaseless(codePoint.toString(16))};`);
  return [...alts];
}

/** Regex source matching the secret in any (mix) of its encoded forms. */
export function secretPatternSource(secret: string): string {
  return [...secret]
    .map((char) => {
      const alts = alternativesFor(char);
      return alts.length === 1 ? (alts[0] as string) : `(?:${alts.join('|')})`;
    })
    .join('');
}

/** Secrets worth matching, without duplicates, longest first so a longer one wins over its prefix. */
export function usableSecrets(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** One alternation over every usable secret, or undefined when there is none. */
export function secretsPatternSource(secrets: Iterable<string>): string | undefined {
  const usable = usableSecrets(secrets);
  return usable.length === 0 ? undefined : usable.map((s) => `(?:${secretPatternSource(s)})`).join('|');
}
