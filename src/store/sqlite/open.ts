import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { sqliteMigrations } from '../../paths.js';
import { NoDatabaseError, SecretLockedError } from '../errors.js';
import type { SecretGuard, Store } from '../types.js';
import { bulkStore } from './bulk.js';
import { startCheckpointer } from './checkpointer.js';
import { clientStore } from './clients.js';
import { codeStore } from './codes.js';
import { consentStore } from './consents.js';
import { consoleSessionStore } from './console-sessions.js';
import { deviceStore } from './devices.js';
import { emailTokenStore } from './email-tokens.js';
import { eventStore } from './events.js';
import { identityStore, passwordTokenStore, providerStore } from './federation.js';
import { grantStore } from './grants.js';
import { interactionStore } from './interactions.js';
import { keyStore } from './keys.js';
import { logoutDeliveryStore } from './logout-deliveries.js';
import { mailOutboxStore } from './mail-outbox.js';
import { mfaStore } from './mfa.js';
import { scopeStore } from './scopes.js';
import { checkDue, discardSealed, secretOpens, writeSecretCheck } from './secret.js';
import { sessionStore } from './sessions.js';
import { sqliteContext, writeEvent } from './shared.js';
import { sweeper } from './sweep.js';
import { throttleStore } from './throttle.js';
import { tokenStore } from './tokens.js';
import { userStore } from './users.js';

export interface SqliteOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** A read-only command: a database that does not exist is not created (`NoDatabaseError`). */
  mustExist?: boolean;
  /** Refuse a secret that does not open the database's sealed values (`SecretLockedError`), before any write. */
  secret?: SecretGuard;
}

/** The SQLite store, with its connection for tests and tools that need SQL. */
export type SqliteStore = Store & { readonly raw: Database.Database };

/**
 * How long a statement waits for another connection's write lock. better-sqlite3 is synchronous: the wait
 * blocks the event loop, so every request waits with it. A server transaction takes a millisecond or two;
 * a lock held longer (a backup, a CLI bulk load, a stuck tool) should make writes answer `503` at once
 * (`isBusy`) rather than freeze the server.
 */
export const BUSY_TIMEOUT_MS = 250;
/** Opening may wait longer: the CLI and the server starting together both switch to WAL and migrate. */
const OPEN_BUSY_TIMEOUT_MS = 5_000;

const isFile = (path: string) => path !== '' && path !== ':memory:' && !path.startsWith('file:');

/**
 * The database holds password hashes, sealed keys and audit rows: owner-only, like `latchkey.secret`.
 * A new file is created 0600 before SQLite opens it (SQLite then gives its -wal and -shm files the same
 * mode); files a version before this one created 0644 are tightened.
 */
function ownerOnly(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) chmodSync(file, mode & 0o700);
    } catch {
      // Absent (no WAL yet) or not ours to change: nothing to tighten.
    }
  }
}

function createOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Opens (and creates) the database file: WAL, foreign keys, and a busy timeout long enough to open and
 * migrate beside another process; `createSqliteStore` shortens it to `BUSY_TIMEOUT_MS` for serving.
 */
export function openSqlite(path: string): Database.Database {
  if (isFile(path)) createOwnerOnly(path);
  const sqlite = new Database(path);
  sqlite.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  if (isFile(path)) ownerOnly(path);
  return sqlite;
}

/**
 * Why the connection cannot write now, without writing: a write per probe would change `data_version` (every
 * cache here and in the CLI would reload) and grow the WAL. A running server's connection keeps its file
 * descriptors open read-write, so what makes it unwritable is the connection's own mode (`query_only`, opened
 * read-only) or the files changing under it: `access(2)` reports a mode or owner change (`EACCES`) and a file
 * system remounted read-only (`EROFS`, as ext4 does on errors), on the database, its WAL and its folder (where
 * SQLite creates the WAL and shared-memory files on the next start). A few system calls: cheap for every probe.
 * A full disk is not seen here; writes then fail with `SQLITE_FULL`, answered 503.
 */
