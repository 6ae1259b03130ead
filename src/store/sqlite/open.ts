import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { sqliteMigrations } from '../../paths.js';
import type { Store } from '../types.js';
import { bulkStore } from './bulk.js';
import { startCheckpointer } from './checkpointer.js';
import { clientStore } from './clients.js';
import { codeStore } from './codes.js';
import { consentStore } from './consents.js';
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
import { sessionStore } from './sessions.js';
import { sqliteContext } from './shared.js';
import { sweeper } from './sweep.js';
import { throttleStore } from './throttle.js';
import { tokenStore } from './tokens.js';
import { userStore } from './users.js';

export interface SqliteOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
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

export function migrateSqlite(sqlite: Database.Database): void {
  migrate(drizzle(sqlite), { migrationsFolder: sqliteMigrations() });
}

export function createSqliteStore(path: string, options: SqliteOptions = {}): SqliteStore {
  const raw = openSqlite(path);
  if (options.migrate !== false) migrateSqlite(raw);
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
    events: eventStore(cx),
    logoutDeliveries: logoutDeliveryStore(cx),
    mailOutbox: mailOutboxStore(cx),
    bulk: bulkStore(cx),
    sweep: sweeper(cx),
    generation: cx.generation,
    ping: async () => raw.prepare('select 1 as ok').get() !== undefined,
    startBackground(onError) {
      if (checkpointer || raw.memory || !raw.name) return;
      checkpointer = startCheckpointer(raw, raw.name, { onError });
    },
    async close() {
      const background = checkpointer;
      checkpointer = undefined;
      await background?.stop();
      if (raw.open) raw.close();
    },
  };
}
