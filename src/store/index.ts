import { isPostgresUrl } from './dialect.js';
import {
  backupSqlite,
  type CopyResult,
  createSqliteStore,
  OperationRefused,
  type RestoreResult,
  restoreSqlite,
  type SqliteOptions,
} from './sqlite/index.js';
import type { Store } from './types.js';

export type { CopyResult, RestoreResult, SqliteOptions };
export { OperationRefused };

/**
 * Opens the store `config.dbPath` names: a PostgreSQL URL (issue 18; `mustExist` does not apply: the database is
 * the server's to create), or a SQLite file (`:memory:` for tests).
 */
export async function openStore(config: { dbPath: string }, options: SqliteOptions = {}): Promise<Store> {
  if (isPostgresUrl(config.dbPath)) {
    const { createPostgresStore } = await import('./postgres/index.js');
    return createPostgresStore(config.dbPath, {
      ...(options.migrate === false ? { migrate: false } : {}),
      ...(options.secret ? { secret: options.secret } : {}),
    });
  }
  return createSqliteStore(config.dbPath, options);
}

/** `instead`: what does the job on PostgreSQL (its own tools: a dump is consistent while nodes run). */
function sqliteFile(dbPath: string, what: string, instead: string): string {
  if (isPostgresUrl(dbPath))
    throw new OperationRefused(
      'missing',
      `LATCHKEY_DB is a PostgreSQL URL: ${what} a SQLite file only; ${instead}`,
    );
  if (dbPath === ':memory:' || dbPath.startsWith('file:'))
    throw new OperationRefused('missing', `LATCHKEY_DB is not a file path: ${what} a SQLite file only`);
  return dbPath;
}

/** Copies the running database to `file`, consistently, without stopping the server (`latchkey backup`). */
export function backupDatabase(
  dbPath: string,
  file: string,
  options: { force?: boolean } = {},
): Promise<CopyResult> {
  return backupSqlite(
    sqliteFile(
      dbPath,
      'latchkey backup copies',
      'back it up with pg_dump (pg_dump -Fc -f FILE "$LATCHKEY_DB")',
    ),
    file,
    options,
  );
}

/** Replaces the database with `file`, only while no process has it open (`latchkey restore`). */
export async function restoreDatabase(dbPath: string, file: string): Promise<RestoreResult> {
  return restoreSqlite(
    sqliteFile(
      dbPath,
      'latchkey restore replaces',
      'restore a pg_dump with pg_restore (pg_restore --clean -d "$LATCHKEY_DB" FILE), every node stopped',
    ),
    file,
  );
}

/**
 * A write lost a race on a unique key (two admins creating the same client id or email at once): the text of
 * the constraint (SQLite: `users.email`) so the caller can name the field, else undefined.
 */
export function uniqueViolation(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code))
      return /constraint failed: (.*)$/.exec(String((e as Error).message))?.[1] ?? '';
    // PostgreSQL's unique_violation: its detail names the column, `Key (email)=(…) already exists.`
    if (code === '23505') {
      const { table, detail } = e as { table?: string; detail?: string };
      const column = /^Key \(([^)]+)\)=/.exec(detail ?? '')?.[1];
      return table && column ? `${table}.${column}` : '';
    }
  }
  return undefined;
}

/**
 * The database is locked by another connection past the busy timeout (SQLite: `SQLITE_BUSY`, `SQLITE_LOCKED`
 * and their extended codes): a moment later the same request may succeed, so it is a `503`, not a `500`.
 * Recognised by the driver's error code so that nothing outside the dialect imports the driver.
 */
export function isBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return true;
    // PostgreSQL: a serialization failure or deadlock after `tx`'s retries (40001, 40P01), a lock not available
    // (55P03), too many connections (53300), a statement timeout (57014), the pool's own timeout; and the server
    // out of reach for a moment (restarting, failing over): refused or dropped connections, in Node's words.
    if (code === '40001' || code === '40P01' || code === '55P03' || code === '53300' || code === '57014')
      return true;
    if (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/.test(code)
    )
      return true;
    if (
      /^(Connection terminated|Client has encountered a connection error and is not queryable)/.test(
        String((e as Error).message),
      )
    )
      return true;
    if (/^timeout exceeded when trying to connect$/.test(String((e as Error).message))) return true;
  }
  return false;
}

/**
 * The database cannot take a write (SQLite: `SQLITE_READONLY`, `SQLITE_FULL`, `SQLITE_IOERR` and their extended
 * codes: a file made read-only, a full disk, a file system remounted read-only): the server's fault, not the
 * request's, and `/readyz` says so; answered `503` rather than `500`.
 */
export function isUnwritable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(READONLY|FULL|IOERR)(_|$)/.test(code)) return true;
    // PostgreSQL: a read-only transaction or standby (25006), a full disk (53100), the server going away
    // (57P01-57P03 shutting down / starting, 08xxx connection failures).
    if (typeof code === 'string' && /^(25006|53100|57P0[1-3]|08\w{3})$/.test(code)) return true;
  }
  return false;
}

/**
 * A value the database refuses to store (PostgreSQL's data exceptions, SQLSTATE class 22: a NUL character in text
 * or JSON, a number out of range, a malformed value): the request's fault, answered 400, never a 500. SQLite
 * stores such values as they are.
 */
export function isRefusedValue(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/**
 * An error as logs may show it. A failed PostgreSQL query comes wrapped by drizzle in an error whose message
 * quotes the query's parameters (emails, hashes, sealed values): the driver's own error (its message, SQLSTATE
 * and constraint) is shown instead.
 */
export function loggedError(err: unknown): { error: string; stack?: string } {
  if (err instanceof Error && err.message.startsWith('Failed query:') && err.cause instanceof Error) {
    const cause = err.cause as Error & { code?: string; constraint?: string };
    const code = cause.code ? ` (${cause.code}${cause.constraint ? `, ${cause.constraint}` : ''})` : '';
    return {
      error: `database query failed: ${cause.message}${code}`,
      ...(cause.stack ? { stack: cause.stack } : {}),
    };
  }
  return { error: String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) };
}
