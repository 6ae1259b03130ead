import type { NewAuditEvent } from './records.js';

/**
 * What the store is told about `LATCHKEY_SECRET` when it opens (issue 16): how to recognise the secret the
 * database's sealed values were sealed with. The store never sees the secret itself.
 */
export interface SecretGuard {
  /** The check value of this secret, recorded in the database on first use. */
  readonly check: string;
  /** Whether a recorded check value is this secret's (compared in constant time). */
  matches(check: string): boolean;
  /** Whether a sealed value opens with this secret (databases from before the check value). */
  opens(sealed: string): boolean;
  /** Called once the secret is known to open the database, before anything is written. */
  accepted(): void;
  /** Whether to record the check value when the database has none (not for read-only commands). */
  record: boolean;
  /** `keys reset`: open even when the secret does not match (`sealed.locked` then says so). */
  allowLocked?: boolean;
}

/** What `keys reset` discarded. */
export interface SealedDiscarded {
  signingKeys: number;
  totpFactors: number;
  recoveryCodes: number;
  mfaTokens: number;
  /** Upstream providers whose client secret was dropped (and which were disabled). */
  providers: number;
  queuedMails: number;
}

export interface SealedStore {
  /** Opened with `allowLocked` and a secret that does not open the sealed data. */
  readonly locked: boolean;
  /**
   * Discards every value sealed with the old secret and records the current one's check value, with `event`
   * (its detail completed with the counts) in the same transaction.
   */
  discard(event: NewAuditEvent): Promise<SealedDiscarded>;
}
