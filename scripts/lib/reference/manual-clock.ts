import type { Clock } from './reference-api';

/**
 * A clock that moves only when told to, so tests can step past the 24-hour token lifetime
 * (or stay inside one rate-limit window) without waiting and without timed assertions.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(startMs: number = Date.UTC(2020, 5, 8, 17, 17, 55)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock to an absolute epoch-millisecond time. */
  set(ms: number): void {
    this.current = ms;
  }
}
