/** The outbox of outgoing mail (issue 15): one row per message, sent by the server's mail sender. */

export interface OutboxMail {
  id: number;
  recipient: string;
  subject: string;
  /** The text and HTML bodies, sealed (`Sealer`): they carry single-use links. Empty once sent or given up. */
  bodySealed: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  failedAt: number | null;
}

export interface NewOutboxMail {
  recipient: string;
  subject: string;
  bodySealed: string;
}

export interface MailOutboxStore {
  /** Queues one message, due at `now`; returns its id. */
  enqueue(mail: NewOutboxMail, now: number): Promise<number>;
  /**
   * Takes up to `limit` messages due at `now` (neither sent nor given up on) and leases them until `leaseUntil`
   * (their `nextAttemptAt` moves there, one attempt counted), so no other sender picks them meanwhile.
   * First tries before retries, then the longest due.
   */
  claimDue(now: number, limit: number, leaseUntil: number): Promise<OutboxMail[]>;
  sent(id: number, now: number): Promise<void>;
  /** A failed attempt: tried again at `nextAttemptAt`. */
  retry(id: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Given up on. */
  failed(id: number, now: number, error: string): Promise<void>;
  /** Deletes up to `limit` rows sent or given up on before `before`; returns how many. */
  prune(before: number, limit: number): Promise<number>;
  find(id: number): Promise<OutboxMail | undefined>;
  /** Every row (tests and tools). */
  list(): Promise<OutboxMail[]>;
}
