import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DB_PATH } from '../config.js';
import { isPostgresUrl, shownDatabase } from '../store/dialect.js';

export { shownDatabase };

type Env = Record<string, string | undefined>;

/** `LATCHKEY_LOG_LEVEL=debug` (SPEC §2; `LATCHKEY_LOG=debug` too): an error keeps its stack trace. */
export const debugging = (env: Env): boolean =>
  env['LATCHKEY_LOG_LEVEL'] === 'debug' || env['LATCHKEY_LOG'] === 'debug';

/** An error the CLI explains in one line: what failed, never a stack trace (it tells an operator nothing). */
export interface Failure {
  /** The `error` of `--json`. */
  code: 'database' | 'system' | 'internal';
  message: string;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * A safety net for whatever a command prints on stderr: a PostgreSQL URL's password, wherever a message
 * quotes the URL (src/secret.ts names "the database" by `LATCHKEY_DB`), becomes `***`.
 */
export const hidePasswords = (text: string): string =>
  text
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s"]*:)[^@\s"]*@/gi, '$1***@')
    .replace(/([?&](?:password|sslpassword)=)[^&\s"]*/gi, '$1***');

/** The database as named in messages: a file path, never a URL (a PostgreSQL URL may hold a password). */
function databaseName(env: Env): string {
  const raw = env['LATCHKEY_DB'] || DEFAULT_DB_PATH;
  return isPostgresUrl(raw) ? 'the database' : `the database "${raw === ':memory:' ? raw : resolve(raw)}"`;
}

/**
 * better-sqlite3's `SqliteError` (`code` SQLITE_…) and Node's system errors (`code` ENOENT, EACCES…, with a
 * `syscall`) are the operator's to fix: a folder that is not writable, a path that is a directory, a database
 * another process locks. Anything else is a bug, worded as one.
 */
export function describeFailure(err: unknown, env: Env = process.env): Failure {
  const { code, syscall, message, name } = (err ?? {}) as {
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
    name?: unknown;
  };
  const text = oneLine(typeof message === 'string' && message ? message : String(err));
  // src/store/postgres/open.ts: already one line naming the host and port (matched by name: this module is
  // loaded by every command, and must not load the PostgreSQL driver).
  if (name === 'PostgresUnreachable') return { code: 'database', message: text };
  // A failed PostgreSQL query, wrapped by drizzle in an error quoting the query and its parameters: the driver's
  // own words and SQLSTATE only.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (
    typeof cause?.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(cause.code) &&
    typeof cause.message === 'string'
  )
    return {
      code: 'database',
      message: `the database refused the query (${cause.code}): ${oneLine(cause.message)}`,
    };
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const db = databaseName(env);
    const kind = code.replace(/^SQLITE_/, '').replace(/_.*$/, '');
    const what =
      kind === 'CANTOPEN'
        ? `cannot open ${db} (${text}): set LATCHKEY_DB to a file in a folder this user can write`
        : kind === 'BUSY' || kind === 'LOCKED'
          ? `${db} is locked by another process (${text}): try again`
          : kind === 'READONLY'
            ? `cannot write ${db}: it is read-only (${text}); make the file and its folder (which holds its -wal and -shm files) writable for the user latchkey runs as`
            : kind === 'CORRUPT' || kind === 'NOTADB'
              ? `${db} is damaged or not a database (${text}): set LATCHKEY_DB to the database file, or restore it from a backup`
              : kind === 'FULL'
                ? `cannot write ${db}: the disk is full (${text}); free some space`
                : kind === 'IOERR'
                  ? `cannot read or write ${db} (${text}): check the disk and the file's permissions`
                  : `${db} failed (${code}): ${text}`;
    return { code: 'database', message: what };
  }
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string')
    return { code: 'system', message: systemMessage(err as NodeJS.ErrnoException, env, text) };
  const kind = typeof name === 'string' && name !== 'Error' ? `${name}: ` : '';
  return {
    code: 'internal',
    message: `internal error: ${kind}${text}${debugging(env) ? '' : ' (LATCHKEY_LOG_LEVEL=debug prints the stack trace)'}`,
  };
}

/** What a system call was doing, in words: `mkdir` → "create the folder". */
const VERBS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  chmod: 'change the mode of',
  copyfile: 'copy',
  stat: 'read',
  scandir: 'read the folder',
};

/** The setting that named a path: the database's folder is LATCHKEY_DB's, the seed file LATCHKEY_CONFIG's. */
function settingFor(path: string, env: Env): string {
  const db = resolve(env['LATCHKEY_DB'] || DEFAULT_DB_PATH);
  const config = env['LATCHKEY_CONFIG'] ? resolve(env['LATCHKEY_CONFIG']) : undefined;
  if (config && path === config) return 'LATCHKEY_CONFIG';
  return db === path ||
    db.startsWith(`${path}/`) ||
    path.startsWith(`${dirname(db)}/`) ||
    path === dirname(db)
    ? 'LATCHKEY_DB'
    : 'the path';
}

/** The nearest existing part of a path that is a file: where a folder was wanted (`ENOTDIR`). */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
      return undefined;
    } catch {
      // Not there: look further up.
    }
  }
  return undefined;
}

/**
 * Node's system errors (`EACCES: permission denied, mkdir '/srv/data'`, `listen EADDRINUSE …`) as one
 * sentence: what could not be done, to which path or address, and the setting to change.
 */
function systemMessage(
  err: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string },
  env: Env,
  text: string,
): string {
  const { code, syscall, path } = err;
  if (syscall === 'listen' || syscall === 'bind') {
    const where = `${err.address ?? env['HOST'] ?? '127.0.0.1'}:${err.port ?? env['PORT'] ?? 3000}`;
    if (code === 'EADDRINUSE')
      return `cannot listen on ${where}: the port is in use by another process; stop it, or set PORT to a free port`;
    if (code === 'EACCES')
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`;
    if (code === 'EADDRNOTAVAIL')
      return `cannot listen on ${where}: no network interface has this address; set HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for all)`;
    return `cannot listen on ${where} (${text}): check HOST and PORT`;
  }
  if (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'EAI_AGAIN'))
    return `cannot resolve HOST "${err.hostname ?? env['HOST']}": set HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for all)`;
  if (typeof path !== 'string') return text;
  const verb = VERBS[syscall ?? ''] ?? syscall;
  const setting = settingFor(path, env);
  const change = setting === 'the path' ? 'choose another path' : `set ${setting} to another place`;
  if (code === 'ENOTDIR' || (code === 'EEXIST' && syscall === 'mkdir')) {
    const file = fileInTheWay(path);
    return `cannot ${verb} "${path}": ${file ? `"${file}" is a file, not a folder` : 'a part of the path is a file, not a folder'}; ${change}, or move the file away`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    // A file that is not there yet is made in its folder: the folder is what must be writable.
    const what = existsSync(path) ? 'it' : `the folder "${dirname(path)}"`;
    return `cannot ${verb} "${path}": permission denied; make ${what} writable for the user latchkey runs as, or ${change}`;
  }
  if (code === 'EROFS') return `cannot ${verb} "${path}": the file system is read-only; ${change}`;
  if (code === 'ENOSPC') return `cannot ${verb} "${path}": the disk is full; free some space`;
  if (code === 'EISDIR') return `cannot ${verb} "${path}": it is a folder, not a file; ${change}`;
  if (code === 'ENOENT') return `cannot ${verb} "${path}": it does not exist; ${change}`;
  return `cannot ${verb} "${path}" (${text}); ${change}`;
}
