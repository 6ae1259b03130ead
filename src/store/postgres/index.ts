import type { SecretGuard, Store } from '../types.js';
import { bulkStore } from './bulk.js';
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
import { openPostgres, type PostgresContext, type PostgresOptions } from './open.js';
import { scopeStore } from './scopes.js';
import { openSealed } from './secret.js';
import { sessionStore } from './sessions.js';
import { sweeper } from './sweep.js';
import { throttleStore } from './throttle.js';
import { tokenStore } from './tokens.js';
import { userStore } from './users.js';

export { migratePostgres, openPostgres, type PostgresContext, type PostgresOptions } from './open.js';

export interface PostgresStoreOptions extends PostgresOptions {
  /** Apply pending migrations on open, under the advisory lock (default true). */
  migrate?: boolean;
  /** Refuse a secret that does not open the database's sealed values, before any write. */
  secret?: SecretGuard;
}

/** The PostgreSQL store, with its pool for tests and tools that need SQL. */
export type PostgresStore = Store & { readonly cx: PostgresContext };

/**
 * Why the database cannot take writes now, without writing: a standby (`pg_is_in_recovery()`) or a session made
 * read-only (`default_transaction_read_only`, as `ALTER DATABASE … SET` does for maintenance).
 */
async function unwritable(cx: PostgresContext): Promise<string | undefined> {
  const { rows } = await cx.pool.query<{ recovery: boolean; readonly: string }>(
    "select pg_is_in_recovery() as recovery, current_setting('default_transaction_read_only') as readonly",
  );
  const row = rows[0];
  if (row?.recovery) return 'database is a read-only standby';
  if (row?.readonly === 'on') return 'database is read-only';
  return undefined;
}

/** Opens the PostgreSQL store `url` names (`LATCHKEY_DB=postgres://…`, issue 18). */
export async function createPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const cx = await openPostgres(url, options);
  let sealed: Store['sealed'];
  try {
    sealed = await openSealed(cx, options.secret, { migrate: options.migrate !== false });
  } catch (err) {
    await cx.close();
    throw err;
  }
  return {
    cx,
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
    sealed,
    sweep: sweeper(cx),
    generation: cx.generation,
    ping: cx.ping,
    unwritable: () => unwritable(cx),
    // PostgreSQL does its own upkeep (autovacuum, checkpoints): nothing runs in the background here.
    startBackground() {},
    close: () => cx.close(),
  };
}
