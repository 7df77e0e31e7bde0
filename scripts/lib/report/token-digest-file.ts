/**
 * `<reports>/.token-digests.json`: the sha256 digests of the tokens a run saw, so the artifact
 * scan can recognise those tokens later (opaque refresh tokens have no shape to match) while the
 * file itself holds nothing that could be replayed.
 */

export const TOKEN_DIGEST_FILE_NAME = '.token-digests.json';

export type TokenDigestFileParse = { ok: true; digests: Set<string> } | { ok: false; reason: string };

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Parses the file's text: a JSON array of sha256 hex strings. */
export function parseTokenDigestFile(text: string): TokenDigestFileParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, reason: 'not a JSON array' };
  const digests = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || !SHA256_HEX.test(item)) return { ok: false, reason: `item ${i} is not a sha256 hex string` };
    digests.add(item.toLowerCase());
  }
  return { ok: true, digests };
}

/** The file's text: sorted, deduplicated, 2-space JSON with a trailing newline (stable diffs). */
export function formatTokenDigestFile(digests: Iterable<string>): string {
  return `${JSON.stringify([...new Set([...digests].map((d) => d.toLowerCase()))].sort(), null, 2)}\n`;
}
