import { eq, inArray, type SQL, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import { waitAfter } from '../throttle.js';
import type { ThrottleRule, ThrottleStore, ThrottleVerdict } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, type Exec } from './shared.js';

/**
 * The twin of `../sqlite/throttle.ts` (issue 18). Several nodes count the same keys, so no counter is read and
 * then written: each failure is one `insert … on conflict do update` whose new counters are computed by the
 * database from the row it locked, the same arithmetic as `waitAfter` (src/store/throttle.ts) and the same
 * `forgetMs` reset, so N failures spread over any number of nodes count N.
 */

const { throttle: t } = s;

/** The existing row's columns, as `on conflict do update` sees them (qualified: `excluded` has the same names). */
const failures = sql`${t}.failures`;
const lastMs = sql`${t}.last_ms`;
const blockedUntilMs = sql`${t}.blocked_until_ms`;

const ms = (n: number) => sql`${n}::bigint`;

/** The key's failures after one more at `nowMs`: from zero again when its last one is older than `forgetMs`. */
function nextFailures(nowMs: number, rule: ThrottleRule): SQL {
  return sql`(case when ${ms(nowMs)} - ${lastMs} > ${ms(rule.forgetMs)} then 1 else ${failures} + 1 end)`;
}

/**
 * `waitAfter(count, rule)` in SQL: none before `free` failures, then `baseMs` doubling up to `maxMs`. `free` is a
 * bigint: a rule that only counts says `Number.MAX_SAFE_INTEGER` (the MFA step's), past an integer's range.
 */
function waitAfterSql(count: SQL, rule: ThrottleRule): SQL {
  return sql`(case when ${count} < ${rule.free}::bigint then 0::numeric
    else least(${rule.baseMs}::numeric * power(2::numeric, least(${count} - ${rule.free}::bigint, 30)), ${rule.maxMs}::numeric)
    end)`;
}

/** The existing row makes the key wait at `nowMs` (the SQLite twin's test, on the locked row). */
function waiting(nowMs: number, rule: ThrottleRule): SQL {
  return sql`(${ms(nowMs)} - ${lastMs} <= ${ms(rule.forgetMs)} and ${blockedUntilMs} > ${ms(nowMs)})`;
}

/**
 * Counts one failure of `key` at `nowMs` in one statement; with `unlessWaiting`, a key whose row makes it wait is
 * left as it is (its row still locked by the statement) and nothing is returned.
 */
async function count(
  ex: Exec,
  key: string,
  nowMs: number,
  rule: ThrottleRule,
  unlessWaiting: boolean,
): Promise<number | undefined> {
  const next = nextFailures(nowMs, rule);
  const rows = await ex
    .insert(t)
    .values({ key, failures: 1, blockedUntilMs: nowMs + waitAfter(1, rule), lastMs: nowMs })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        failures: next,
        blockedUntilMs: sql`(${ms(nowMs)} + ${waitAfterSql(next, rule)})::bigint`,
        lastMs: ms(nowMs),
      },
      ...(unlessWaiting ? { setWhere: sql`not ${waiting(nowMs, rule)}` } : {}),
    })
    .returning({ failures: t.failures });
  return rows[0]?.failures;
}

/** Thrown inside `reserve`'s transaction to roll back what it counted before it met a waiting key. */
class Refused extends Error {
  constructor(readonly retryAfterMs: number) {
    super('throttled');
  }
}

export function throttleStore(cx: PostgresContext) {
  return {
    /**
     * One transaction, the keys in a fixed order (two reserves over the same keys cannot deadlock). Each key is
     * counted by a conditional upsert that skips a waiting row (`on conflict do update … where`), so the check
     * and the count are one atomic step on the locked row; a key refused rolls the whole transaction back.
     */
    reserve: async (keys, nowMs): Promise<ThrottleVerdict> => {
      // One entry a key (the last rule given wins), as the SQLite twin counts a key once.
      const byKey = new Map(keys.map(({ key, rule }) => [key, rule]));
      const ordered = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      try {
        await cx.tx(async (tx) => {
          let retryAfterMs = 0;
          for (const [key, rule] of ordered) {
            if ((await count(tx, key, nowMs, rule, true)) !== undefined) continue;
            // The upsert locked the row it left alone: this read sees it as it stays until we roll back.
            const [row] = await tx.select({ blockedUntilMs: t.blockedUntilMs }).from(t).where(eq(t.key, key));
            retryAfterMs = Math.max(retryAfterMs, (row?.blockedUntilMs ?? nowMs + 1) - nowMs);
          }
          if (retryAfterMs > 0) throw new Refused(retryAfterMs);
        });
      } catch (err) {
        if (err instanceof Refused) return { allowed: false, retryAfterMs: err.retryAfterMs };
        throw err;
      }
      return { allowed: true };
    },
    // One statement: atomic on its own.
    fail: async (key, nowMs, rule) => (await count(cx.db, key, nowMs, rule, false)) ?? 0,
    reset: async (...keys) => {
      if (keys.length) await cx.db.delete(t).where(inArray(t.key, keys));
    },
    // `skip locked`: a key another node is counting right now is not idle, and pruning never waits for it.
    prune: async (beforeMs, limit) =>
      changed(
        await cx.db.execute(
          sql`delete from ${t} where ${t.key} in (
            select ${t.key} from ${t} where ${t.lastMs} < ${ms(beforeMs)} limit ${limit} for update skip locked
          )`,
        ),
      ),
  } satisfies ThrottleStore;
}
