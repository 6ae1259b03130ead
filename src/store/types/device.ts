import type { Issued, NewAuditEvent } from './records.js';

/** The device authorization grant (RFC 8628). */

/** An RFC 8628 device authorization; both codes stored only as hashes. */
export interface DeviceAuthorization {
  deviceCodeHash: string;
  userCodeHash: string;
  clientId: string;
  scope: string;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  /** Set by the approval: who signed in on `/device`, through which session, how. */
  userId: string | null;
  sessionHash: string | null;
  authTime: number | null;
  amr: string[];
  /** Seconds between polls; grows by 5 at each `slow_down`. */
  interval: number;
  /** Epoch milliseconds of the last poll (0: none yet). */
  lastPollMs: number;
  createdAt: number;
  expiresAt: number;
}

/** What one poll of the token endpoint finds (RFC 8628 §3.5). */
export type DevicePoll =
  /** No such device code, or another client's (which changes nothing). */
  | { status: 'unknown' }
  | { status: 'expired' }
  /** Polled sooner than `interval` after the last poll while pending: the interval has grown by 5 s. */
  | { status: 'slow_down'; interval: number }
  | { status: 'pending' | 'denied' | 'redeemed' }
  | { status: 'approved'; authorization: DeviceAuthorization };

export interface DeviceStore {
  /** `false` when the user code is taken (the caller makes another). */
  create(authorization: DeviceAuthorization, event: NewAuditEvent): Promise<boolean>;
  findByUserCode(userCodeHash: string): Promise<DeviceAuthorization | undefined>;
  /** A pending, unexpired authorization becomes approved with the sign-in; `false` otherwise. */
  approve(
    userCodeHash: string,
    signIn: { userId: string; sessionHash: string | null; authTime: number; amr: string[] },
    now: number,
    event: NewAuditEvent,
  ): Promise<boolean>;
  /** A pending, unexpired authorization becomes denied; `false` otherwise. */
  deny(userCodeHash: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /** One poll by `clientId`, atomically (the interval and `slow_down` are counted here). */
  poll(deviceCodeHash: string, clientId: string, nowMs: number): Promise<DevicePoll>;
  /** Approved → redeemed and the tokens written, in one unit of work; `false` when it was redeemed already. */
  redeem(deviceCodeHash: string, now: number, issued: Issued): Promise<boolean>;
}