function unwritable(raw: Database.Database): string | undefined {
  if (raw.readonly || raw.pragma('query_only', { simple: true }) === 1) return 'database is read-only';
  if (raw.memory || !isFile(raw.name)) return undefined;
  for (const path of [raw.name, `${raw.name}-wal`, dirname(raw.name)]) {
    if (path.endsWith('-wal') && !existsSync(path)) continue;
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return 'database is on a read-only file system';
      if (code === 'ENOENT') {
        if (path === raw.name) return 'database file is missing';
        continue; // the WAL, just removed by a checkpoint
      }
      return path === dirname(raw.name) ? "database's folder is read-only" : 'database is read-only';
    }
  }
  return undefined;
}

/** A read-only database (or folder) still serves reads: the check value is then written another time. */
function recordCheck(raw: Database.Database, check: string): void {
  try {
    writeSecretCheck(raw, check, nowSeconds());
  } catch (err) {
    if (!/^SQLITE_READONLY/.test(String((err as { code?: unknown }).code))) throw err;
  }
}

export function migrateSqlite(sqlite: Database.Database): void {
  migrate(drizzle(sqlite), { migrationsFolder: sqliteMigrations() });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function createSqliteStore(path: string, options: SqliteOptions = {}): SqliteStore {
  if (isFile(path)) {
    if (options.mustExist && !existsSync(path)) throw new NoDatabaseError(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  const raw = openSqlite(path);
  const guard = options.secret;
  let locked = false;
  try {
    locked = guard ? !secretOpens(raw, guard) : false;
    if (locked && !guard?.allowLocked) throw new SecretLockedError();
    // Locked (`keys reset` before its confirmation): nothing is written until `sealed.discard()`.
    if (!locked) {
      guard?.accepted();
      if (options.migrate !== false) migrateSqlite(raw);
    }
    if (guard?.record && !locked && options.migrate !== false && checkDue(raw, guard.check))
      recordCheck(raw, guard.check);
  } catch (err) {
    raw.close();
    throw err;
  }
  raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const cx = sqliteContext(raw);
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined;
  return {
    raw,
    users: userStore(cx),
    clients: clientStore(cx),
    scopes: scopeStore(cx),
    keys: keyStore(cx),
    grants: grantStore(cx),
    tokens: tokenStore(cx),
    codes: codeStore(cx),
    sessions: sessionStore(cx),
    interactions: interactionStore(cx),
    consents: consentStore(cx),
    throttle: throttleStore(cx),
    mfa: mfaStore(cx),
    providers: providerStore(cx),
    identities: identityStore(cx),
    passwordTokens: passwordTokenStore(cx),
    emailTokens: emailTokenStore(cx),
    devices: deviceStore(cx),
    consoleSessions: consoleSessionStore(cx),
    events: eventStore(cx),
    logoutDeliveries: logoutDeliveryStore(cx),
    mailOutbox: mailOutboxStore(cx),
    bulk: bulkStore(cx),
    sealed: {
      get locked() {
        return locked;
      },
      async discard(event) {
        if (!guard) throw new Error('opened without the secret guard');
        guard.accepted();
        migrateSqlite(raw);
        const discarded = discardSealed(raw, guard.check, event.at, (counts) =>
          writeEvent(cx, {
            ...event,
            detail: {
              ...event.detail,
              signing_keys: counts.signingKeys,
              totp_factors: counts.totpFactors,
              recovery_codes: counts.recoveryCodes,
              mfa_tokens: counts.mfaTokens,
              providers: counts.providers,
              queued_mails: counts.queuedMails,
            },
          }),
        );
        locked = false;
        return discarded;
      },
    },
    sweep: sweeper(cx),
    generation: cx.generation,
    ping: async () => raw.prepare('select 1 as ok').get() !== undefined,
    unwritable: async () => unwritable(raw),
    startBackground(onError) {
      if (checkpointer || raw.memory || !raw.name) return;
      checkpointer = startCheckpointer(raw, raw.name, { onError });
    },
    async close(options = {}) {
      const background = checkpointer;
      checkpointer = undefined;
      await background?.stop();
      if (!raw.open) return;
      // TRUNCATE waits (the busy timeout) for a CLI command's read to end; if one outlasts it, the WAL stays
      // and the next open replays it: nothing is lost either way. A checkpoint that fails outright (a full
      // disk) is reported, and the connection is closed all the same.
      try {
        if (options.checkpoint && !raw.memory && !raw.readonly) raw.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        raw.close();
      }
    },
  };
}
