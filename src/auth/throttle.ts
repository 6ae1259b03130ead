import { createHmac } from 'node:crypto';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { addressGroup } from '../http/net.js';
import { waitAfter } from '../store/throttle.js';
import type { ThrottleRule } from '../store/types.js';

/**
 * The sign-in throttling model (README "Sign-in throttling"):
 * - Per account and address (an IPv4 address, an IPv6 /64): 5 free attempts, then each must wait for the
 *   previous one's delay (1 s, doubling to 15 min). The attempt is reserved before the password is hashed,
 *   so guesses sent at once cannot all be evaluated. Another address is not affected.
 * - Per account from anywhere (guessing spread over many addresses): the same, after 50 attempts an hour.
 * - A browser that completed a sign-in to the account, with its current password, skips both (its device
 *   cookie), so an attacker cannot lock a known user out of their own browser.
 * - Per address: never a refusal, so one address (a proxy, an office) cannot lock out everyone behind it.
 *   From the 20th failure on, each failed answer is slowed (250 ms, doubling to 5 s).
 * - Client authentication: see CLIENT_RULE.
 * Counters live in the database: a restart does not clear them, and several nodes share them.
 */
export const ACCOUNT_ADDRESS_RULE: ThrottleRule = {
  free: 5,
  baseMs: 1000,
  maxMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};
export const ACCOUNT_RULE: ThrottleRule = {
  free: 50,
  baseMs: 1000,
  maxMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};
export const ADDRESS_RULE: ThrottleRule = { free: 20, baseMs: 250, maxMs: 5_000, forgetMs: 60 * 60_000 };
/**
 * Client authentication (`/token`, `/introspect`, `/revoke`, `/device_authorization`): per client id and per
 * address, the first 4 failures in an hour are answered at once, from the 5th on each failed answer is held 1 s,
 * doubling (the hold is capped at 3 s, the count is not). Only failures are counted and a correct secret is never
 * delayed, so a success costs no throttle read or write.
 */
export const CLIENT_RULE: ThrottleRule = { free: 5, baseMs: 1000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
/** The longest a failed client authentication is held before it is answered. */
export const CLIENT_HOLD_CAP_MS = 3000;
/** How many per-client counters there are at most: every client id, known or not, counts in one of them. */
export const CLIENT_BUCKETS = 65_536;

const accountKey = (email: string) => `acct:${sha256(email)}`;
const accountAddressKey = (email: string, ip: string) =>
  `acct-addr:${sha256(`${email}\n${addressGroup(ip)}`)}`;
const addressKey = (ip: string) => `addr:${sha256(addressGroup(ip))}`;
const clientKey = (secret: string, clientId: string) =>
  `client:${createHmac('sha256', secret).update(clientId).digest().readUInt32BE(0) % CLIENT_BUCKETS}`;
const clientAddressKey = (ip: string) => `client-addr:${sha256(addressGroup(ip))}`;

export type Reservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class SignInThrottle {
  constructor(private readonly deps: Pick<Deps, 'store' | 'clock' | 'config'>) {}

  /** Reserves an attempt on the account before its password is checked. */
  async reserve(email: string, ip: string, knownDevice: boolean): Promise<Reservation> {
    if (!this.deps.config.throttle || knownDevice) return { allowed: true };
    const verdict = await this.deps.store.throttle.reserve(
      [
        { key: accountAddressKey(email, ip), rule: ACCOUNT_ADDRESS_RULE },
        { key: accountKey(email), rule: ACCOUNT_RULE },
      ],
      this.deps.clock.nowMs(),
    );
    return verdict.allowed
      ? verdict
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)) };
  }

  /** A failed check: counts it against the address, and says how long to hold the failed answer. */
  async failed(ip: string): Promise<number> {
    if (!this.deps.config.throttle) return 0;
    const failures = await this.deps.store.throttle.fail(
      addressKey(ip),
      this.deps.clock.nowMs(),
      ADDRESS_RULE,
    );
    return waitAfter(failures, ADDRESS_RULE);
  }

  /** Forgets keys idle for longer than any rule remembers them (the sweeper calls it); returns how many. */
  prune(limit: number): Promise<number> {
    const forgetMs = Math.max(
      ACCOUNT_ADDRESS_RULE.forgetMs,
      ACCOUNT_RULE.forgetMs,
      ADDRESS_RULE.forgetMs,
      CLIENT_RULE.forgetMs,
    );
    return this.deps.store.throttle.prune(this.deps.clock.nowMs() - forgetMs, limit);
  }

  /** A success: the account starts again from zero (the address keeps its count: it may be shared). */
  async succeeded(email: string, ip: string): Promise<void> {
    if (this.deps.config.throttle)
      await this.deps.store.throttle.reset(accountAddressKey(email, ip), accountKey(email));
  }
}

/**
 * A failed client authentication: counted against the address and against the client id asked for, known or
 * not, so the hold answers alike whether the client exists. Ids come from request input, so an id counts in one
 * of CLIENT_BUCKETS buckets (an HMAC of it with the deployment's secret): the rows stay bounded, and a collision
 * only shares the hold of failed answers (a correct secret is never held). Returns how long to hold the failed
 * answer. In the database, so every node counts the same failures.
 */
export async function clientAuthFailed(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  ip: string,
  clientId?: string,
): Promise<number> {
  if (!deps.config.throttle) return 0;
  const nowMs = deps.clock.nowMs();
  const keys =
    clientId === undefined
      ? [clientAddressKey(ip)]
      : [clientKey(deps.config.secret, clientId), clientAddressKey(ip)];
  let failures = 0;
  for (const key of keys)
    failures = Math.max(failures, await deps.store.throttle.fail(key, nowMs, CLIENT_RULE));
  return Math.min(waitAfter(failures, CLIENT_RULE), CLIENT_HOLD_CAP_MS);
}
