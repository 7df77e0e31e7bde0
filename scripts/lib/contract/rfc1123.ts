/**
 * Strict RFC 1123 (RFC 7231 IMF-fixdate) parsing: `Mon, 08 Jun 2020 17:17:55 GMT`. `Date.parse`
 * guesses on ambiguous formats and accepts ISO 8601, local times and wrong weekdays; the
 * contract's EXPIRY clauses need the exact instant the server wrote, or a failure.
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Epoch milliseconds of an RFC 1123 GMT date, or undefined when the text is not one (or names the wrong weekday). */
export function parseRfc1123(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = RFC1123.exec(text);
  if (!m) return undefined;
  const [, day, dd, mon, yyyy, hh, mi, ss] = m as unknown as string[];
  const month = MONTHS.indexOf(mon);
  const date = Number(dd);
  const hours = Number(hh);
  const minutes = Number(mi);
  const seconds = Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = Date.UTC(Number(yyyy), month, date, hours, minutes, seconds);
  const parsed = new Date(ms);
  // Reject 31 Feb and the like (Date.UTC rolls them over) and a weekday that does not match.
  if (parsed.getUTCDate() !== date || parsed.getUTCMonth() !== month) return undefined;
  if (DAYS[parsed.getUTCDay()] !== day) return undefined;
  return ms;
}

/** Formats epoch milliseconds as RFC 1123 GMT (what `Date#toUTCString` gives, with a two-digit day). */
export function formatRfc1123(ms: number): string {
  return new Date(ms).toUTCString();
}
