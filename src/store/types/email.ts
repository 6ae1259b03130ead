import type { NewAuditEvent } from './records.js';

/** Single-use email links (issue 15): verify the user's address, or prove a new one before it replaces the old. */

export type EmailTokenPurpose = 'verify' | 'change';

/** A link mailed to `email`, stored as the SHA-256 of its token. */
export interface EmailToken {
  hash: string;
  userId: string;
  /** The address the link proves: the user's own ('verify') or the one it becomes ('change'). */
  email: string;
  purpose: EmailTokenPurpose;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * What following a link did. `confirmed` (with the user's id, and the old address for 'change');
 * `invalid` (no such token, used, expired, or for 'verify' the user's address is no longer the one it proves);
 * `taken` ('change' only: another account has the address now; nothing written).
 */
export type EmailConfirmResult =
  | { status: 'confirmed'; userId: string; purpose: EmailTokenPurpose; email: string; previousEmail: string }
  | { status: 'invalid' }
  | { status: 'taken' };

export interface EmailTokenStore {
  /** Saves a new link, voiding (marking used) the user's earlier unused links of the same purpose, in one unit of work. */
  issue(token: EmailToken): Promise<void>;
  find(hash: string): Promise<EmailToken | undefined>;
  /**
   * Follows a live link (unused, unexpired), in one unit of work: marks it used; 'verify' sets the user's
   * `email_verified` when the user's address is still the one it proves; 'change' makes the address the user's
   * (verified) unless another user has it. `event` is written (with `userId` set) only when confirmed; its
   * `detail` gains `purpose`.
   */
  confirm(hash: string, now: number, event: NewAuditEvent): Promise<EmailConfirmResult>;
}
