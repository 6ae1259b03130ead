import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import * as s from '../../../db/schema.postgres.js';
import type { Issued, NewAuditEvent, NewUser, User } from '../types.js';
import type { PgDb, PgTx } from './open.js';

/**
 * What the PostgreSQL aggregates share (issue 18), the twin of `../sqlite/shared.ts`: the writes more than one
 * aggregate makes, each taking the executor of the caller's unit of work (`cx.tx(...)`'s transaction, or the pool's
 * `db` for a single statement). None opens a transaction itself.
 */

/** The pool (one statement, its own implicit transaction) or a unit of work's transaction. */
export type Exec = PgDb | PgTx;

/**
 * `select * from table where column = $1 limit 1` as a named prepared statement on the pool, built once per store:
 * the hot-path reads by key skip drizzle's query building on every call, and each pooled connection parses and
 * plans the statement once. `name` must be unique within the store (node-postgres refuses one name for two texts).
 * Pool-level only: a statement bound to the pool does not run inside `cx.tx(...)`'s transaction.
 */
export function selectBy<T extends PgTable>(db: PgDb, table: T, column: PgColumn, name: string) {
  return db
    .select()
    .from<T>(table as never)
    .where(eq(column, sql.placeholder('key')))
    .limit(1)
    .prepare(name);
}

/** Rows a write touched (`rowCount`; null only for statements that count nothing). */
export const changed = (result: { rowCount: number | null }) => result.rowCount ?? 0;

export async function writeEvent(ex: Exec, event: NewAuditEvent): Promise<void> {
  await ex.insert(s.events).values({ actor: null, userAgent: null, ...event });
}

/** The row of a new user: what `NewUser` leaves out starts empty. */
export function userRow(user: NewUser): User {
  return {
    username: null,
    groups: [],
    disabledAt: null,
    managedBy: null,
    ...user,
    updatedAt: user.createdAt,
  };
}

/** Writes what one token response issued. */
export async function writeIssued(ex: Exec, issued: Issued): Promise<void> {
  if (issued.grant) await ex.insert(s.grants).values({ claims: null, ...issued.grant });
  if (issued.refresh) await ex.insert(s.refreshTokens).values({ ...issued.refresh });
  if (issued.access) await ex.insert(s.accessTokens).values({ ...issued.access });
  if (issued.event) await writeEvent(ex, issued.event);
}

/** Returns false when the grant was already revoked or does not exist. */
export async function revokeGrantNow(ex: Exec, id: string, now: number): Promise<boolean> {
  const result = await ex
    .update(s.grants)
    .set({ revokedAt: now })
    .where(and(eq(s.grants.id, id), isNull(s.grants.revokedAt)));
  return changed(result) > 0;
}

/**
 * Ends every session of the user that has not ended yet (expired ones included), and deletes the user's admin
 * console sessions (issue 17). Counts the browser sessions.
 */
export async function endUserSessions(ex: Exec, userId: string, now: number): Promise<number> {
  await ex.delete(s.consoleSessions).where(eq(s.consoleSessions.userId, userId));
  const result = await ex
    .update(s.sessions)
    .set({ endedAt: now })
    .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)));
  return changed(result);
}

export async function revokeUserGrants(ex: Exec, userId: string, now: number): Promise<number> {
  const result = await ex
    .update(s.grants)
    .set({ revokedAt: now })
    .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt)));
  return changed(result);
}

/** SPEC §3: the grants issued through a browser session, except those with `offline_access`. */
export async function revokeSessionGrants(ex: Exec, sessionHash: string, now: number): Promise<number> {
  const result = await ex
    .update(s.grants)
    .set({ revokedAt: now })
    .where(
      and(
        eq(s.grants.sessionHash, sessionHash),
        isNull(s.grants.revokedAt),
        sql`(' ' || ${s.grants.scope} || ' ') not like '% offline_access %'`,
      ),
    );
  return changed(result);
}

export async function removeConsent(ex: Exec, userId: string, clientId: string): Promise<void> {
  await ex.delete(s.consents).where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)));
}

/** Keyset paging over (`createdAt`, `id`): the rows strictly after `after` in that order. */
export function afterKey(createdAt: PgColumn, id: PgColumn, after: { createdAt: number; id: string }): SQL {
  return sql`(${createdAt}, ${id}) > (${after.createdAt}, ${after.id})`;
}

/**
 * `column` contains `part`, case-insensitively as SQLite's LIKE does for ASCII (ILIKE); `%`, `_` and `\` in
 * `part` are literal. A null column contains nothing.
 */
export function containing(column: PgColumn, part: string): SQL {
  const pattern = `%${part.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`${column} ilike ${pattern} escape '\\'`;
}

/** The outboxes whose due rows the nodes drain (`claimDue`): outgoing mail and back-channel logout notices. */
type Outbox = typeof s.mailOutbox | typeof s.logoutDeliveries;

/**
 * Leases the due rows `due` selects, fewest attempts first, inside the caller's transaction. `for update skip
 * locked`: two nodes draining at once each lock the rows they take and pass over the other's; once the lease
 * (`next_attempt_at`, one more attempt) is written and committed, the rows are no longer due for anyone.
 */
export async function leaseDue<T extends Outbox>(
  tx: PgTx,
  t: T,
  due: SQL | undefined,
  limit: number,
  leaseUntil: number,
): Promise<T['$inferSelect'][]> {
  const table = t as typeof s.mailOutbox; // the columns used below are the same in both
  const rows = await tx
    .select()
    .from(table)
    .where(due)
    .orderBy(asc(table.attempts), asc(table.nextAttemptAt), asc(table.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  if (rows.length)
    await tx
      .update(table)
      .set({ nextAttemptAt: leaseUntil, attempts: sql`${table.attempts} + 1` })
      .where(
        inArray(
          table.id,
          rows.map((r) => r.id),
        ),
      );
  return rows.map((r) => ({
    ...r,
    attempts: r.attempts + 1,
    nextAttemptAt: leaseUntil,
  })) as T['$inferSelect'][];
}
