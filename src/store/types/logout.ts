/** The outbox of OpenID Connect Back-Channel Logout 1.0: one row per logout token to POST to one client. */

export interface LogoutDelivery {
  id: number;
  clientId: string;
  /** The client's `backchannel_logout_uri` when the delivery was queued (it is sent to the current one). */
  uri: string;
  /** The logout token's claims but `iat`/`exp`, which are set when it is signed (at send time). */
  claims: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
  failedAt: number | null;
}

/** One participant of an ended session: a client with a back-channel logout URI that had a grant issued through it. */
export interface LogoutParticipant {
  clientId: string;
  uri: string;
  sessionHash: string;
  /** The session's `sid` (see `Session.sid`). */
  sid: string;
  userId: string;
}

export interface LogoutDeliveryStore {
  /**
   * Queues one delivery per (client with a `backchannelLogoutUri`, session) among the grants issued through
   * `sessionHashes` (revoked or not: the client took part). `claims` builds each row's token claims.
   * @returns how many were queued.
   */
  enqueueForSessions(
    sessionHashes: string[],
    now: number,
    claims: (p: LogoutParticipant) => Record<string, unknown>,
  ): Promise<number>;
  /**
   * Takes up to `limit` deliveries due at `now` (neither delivered nor failed), none for a client in
   * `skipClients`, and leases them until `leaseUntil` (their `nextAttemptAt` moves there, one attempt counted),
   * so no other drain picks them meanwhile. First tries before retries, then the longest due: a receiver that
   * keeps failing never holds up a fresh logout.
   */
  claimDue(
    now: number,
    limit: number,
    leaseUntil: number,
    skipClients?: readonly string[],
  ): Promise<LogoutDelivery[]>;
  delivered(id: number, now: number): Promise<void>;
  /** A failed attempt: tried again at `nextAttemptAt`. */
  retry(id: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Given up on. */
  failed(id: number, now: number, error: string): Promise<void>;
  /** Deletes up to `limit` rows delivered or given up on before `before`; returns how many. */
  prune(before: number, limit: number): Promise<number>;
  find(id: number): Promise<LogoutDelivery | undefined>;
  /** Every row (tests and tools). */
  list(): Promise<LogoutDelivery[]>;
}
