import { sql } from 'drizzle-orm';
import type { Store } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, type Exec } from './shared.js';

/** The sweep (issue 18), the twin of `../sqlite/sweep.ts`. */

// Bounded: at most `limit` rows per table per call, so no call holds its locks for long.
const EXPIRING: [table: string, column: string][] = [
  ['codes', 'expires_at'],
  ['refresh_tokens', 'expires_at'],
  ['access_tokens', 'expires_at'],
  ['revoked_jtis', 'expires_at'],
  ['interactions', 'expires_at'],
  ['sessions', 'expires_at'],
  ['grants', 'expires_at'],
  ['mfa_tokens', 'expires_at'],
  ['password_tokens', 'expires_at'],
  ['email_tokens', 'expires_at'],
  ['device_codes', 'expires_at'],
  ['console_sessions', 'expires_at'],
];

/**
 * Deletes up to `limit` rows of `table` whose `column` is at most `upTo`, by `ctid` (SQLite's `rowid`: every table,
 * whatever its key). `for update skip locked`: rows another transaction holds (a node sweeping at the same time, a
 * request updating one) are left for the next sweep instead of waited for.
 */
async function deleteBatch(ex: Exec, table: string, column: string, upTo: number, limit: number) {
  const t = sql.identifier(table);
  const c = sql.identifier(column);
  return changed(
    await ex.execute(
      sql`delete from ${t} where ctid = any(array(
            select ctid from ${t} where ${c} <= ${upTo} limit ${limit} for update skip locked))`,
    ),
  );
}

export function sweeper(cx: PostgresContext): Store['sweep'] {
  return (now, limit, eventRetentionSeconds) =>
    cx.tx(async (tx) => {
      let deleted = 0;
      let more = false;
      // A rotated refresh token's sealed retry response is useless once its grace window has gone by.
      for (const [table, column] of EXPIRING) {
        const n = await deleteBatch(tx, table, column, now, limit);
        deleted += n;
        if (n === limit) more = true;
      }
      // Audit events have no expiry of their own: they are kept for the retention period (`events_at`).
      const n = await deleteBatch(tx, 'events', 'at', now - eventRetentionSeconds, limit);
      deleted += n;
      if (n === limit) more = true;
      return { deleted, more };
    });
}
