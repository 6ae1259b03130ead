import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { sqliteMigrations } from '../../paths.js';

/** A backup or restore that cannot be done as asked: one sentence naming the file and what to do. */
export class OperationRefused extends Error {
  constructor(
    readonly code: 'exists' | 'missing' | 'in_use' | 'not_latchkey' | 'damaged' | 'too_new',
    message: string,
  ) {
    super(message);
  }
}

export interface CopyResult {
  /** The file written (absolute). */
  file: string;
  bytes: number;
}

const sidecars = (path: string) => [`${path}-wal`, `${path}-shm`, `${path}-journal`];

function removeWithSidecars(path: string): void {
  for (const file of [path, ...sidecars(path)]) rmSync(file, { force: true });
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A new owner-only file beside `path`: the copy holds password hashes and sealed keys, like the database. */
function tempBeside(path: string, tag: string): string {
  const tmp = resolve(dirname(path), `.${basename(path)}.${tag}-${randomBytes(6).toString('hex')}`);
  closeSync(openSync(tmp, 'wx', 0o600));
  return tmp;
}

/** Turns a checked copy into a single self-contained file (no WAL beside it) and flushes it to disk. */
function settle(db: Database.Database, path: string): void {
  db.pragma('journal_mode = DELETE');
  db.close();
  fsyncPath(path);
}

/**
 * `latchkey backup FILE`: SQLite's online backup API, from a read-only connection, while the server serves.
 * Every page is copied in one step, so the copy is one read transaction's snapshot: in WAL mode that blocks
 * no writer, and no write of the server's can restart it (copying in small steps restarts on every commit of
 * another connection, which under load may never finish). The copy is checked, made a single file, and only
 * then takes the name `file`: an interrupted backup never leaves a half-written FILE.
 */
export async function backupSqlite(
  dbPath: string,
  file: string,
  options: { force?: boolean } = {},
): Promise<CopyResult> {
  const target = resolve(file);
  if (!existsSync(dbPath))
    throw new OperationRefused('missing', `there is no database at ${dbPath} (LATCHKEY_DB)`);
  if (target === dbPath || sidecars(dbPath).includes(target))
    throw new OperationRefused('exists', `${target} is the database itself: name another file`);
  if (existsSync(target) && statSync(target).isDirectory())
    throw new OperationRefused('exists', `${target} is a folder: name the backup file`);
  if (existsSync(target) && !options.force)
    throw new OperationRefused('exists', `${target} exists: pass --force to overwrite it`);
  if (!existsSync(dirname(target)))
    throw new OperationRefused(
      'missing',
      `cannot write ${target}: the folder ${dirname(target)} does not exist`,
    );
  const tmp = tempBeside(target, 'backup');
  try {
    const source = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      await source.backup(tmp, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    const copy = new Database(tmp, { fileMustExist: true });
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      copy.close();
      throw new OperationRefused(
        'damaged',
        `the copy of ${dbPath} fails its integrity check: ${String(check)}`,
      );
    }
    settle(copy, tmp);
    if (options.force) renameSync(tmp, target);
    else {
      // link(2) fails if the name was taken meanwhile: no FILE is ever overwritten without --force.
      try {
        linkSync(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST')
          throw new OperationRefused('exists', `${target} exists: pass --force to overwrite it`);
        throw err;
      }
      rmSync(tmp, { force: true });
    }
    fsyncPath(dirname(target));
    return { file: target, bytes: statSync(target).size };
  } finally {
    removeWithSidecars(tmp);
  }
}

/** The checks a file passes before it may replace the database; `path` is a private copy (it is written). */
function checkLatchkeyDatabase(path: string, name: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok')
      throw new OperationRefused('damaged', `${name} fails its integrity check: ${String(check)}`);
    const tables = new Set(
      (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    if (!['__drizzle_migrations', 'users', 'clients', 'signing_keys'].every((t) => tables.has(t)))
      throw new OperationRefused('not_latchkey', `${name} is not a latchkey database`);
    // Migrations only run forward: a file a newer latchkey migrated cannot be served by this one.
    const known = new Set(
      readMigrationFiles({ migrationsFolder: sqliteMigrations() }).map((m) => m.folderMillis),
    );
    const applied = db.prepare('select created_at as at from __drizzle_migrations').all() as { at: number }[];
    if (applied.some((m) => !known.has(Number(m.at))))
      throw new OperationRefused(
        'too_new',
        `${name} was migrated by a newer latchkey than this one: upgrade latchkey, then restore it`,
      );
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof OperationRefused) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
      throw new OperationRefused('not_latchkey', `${name} is not a SQLite database`);
    throw err;
  }
}

/**
 * Holds the database against every other connection, or says who holds it. In WAL mode each open connection
 * (a server, even idle; its checkpointer; a CLI command) keeps a shared lock on the database file for as long
 * as it is open, so leaving WAL mode, which needs the file to itself, fails with `SQLITE_BUSY` while any
 * other process has the database open. The kernel drops those locks when a process dies, even by SIGKILL,
 * so unlike a pid file nothing goes stale, and it works across containers sharing the volume. Leaving WAL
 * also folds the WAL into the file, so no -wal is left to remove. The exclusive lock is then kept until the
 * new file has taken the name.
 */
function holdExclusively(dbPath: string): Database.Database | undefined {
  const db = new Database(dbPath, { fileMustExist: true });
  const inUse = () =>
    new OperationRefused(
      'in_use',
      `${dbPath} is open in another process (a running latchkey?): stop it, then restore`,
    );
  try {
    db.pragma('busy_timeout = 1000');
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw inUse();
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) throw inUse();
    // Not a database at all: nothing can be serving it, and replacing it is what the operator is here for.
    if (code === 'SQLITE_NOTADB') return undefined;
    if (code === 'SQLITE_CORRUPT')
      throw new OperationRefused(
        'damaged',
        `${dbPath} is damaged, so whether another process has it open cannot be checked: stop every latchkey, move it aside, then restore`,
      );
    throw err;
  }
}

export interface RestoreResult extends CopyResult {
  /** Where the database that was replaced is kept (absolute), if there was one. */
  previous?: string;
}

/**
 * `latchkey restore FILE`: refuses while another process has the database open; checks a private copy of
 * FILE (integrity, a latchkey database, no migration this version does not know); then, holding the
 * database exclusively, keeps the old file under a second name and renames the flushed copy over it. A crash
 * at any point leaves either the old database or the new one under the name, never a mix: the old WAL was
 * folded in and removed before the rename, so it is never replayed onto the new file.
 */
export function restoreSqlite(dbPath: string, file: string): RestoreResult {
  const source = resolve(file);
  if (!existsSync(source) || !statSync(source).isFile())
    throw new OperationRefused('missing', `there is no file at ${source}`);
  if (source === dbPath) throw new OperationRefused('exists', `${source} is the database itself`);
  const wal = `${source}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0)
    throw new OperationRefused(
      'in_use',
      `${wal} is beside ${source}: it is open or was not closed cleanly; restore a file made by latchkey backup`,
    );
  mkdirSync(dirname(dbPath), { recursive: true });
  const tmp = tempBeside(dbPath, 'restore');
  let held: Database.Database | undefined;
  try {
    copyFileSync(source, tmp);
    settle(checkLatchkeyDatabase(tmp, source), tmp);
    let previous: string | undefined;
    if (existsSync(dbPath)) {
      held = holdExclusively(dbPath);
      previous = `${dbPath}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      linkSync(dbPath, previous);
    }
    for (const stale of sidecars(dbPath)) rmSync(stale, { force: true });
    renameSync(tmp, dbPath);
    fsyncPath(dirname(dbPath));
    return { file: dbPath, bytes: statSync(dbPath).size, ...(previous ? { previous } : {}) };
  } finally {
    if (held?.open) {
      held.exec('ROLLBACK');
      held.close();
    }
    removeWithSidecars(tmp);
  }
}
