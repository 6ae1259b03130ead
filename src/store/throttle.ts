import type { ThrottleRule } from './types.js';

/**
 * The wait after a key's `failures`-th failure, the same in every dialect: none before `free` failures, then
 * `baseMs` doubling up to `maxMs`.
 */
export function waitAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.baseMs * 2 ** Math.min(failures - rule.free, 30), rule.maxMs);
}
