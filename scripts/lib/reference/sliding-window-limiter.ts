/**
 * A per-client sliding one-second window, the shape of MediRoutes' documented limits
 * ("/token: 10 requests/second per IP; everything else 300/s").
 */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface SlidingWindowLimiter {
  /** Counts one request of a client at `nowMs`, unless it is over the limit. */
  take(clientId: string, nowMs: number): LimitDecision;
}

const WINDOW_MS = 1000;
/** Above this many tracked clients, idle ones are swept so a long-running server stays small. */
const SWEEP_THRESHOLD = 10_000;

/**
 * `limitPerSecond` of `Infinity` disables the limiter; `0` refuses everything, which lets a test
 * drive a client's back-off path. Refused requests are not counted, so `Retry-After` is honest:
 * a client that waits that long gets through.
 */
export function createSlidingWindowLimiter(limitPerSecond: number): SlidingWindowLimiter {
  if (Number.isNaN(limitPerSecond) || limitPerSecond < 0) {
    throw new RangeError(`rate limit must be a non-negative number or Infinity, not ${limitPerSecond}`);
  }
  const recent = new Map<string, number[]>();

  return {
    take(clientId, nowMs) {
      if (limitPerSecond === Infinity) return { allowed: true };
      if (recent.size > SWEEP_THRESHOLD) sweep(recent, nowMs);
      // Entries "in the future" only exist when a test clock went backwards; they are dropped
      // rather than allowed to block the client until the clock catches up.
      const inWindow = (recent.get(clientId) ?? []).filter((t) => t > nowMs - WINDOW_MS && t <= nowMs);
      if (inWindow.length >= limitPerSecond) {
        recent.set(clientId, inWindow);
        const oldest = inWindow[0] ?? nowMs;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - nowMs) / 1000)) };
      }
      inWindow.push(nowMs);
      recent.set(clientId, inWindow);
      return { allowed: true };
    },
  };
}

function sweep(recent: Map<string, number[]>, nowMs: number): void {
  for (const [clientId, times] of recent) {
    if (times.every((t) => t <= nowMs - WINDOW_MS)) recent.delete(clientId);
  }
}
