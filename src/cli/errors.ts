import { resolve } from 'node:path';
import { DEFAULT_DB_PATH } from '../config.js';
import { isPostgresUrl } from '../store/dialect.js';

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
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const db = databaseName(env);
    const kind = code.replace(/^SQLITE_/, '').replace(/_.*$/, '');
    const what =
      kind === 'CANTOPEN'
        ? `cannot open ${db}`
        : kind === 'BUSY' || kind === 'LOCKED'
          ? `${db} is locked by another process; try again`
          : kind === 'READONLY'
            ? `cannot write ${db}: it is read-only`
            : kind === 'CORRUPT' || kind === 'NOTADB'
              ? `${db} is damaged or not a database`
              : kind === 'FULL'
                ? `cannot write ${db}: the disk is full`
                : kind === 'IOERR'
                  ? `cannot read or write ${db}`
                  : `${db} failed (${code})`;
    return { code: 'database', message: `${what}: ${text}` };
  }
  // Node's own wording names the call and the path: `EACCES: permission denied, mkdir '/srv/data'`.
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof syscall === 'string')
    return { code: 'system', message: text };
  const kind = typeof name === 'string' && name !== 'Error' ? `${name}: ` : '';
  return {
    code: 'internal',
    message: `internal error: ${kind}${text}${debugging(env) ? '' : ' (LATCHKEY_LOG_LEVEL=debug prints the stack trace)'}`,
  };
}
