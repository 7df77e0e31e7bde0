/**
 * Keeps token requests under MediRoutes' documented 10/s per client: a sliding one-second window
 * of at most `maxPerSecond` requests (8 by default, a margin below the limit). Pure: callers keep
 * the timestamps and wait the returned time.
 */
export const TOKEN_REQUESTS_PER_SECOND = 8;

/** How long to wait before the next request, given the times (epoch ms) of earlier ones. */
export function throttleDelay(sent: readonly number[], now: number, maxPerSecond = TOKEN_REQUESTS_PER_SECOND): number {
  const recent = sent.filter((t) => now - t < 1000).sort((a, b) => a - b);
  if (recent.length < maxPerSecond) return 0;
  return Math.max(0, (recent[recent.length - maxPerSecond] as number) + 1000 - now);
}

/** The timestamps still worth keeping (the last second), with `now` appended. */
export function recordSent(sent: readonly number[], now: number): number[] {
  return [...sent.filter((t) => now - t < 1000), now];
}

/** Retry-After in milliseconds (delta-seconds or HTTP date), capped; a missing or bad value waits 1 s. */
export function retryAfterMs(value: string | undefined, now: number, capMs = 10000): number {
  if (value === undefined) return 1000;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, capMs);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 1000 : Math.min(Math.max(0, date - now), capMs);
}

/** How many times a 429 is waited out before the run reports it. */
export const MAX_RATE_LIMIT_RETRIES = 3;
