import type { Clock } from './clock.js';

/**
 * Failure throttling with growing delays, in memory (one node). Only failures are counted; a key
 * with fewer than `free` recent failures is never delayed, and a success clears it.
 */
export class Throttle {
  private readonly entries = new Map<string, { failures: number; lockedUntilMs: number; lastMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly enabled: boolean,
    private readonly free = 5,
    private readonly maxLockMs = 15 * 60_000,
    private readonly forgetMs = 60 * 60_000,
  ) {}

  /** Milliseconds until the key may try again (0 = now). */
  retryAfterMs(...keys: string[]): number {
    if (!this.enabled) return 0;
    const now = this.clock.nowMs();
    let wait = 0;
    for (const key of keys) {
      const e = this.entries.get(key);
      if (e && e.lockedUntilMs > now) wait = Math.max(wait, e.lockedUntilMs - now);
    }
    return wait;
  }

  fail(...keys: string[]): void {
    if (!this.enabled) return;
    const now = this.clock.nowMs();
    if (this.entries.size > 100_000) this.prune(now);
    for (const key of keys) {
      const e = this.entries.get(key) ?? { failures: 0, lockedUntilMs: 0, lastMs: now };
      if (now - e.lastMs > this.forgetMs) e.failures = 0;
      e.failures += 1;
      e.lastMs = now;
      const over = e.failures - this.free;
      if (over >= 0) e.lockedUntilMs = now + Math.min(1000 * 2 ** over, this.maxLockMs);
      this.entries.set(key, e);
    }
  }

  succeed(...keys: string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries)
      if (now - e.lastMs > this.forgetMs && e.lockedUntilMs < now) this.entries.delete(key);
  }
}
