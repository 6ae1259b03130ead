import { eq, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import { waitAfter } from '../throttle.js';
import type { ThrottleRule, ThrottleStore } from '../types.js';
import { lazily, p, type SqliteContext } from './shared.js';

type Row = typeof s.throttle.$inferSelect;

export function throttleStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    get: () =>
      db
        .select()
        .from(s.throttle)
        .where(eq(s.throttle.key, p('key')))
        .prepare(),
    put: () =>
      db
        .insert(s.throttle)
        .values({
          key: p('key'),
          failures: p('failures'),
          blockedUntilMs: p('blockedUntilMs'),
          lastMs: p('lastMs'),
        })
        .onConflictDoUpdate({
          target: s.throttle.key,
          set: {
            failures: sql`excluded.failures`,
            blockedUntilMs: sql`excluded.blocked_until_ms`,
            lastMs: sql`excluded.last_ms`,
          },
        })
        .prepare(),
    remove: () =>
      db
        .delete(s.throttle)
        .where(eq(s.throttle.key, p('key')))
        .prepare(),
  });

  /** One failure more, counted inside the caller's transaction. */
  const count = (key: string, nowMs: number, rule: ThrottleRule, row: Row | undefined): number => {
    const fresh = !row || nowMs - row.lastMs > rule.forgetMs;
    const failures = (fresh ? 0 : row.failures) + 1;
    q.put.run({ key, failures, blockedUntilMs: nowMs + waitAfter(failures, rule), lastMs: nowMs });
    return failures;
  };

  return {
    reserve: async (keys, nowMs) =>
      raw.transaction(() => {
        const rows = keys.map(({ key, rule }) => ({ key, rule, row: q.get.get({ key }) }));
        let retryAfterMs = 0;
        for (const { rule, row } of rows)
          if (row && nowMs - row.lastMs <= rule.forgetMs && row.blockedUntilMs > nowMs)
            retryAfterMs = Math.max(retryAfterMs, row.blockedUntilMs - nowMs);
        if (retryAfterMs > 0) return { allowed: false as const, retryAfterMs };
        for (const { key, rule, row } of rows) count(key, nowMs, rule, row);
        return { allowed: true as const };
      })(),
    fail: async (key, nowMs, rule) => raw.transaction(() => count(key, nowMs, rule, q.get.get({ key })))(),
    reset: async (...keys) => {
      for (const key of keys) q.remove.run({ key });
    },
    prune: async (beforeMs, limit) =>
      raw
        .prepare('delete from throttle where rowid in (select rowid from throttle where last_ms < ? limit ?)')
        .run(beforeMs, limit).changes,
  } satisfies ThrottleStore;
}
