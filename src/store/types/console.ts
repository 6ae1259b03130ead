/** Signed-in admin console sessions (issue 17), kept apart from the browser sessions. */

/** A console session, stored as the SHA-256 of its cookie value. */
export interface ConsoleSession {
  idHash: string;
  userId: string;
  /** The grant the console's authorization code was redeemed from: revoked, it ends the console session. */
  grantId: string;
  /** The SHA-256 of the browser session the console was signed in from: ended or expired, so is the console. */
  browserSessionHash: string;
  createdAt: number;
  lastSeenAt: number;
  /** The earlier of the idle end and the absolute end; past it the row is only waiting for the sweep. */
  expiresAt: number;
}

export interface ConsoleSessionStore {
  create(session: ConsoleSession): Promise<void>;
  find(idHash: string): Promise<ConsoleSession | undefined>;
  /** A use: `lastSeenAt` becomes `now` and `expiresAt` the new end. */
  touch(idHash: string, now: number, expiresAt: number): Promise<void>;
  /** Sign out of the console; false when there was no such session. */
  delete(idHash: string): Promise<boolean>;
  /** Ends every console session of the user; returns how many. */
  deleteForUser(userId: string): Promise<number>;
}
