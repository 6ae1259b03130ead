import type { NewAuditEvent } from './records.js';

/** Failure throttling and second factors. */

/** How a throttle key counts failures: `free` failures, then waits that double up to `maxMs`. */
export interface ThrottleRule {
  free: number;
  /** The first wait, in milliseconds; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** A key whose last failure is this old starts again from zero. */
  forgetMs: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Failure counters keyed by a hash (an account, an address). Every method is atomic, so concurrent requests
 * cannot all pass one check before any of them is counted.
 */
export interface ThrottleStore {
  /**
   * Reserves an attempt before the secret is checked, on every key at once: refused while any key waits
   * (the longest wait is answered); else counted as a failure on each key (a success then calls `reset`),
   * and the wait after it starts. All or nothing: a refused attempt counts on no key.
   */
  reserve(keys: readonly { key: string; rule: ThrottleRule }[], nowMs: number): Promise<ThrottleVerdict>;
  /** Counts a failure without reserving; returns how many failures the key has now. */
  fail(key: string, nowMs: number, rule: ThrottleRule): Promise<number>;
  /** A success: the keys start again from zero. */
  reset(...keys: string[]): Promise<void>;
  /** Deletes keys whose last failure is older than `beforeMs`, at most `limit`. */
  prune(beforeMs: number, limit: number): Promise<number>;
}

/** A user's TOTP factor; the secret is sealed (src/crypto/seal.ts). */
export interface TotpFactor {
  userId: string;
  /** The method id given to apps (`mfa_methods[].id`). */
  id: string;
  secretSealed: string;
  /** The last time step accepted (0: none): no code of it or an earlier step is accepted again. */
  lastStep: number;
  /** Null while enrolment waits for a first code: the factor does not count until then. */
  confirmedAt: number | null;
  createdAt: number;
}

/** The MFA grant's pending sign-in (SPEC §3), behind an opaque `mfa_token` stored only as its hash. */
export interface MfaToken {
  hash: string;
  clientId: string;
  userId: string;
  scope: string;
  resource: string | null;
  amr: string[];
  authTime: number;
  /** Codes tried with it so far. */
  attempts: number;
  createdAt: number;
  expiresAt: number;
  spentAt: number | null;
}

/** Second factors: TOTP, recovery codes (as keyed hashes), and the MFA grant's tokens. */
export interface MfaStore {
  /** The user's TOTP factor, confirmed or not. */
  findTotp(userId: string): Promise<TotpFactor | undefined>;
  /**
   * Starts an enrolment with a new unconfirmed factor, replacing an unconfirmed one. Refused (`false`) while a
   * confirmed factor exists: that one is turned off first.
   */
  beginTotp(factor: TotpFactor): Promise<boolean>;
  /**
   * Confirms the unconfirmed factor `id` with its first accepted step, and replaces the recovery codes: one
   * unit of work. `false` when that factor is gone or was confirmed already.
   */
  confirmTotp(
    userId: string,
    id: string,
    step: number,
    recoveryHashes: readonly string[],
    now: number,
    event: NewAuditEvent,
  ): Promise<boolean>;
  /** Enrols at once (the admin CLI): a confirmed factor and new recovery codes, replacing any before. */
  enrollTotp(factor: TotpFactor, recoveryHashes: readonly string[], event: NewAuditEvent): Promise<void>;
  /**
   * Accepts `step` for the user's factor only when it is later than the last accepted one; atomic, so one code
   * is accepted once even when sent twice at the same moment.
   */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /**
   * Which of these users have a confirmed TOTP factor (an unconfirmed enrolment does not count), in one query and
   * without reading any secret: a list page's MFA column.
   */
  withConfirmedTotp(userIds: readonly string[]): Promise<Set<string>>;
  /** The hashes of the user's unused recovery codes. */
  unusedRecoveryCodes(userId: string): Promise<string[]>;
  /** Marks the code used; `false` when it was used already (atomic). */
  useRecoveryCode(userId: string, hash: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /** Voids every recovery code of the user and stores the new ones. */
  replaceRecoveryCodes(
    userId: string,
    hashes: readonly string[],
    now: number,
    event: NewAuditEvent,
  ): Promise<void>;
  /** Removes the TOTP factor and the recovery codes (turned off by the user, or reset by an admin). */
  removeAll(userId: string, event: NewAuditEvent): Promise<boolean>;
  saveToken(token: MfaToken): Promise<void>;
  /** The token by its hash, whatever its state (the grant checks its client before counting an attempt). */
  findToken(hash: string): Promise<MfaToken | undefined>;
  /**
   * Counts one attempt on a live token (unspent, unexpired, fewer than `maxAttempts` tried) and returns it;
   * `undefined` otherwise. Atomic: concurrent attempts cannot exceed `maxAttempts`.
   */
  attemptToken(hash: string, now: number, maxAttempts: number): Promise<MfaToken | undefined>;
  /** Spends the token; `false` when it was spent already (the first success wins). */
  spendToken(hash: string, now: number): Promise<boolean>;
}
