/**
 * What the harness saw of one HTTP exchange, in a form both worlds can build: the Node HTTP
 * client (mocha suites) and the Postman sandbox (`pm.response`). Every check reads this and
 * nothing else, so one check runs unchanged in both.
 */
export interface ObservedResponse {
  /** HTTP status code. */
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as text (UTF-8). */
  body: string;
  /** When the response arrived, epoch milliseconds, by the harness clock. */
  receivedAt: number;
}

/** The value of a header, by case-insensitive name, or undefined. */
export function headerOf(response: ObservedResponse, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(response.headers)) {
    if (key.toLowerCase() === wanted) return response.headers[key];
  }
  return undefined;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses the body as JSON without throwing. */
export function parseJsonBody(response: ObservedResponse): JsonParse {
  if (response.body.trim() === '') return { ok: false, reason: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(response.body) as unknown };
  } catch {
    return { ok: false, reason: `a body that is not JSON (${response.body.length} characters)` };
  }
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
