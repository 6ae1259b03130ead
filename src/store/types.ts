/**
 * The storage interface: intent verbs and domain records, no SQL. Times are epoch seconds.
 * Every secret-like value arrives here already hashed (`*Hash` fields).
 */

export * from './types/auth.js';
export * from './types/console.js';
export * from './types/core.js';
export * from './types/device.js';
export * from './types/email.js';
export * from './types/federation.js';
export * from './types/logout.js';
export * from './types/mail.js';
export * from './types/records.js';
export * from './types/secret.js';

import type { MfaStore, ThrottleStore } from './types/auth.js';
import type { ConsoleSessionStore } from './types/console.js';
import type {
  BulkStore,
  ClientStore,
  CodeStore,
  ConsentStore,
  EventStore,
  GrantStore,
  InteractionStore,
  KeyStore,
  ScopeStore,
  SessionStore,
  TokenStore,
  UserStore,
} from './types/core.js';
import type { DeviceStore } from './types/device.js';
import type { EmailTokenStore } from './types/email.js';
import type { IdentityStore, PasswordTokenStore, ProviderStore } from './types/federation.js';
import type { LogoutDeliveryStore } from './types/logout.js';
import type { MailOutboxStore } from './types/mail.js';
import type { SweepResult } from './types/records.js';
import type { SealedStore } from './types/secret.js';

export interface Store {
  users: UserStore;
  clients: ClientStore;
  scopes: ScopeStore;
  keys: KeyStore;
  grants: GrantStore;
  tokens: TokenStore;
  codes: CodeStore;
  sessions: SessionStore;
  interactions: InteractionStore;
  consents: ConsentStore;
  throttle: ThrottleStore;
  mfa: MfaStore;
  providers: ProviderStore;
  identities: IdentityStore;
  passwordTokens: PasswordTokenStore;
  /** Email verification and email-change links (issue 15). */
  emailTokens: EmailTokenStore;
  devices: DeviceStore;
  /** Signed-in admin console sessions (issue 17). */
  consoleSessions: ConsoleSessionStore;
  events: EventStore;
  /** The back-channel logout outbox (OpenID Connect Back-Channel Logout 1.0). */
  logoutDeliveries: LogoutDeliveryStore;
  /** The outbox of outgoing mail (issue 15); bodies sealed. */
  mailOutbox: MailOutboxStore;
  bulk: BulkStore;
  /** The values sealed with `LATCHKEY_SECRET`, as a whole (issue 16: `keys reset`). */
  sealed: SealedStore;
  /**
   * Deletes up to `limit` expired rows per table, and audit events older than `eventRetentionSeconds`
   * (`LATCHKEY_EVENT_RETENTION`).
   */
  sweep(now: number, limit: number, eventRetentionSeconds: number): Promise<SweepResult>;
  /**
   * A cross-process change counter: changes whenever any process commits to the database (the CLI while the
   * server runs), so caches compare it before use. SQLite backs it with `PRAGMA data_version`, a PostgreSQL
   * dialect with a local counter bumped by LISTEN/NOTIFY (there, this process's own writes to clients, scopes,
   * providers and keys move it too; on SQLite they do not). Synchronous and cheap: it is on the discovery hot path.
   */
  generation(): number;
  /** Checks that the database answers. */
  ping(): Promise<boolean>;
  /**
   * Why the database cannot take writes now (`"database is read-only"`), or undefined when it can: what
   * `/readyz` reports. Cheap enough to run on every probe, and writes nothing.
   */
  unwritable(): Promise<string | undefined>;
  /**
   * Starts the upkeep a long-running server wants and a CLI command does not (SQLite: checkpoints on a
   * background thread once writes pick up). What goes wrong there is reported to `onError`, never thrown.
   * `close()` ends it.
   */
  startBackground(onError: (message: string) => void): void;
  /**
   * Ends the background upkeep and closes the connection; closing again does nothing. `checkpoint` (the
   * server's shutdown) first folds the write-ahead log into the database file and truncates it, so the file
   * alone is the whole database.
   */
  close(options?: { checkpoint?: boolean }): Promise<void>;
}
