import { ConfigError } from '../config.js';
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

/** Opens the store `config.dbPath` names: a PostgreSQL URL, or a SQLite file (`:memory:` for tests). */
export function openStore(config: { dbPath: string }, options?: SqliteOptions): Store {
  if (isPostgresUrl(config.dbPath))
    throw new ConfigError(
      'LATCHKEY_DB is a PostgreSQL URL, but the PostgreSQL dialect is not available yet: use a SQLite file path',
    );
  return createSqliteStore(config.dbPath, options);
}

function sqliteFile(dbPath: string, what: string): string {
  if (isPostgresUrl(dbPath))
    throw new OperationRefused(
      'missing',
      `LATCHKEY_DB is a PostgreSQL URL: ${what} a SQLite file only (use pg_dump)`,
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
  return backupSqlite(sqliteFile(dbPath, 'backup copies'), file, options);
}

/** Replaces the database with `file`, only while no process has it open (`latchkey restore`). */
export async function restoreDatabase(dbPath: string, file: string): Promise<RestoreResult> {
  return restoreSqlite(sqliteFile(dbPath, 'restore replaces'), file);
}

/**
 * A write lost a race on a unique key (two admins creating the same client id or email at once): the text of
 * the constraint (SQLite: `users.email`) so the caller can name the field, else undefined.
 */
export function uniqueViolation(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code)) return undefined;
  return /constraint failed: (.*)$/.exec(String((err as Error).message))?.[1] ?? '';
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
  }
  return false;
}
