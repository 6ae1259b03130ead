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
 * Client authentication (`/token`, `/introspect`, `/revoke`, …): per known client and per address, 5 free
 * failures, then each failed answer is held 1 s, doubling (the hold is capped at 3 s, the count is not). Only
 * failures are counted and a correct secret is never delayed, so the check costs nothing on the hot path.
 */
export const CLIENT_RULE: ThrottleRule = { free: 5, baseMs: 1000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
/** The longest a failed client authentication is held before it is answered. */
export const CLIENT_HOLD_CAP_MS = 3000;

const accountKey = (email: string) => `acct:${sha256(email)}`;
const accountAddressKey = (email: string, ip: string) =>
  `acct-addr:${sha256(`${email}\n${addressGroup(ip)}`)}`;
const addressKey = (ip: string) => `addr:${sha256(addressGroup(ip))}`;
const clientKey = (clientId: string) => `client:${sha256(clientId)}`;
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
 * A failed client authentication: counted against the address and, when the client exists, against the
 * client (an unknown id is not a key: there is no secret to guess, and request input makes no rows).
 * Returns how long to hold the failed answer. In the database, so every node counts the same failures.
 */
export async function clientAuthFailed(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  ip: string,
  knownClientId?: string,
): Promise<number> {
  if (!deps.config.throttle) return 0;
  const nowMs = deps.clock.nowMs();
  const keys =
    knownClientId === undefined ? [clientAddressKey(ip)] : [clientKey(knownClientId), clientAddressKey(ip)];
  let failures = 0;
  for (const key of keys)
    failures = Math.max(failures, await deps.store.throttle.fail(key, nowMs, CLIENT_RULE));
  return Math.min(waitAfter(failures, CLIENT_RULE), CLIENT_HOLD_CAP_MS);
}
