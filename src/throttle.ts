import type { Clock } from './clock.js';
import { sha256 } from './crypto/hash.js';

/**
 * Failure throttling with growing delays, in memory (one node). Only failures are counted; a key
 * with fewer than `free` recent failures is never delayed; `succeed` clears a key (client authentication
 * does not call it: a correct secret is never delayed anyway, and failures age out after `forgetMs`). Keys come from
 * request input, so each is stored as a fixed-size hash and the map is bounded: past `maxEntries` the
 * least recently failed key is forgotten.
 */
export class Throttle {
  private readonly entries = new Map<string, { failures: number; lockedUntilMs: number; lastMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly enabled: boolean,
    private readonly free = 5,
    private readonly maxLockMs = 15 * 60_000,
    private readonly forgetMs = 60 * 60_000,
    private readonly maxEntries = 50_000,
  ) {}

  /** How many keys are remembered (bounded by `maxEntries`). */
  get size(): number {
    return this.entries.size;
  }

  private static slot(key: string): string {
    return sha256(key).slice(0, 22);
  }

  /** Milliseconds until the key may try again (0 = now). */
  retryAfterMs(...keys: string[]): number {
    if (!this.enabled) return 0;
    const now = this.clock.nowMs();
    let wait = 0;
    for (const key of keys) {
      const e = this.entries.get(Throttle.slot(key));
      if (e && e.lockedUntilMs > now) wait = Math.max(wait, e.lockedUntilMs - now);
    }
    return wait;
  }

  fail(...keys: string[]): void {
    if (!this.enabled) return;
    const now = this.clock.nowMs();
    for (const key of keys) {
      const slot = Throttle.slot(key);
      const e = this.entries.get(slot) ?? { failures: 0, lockedUntilMs: 0, lastMs: now };
      if (now - e.lastMs > this.forgetMs) e.failures = 0;
      e.failures += 1;
      e.lastMs = now;
      const over = e.failures - this.free;
      if (over >= 0) e.lockedUntilMs = now + Math.min(1000 * 2 ** over, this.maxLockMs);
      // Map order is insertion order: re-inserting keeps the least recently failed key first.
      this.entries.delete(slot);
      this.entries.set(slot, e);
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
  }

  succeed(...keys: string[]): void {
    for (const key of keys) this.entries.delete(Throttle.slot(key));
  }
}
