import type Database from 'better-sqlite3';
import { and, eq, getTableColumns, isNull, type SQL, sql } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as s from '../../../db/schema.sqlite.js';
import type { Issued, NewAuditEvent, NewUser, User } from '../types.js';

export type Db = BetterSQLite3Database<typeof s>;

export const p = (name: string) => sql.placeholder(name);

/** Each statement is prepared on first use, then reused: start-up does not pay for the ones it never runs. */
export function lazily<T extends Record<string, () => unknown>>(
  defs: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const out = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(defs) as (keyof T)[]) {
    Object.defineProperty(out, key, {
      get() {
        const value = defs[key]!();
        Object.defineProperty(out, key, { value });
        return value;
      },
      configurable: true,
    });
  }
  return out;
}

/** `{ column: placeholder(column) }` for every column: an insert prepared once, run with a whole record. */
export function allPlaceholders<T extends SQLiteTable>(
  table: T,
): { [K in keyof T['$inferInsert']]-?: ReturnType<typeof p> } {
  return Object.fromEntries(Object.keys(getTableColumns(table)).map((k) => [k, p(k)])) as never;
}

/** `select * from table where column = :name`, prepared: the lookups by key every aggregate has. */
export function selectBy<T extends SQLiteTable>(db: Db, table: T, column: SQLiteColumn, name: string) {
  return db
    .select()
    .from(table)
    .where(eq(column, p(name)))
    .prepare();
}

/** The statements more than one aggregate runs (hot paths: prepared once). */
function sharedStatements(db: Db) {
  return lazily({
    insertGrant: () => db.insert(s.grants).values(allPlaceholders(s.grants)).prepare(),
    insertRefresh: () => db.insert(s.refreshTokens).values(allPlaceholders(s.refreshTokens)).prepare(),
    insertAccess: () => db.insert(s.accessTokens).values(allPlaceholders(s.accessTokens)).prepare(),
    insertEvent: () =>
      db
        .insert(s.events)
        .values({
          at: p('at'),
          type: p('type'),
          userId: p('userId'),
          clientId: p('clientId'),
          ip: p('ip'),
          actor: p('actor'),
          userAgent: p('userAgent'),
          detail: p('detail'),
        })
        .prepare(),
    revokeGrant: () =>
      db
        .update(s.grants)
        .set({ revokedAt: sql`${p('now')}` })
        .where(and(eq(s.grants.id, p('id')), isNull(s.grants.revokedAt)))
        .prepare(),
  });
}

/** One connection, shared by every aggregate of a store. */
export interface SqliteContext {
  readonly raw: Database.Database;
  readonly db: Db;
  readonly q: ReturnType<typeof sharedStatements>;
  /** See `Store.generation`. */
  generation(): number;
}

export function sqliteContext(raw: Database.Database): SqliteContext {
  const db: Db = drizzle(raw, { schema: s });
  let dataVersion: Database.Statement | undefined;
  let lastGeneration = { atMs: -1, value: -1 };
  return {
    raw,
    db,
    q: sharedStatements(db),
    /**
     * SQLite's data_version, which changes when another connection (the CLI) commits. Reading it starts a
     * read transaction (file-lock system calls), so it is asked at most once per millisecond: several
     * caches ask on every request, and no CLI command completes within a millisecond of its commit.
     */
    generation() {
      const nowMs = Date.now();
      if (nowMs !== lastGeneration.atMs) {
        dataVersion ??= raw.prepare('PRAGMA data_version').pluck();
        lastGeneration = { atMs: nowMs, value: dataVersion.get() as number };
      }
      return lastGeneration.value;
    },
  };
}

// Writes more than one aggregate makes. None opens a transaction: the caller's unit of work holds it.

export function writeEvent({ q }: SqliteContext, event: NewAuditEvent): void {
  q.insertEvent.run({ actor: null, userAgent: null, ...event });
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
export function writeIssued(cx: SqliteContext, issued: Issued): void {
  const { q } = cx;
  if (issued.grant) q.insertGrant.run({ claims: null, ...issued.grant });
  if (issued.refresh) q.insertRefresh.run({ ...issued.refresh });
  if (issued.access) q.insertAccess.run({ ...issued.access });
  if (issued.event) writeEvent(cx, issued.event);
}

/** Returns false when the grant was already revoked or does not exist. */
export function revokeGrantNow({ q }: SqliteContext, id: string, now: number): boolean {
  return q.revokeGrant.run({ id, now }).changes > 0;
}

/**
 * Ends every session of the user that has not ended yet (expired ones included), and deletes the user's admin
 * console sessions (issue 17). Counts the browser sessions.
 */
export function endUserSessions({ db }: SqliteContext, userId: string, now: number): number {
  db.delete(s.consoleSessions).where(eq(s.consoleSessions.userId, userId)).run();
  return db
    .update(s.sessions)
    .set({ endedAt: now })
    .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)))
    .run().changes;
}

export function revokeUserGrants({ db }: SqliteContext, userId: string, now: number): number {
  return db
    .update(s.grants)
    .set({ revokedAt: now })
    .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt)))
    .run().changes;
}

/** SPEC §3: the grants issued through a browser session, except those with `offline_access`. */
export function revokeSessionGrants({ db }: SqliteContext, sessionHash: string, now: number): number {
  return db
    .update(s.grants)
    .set({ revokedAt: now })
    .where(
      and(
        eq(s.grants.sessionHash, sessionHash),
        isNull(s.grants.revokedAt),
        sql`(' ' || ${s.grants.scope} || ' ') not like '% offline_access %'`,
      ),
    )
    .run().changes;
}

export function removeConsent({ db }: SqliteContext, userId: string, clientId: string): void {
  db.delete(s.consents)
    .where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)))
    .run();
}

/** Keyset paging over (`createdAt`, `id`): the rows strictly after `after` in that order. */
export function afterKey(
  createdAt: SQLiteColumn,
  id: SQLiteColumn,
  after: { createdAt: number; id: string },
): SQL {
  return sql`(${createdAt}, ${id}) > (${after.createdAt}, ${after.id})`;
}

/**
 * `column` contains `part`, case-insensitively (SQLite's LIKE folds ASCII case); `%`, `_` and `\` in `part`
 * are literal. A null column contains nothing.
 */
export function containing(column: SQLiteColumn, part: string): SQL {
  const pattern = `%${part.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`${column} like ${pattern} escape '\\'`;
}
