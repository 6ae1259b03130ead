import { randomUUID } from 'node:crypto';
import { sessionSid } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import type { Log } from '../log.js';
import type { LogoutDelivery, Store } from '../store/types.js';
import { signJws } from '../tokens/jws.js';

/**
 * OpenID Connect Back-Channel Logout 1.0. A session end queues one row per client that took part in it
 * (an outbox in the database, so nothing is lost across restarts); the server's drainer signs and POSTs the
 * logout tokens in the background, with retries. The user's request only writes the rows.
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html
 */

/** Back-Channel Logout §2.4: the `events` member that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Back-Channel Logout §2.4: explicit typing keeps a logout token from passing for an ID token. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** A logout token is short-lived: the RP checks `iat`, and one is signed for every attempt. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** The RP's answer is waited for this long (§2.8 asks for no particular bound). */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** The first retry comes after 5 s, then doubling up to 10 min; after 24 h the delivery is given up. */
export const RETRY_FIRST_SECONDS = 5;
export const RETRY_MAX_SECONDS = 600;
export const GIVE_UP_AFTER_SECONDS = 24 * 3600;
/**
 * At most this many POSTs at a time, so a burst of logouts never floods the RPs or the event loop; and at most one
 * per client, so a receiver that hangs holds one sender, never the others' logouts.
 */
const CONCURRENCY = 4;
/** A claimed delivery is leased this long: longer than an attempt, so no other drain picks it meanwhile. */
const LEASE_SECONDS = 60;
/** Idle poll: due retries are found within this, fresh logouts are sent at once (`kick`). */
const POLL_MS = 2_000;

/** The store's running drainer, so a logout wakes it at once instead of waiting for its next poll. */
const kickers = new WeakMap<Store, () => void>();

/**
 * Queues the logout tokens for the sessions that just ended (their grants name the clients that took part).
 * Written right after the session end, not in its transaction: a crash in between loses only the notices.
 * `iss`, `iat` and `exp` are added when the token is signed. A failure is logged, not thrown, when `deps` has
 * a log (the server's and the CLI's do: a change already made must not fail afterwards); without one, thrown.
 */
export async function queueBackchannelLogout(
  deps: Pick<Deps, 'store' | 'clock'> & { log?: Log },
  sessionHashes: string[],
): Promise<number> {
  if (sessionHashes.length === 0) return 0;
  try {
    const queued = await deps.store.logoutDeliveries.enqueueForSessions(
      sessionHashes,
      deps.clock.now(),
      (p) => ({
        aud: p.clientId,
        jti: randomUUID(),
        sub: p.userId,
        sid: p.sid,
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      }),
    );
    if (queued > 0) kickers.get(deps.store)?.();
    return queued;
  } catch (err) {
    if (!deps.log) throw err;
    deps.log.error('back-channel logout not queued', { error: String(err) });
    return 0;
  }
}

/** The `sid` ID tokens issued through the session carry (Back-Channel Logout §2.1), as its logout token will. */
export async function sidOf(deps: Pick<Deps, 'store'>, sessionHash: string): Promise<string> {
  return (await deps.store.sessions.find(sessionHash))?.sid ?? sessionSid(sessionHash);
}

/** The user's live sessions, read before an operation that ends them all, to queue their logouts after it. */
export async function liveSessionHashes(
  deps: Pick<Deps, 'store' | 'clock'>,
  userId: string,
): Promise<string[]> {
  return (await deps.store.sessions.listActiveForUser(userId, deps.clock.now())).map((s) => s.idHash);
}

/** The delay before attempt `attempts + 1`: 5 s doubling, capped at 10 min. */
export function retryDelay(attempts: number): number {
  return Math.min(RETRY_FIRST_SECONDS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_SECONDS);
}

/**
 * Signs a delivery's logout token now (§2.4): the client's ID-token algorithm, `typ: logout+jwt`, never `nonce`.
 * It goes to the client's current back-channel URI: one removed since the logout cancels the delivery.
 */
export async function signLogoutToken(
  deps: Deps,
  delivery: LogoutDelivery,
): Promise<{ token: string; uri: string } | { problem: string }> {
  const client = await deps.store.clients.find(delivery.clientId);
  if (!client) return { problem: 'client removed' };
  if (!client.backchannelLogoutUri) return { problem: 'client has no back-channel logout URI any more' };
  const { kid, key } = await deps.keys.signingKey(client.idTokenAlg);
  const now = deps.clock.now();
  const { nonce: _never, ...claims } = delivery.claims;
  const token = signJws(
    client.idTokenAlg,
    key,
    { typ: LOGOUT_TOKEN_TYP, kid },
    { ...claims, iss: deps.config.issuer, iat: now, exp: now + LOGOUT_TOKEN_TTL_SECONDS },
  );
  return { token, uri: client.backchannelLogoutUri };
}

type Outcome = { ok: true } | { ok: false; error: string };

async function post(uri: string, token: string, signal: AbortSignal): Promise<Outcome> {
  try {
    // §2.5: form-encoded `logout_token`; redirects are not followed (a 3xx is not a success, §2.8).
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
    });
    await res.body?.cancel().catch(() => {});
    return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: (cause ? `${message}: ${cause}` : message).slice(0, 200) };
  }
}

export interface LogoutDrainer {
  /** Sends every delivery due now, up to the concurrency bound at a time; resolves with how many were tried. */
  drainNow(): Promise<number>;
  /** Stops polling and aborts the POSTs in flight (their rows are tried again after the lease). */
  stop(): Promise<void>;
}

/** The background sender, started by the server (never by a CLI command): unref'd timers, stopped on close. */
export function startLogoutDrainer(deps: Deps): LogoutDrainer {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;

  const attempt = async (d: LogoutDelivery): Promise<void> => {
    // A token that cannot be signed now (no key yet, a busy database) is a failed attempt like any other.
    const signed = await signLogoutToken(deps, d).catch((err: unknown): { retryable: string } => ({
      retryable: `not signed: ${String(err)}`.slice(0, 200),
    }));
    const outcome: Outcome =
      'token' in signed
        ? await post(signed.uri, signed.token, abort.signal)
        : { ok: false, error: 'problem' in signed ? signed.problem : signed.retryable };
    if (abort.signal.aborted) return;
    const now = deps.clock.now();
    if (outcome.ok) {
      await deps.store.logoutDeliveries.delivered(d.id, now);
      return;
    }
    const next = now + retryDelay(d.attempts);
    if ('problem' in signed || next - d.createdAt > GIVE_UP_AFTER_SECONDS) {
      await deps.store.logoutDeliveries.failed(d.id, now, outcome.error);
      deps.log.warn('back-channel logout given up', {
        client_id: d.clientId,
        attempts: d.attempts,
        error: outcome.error,
      });
    } else {
      await deps.store.logoutDeliveries.retry(d.id, next, outcome.error);
    }
  };

  /** The clients a sender is POSTing to now: one delivery per client at a time. */
  const busy = new Set<string>();
  /** Claims run one after another, so two senders never take the same client's deliveries at once. */
  let claiming: Promise<unknown> = Promise.resolve();
  const claimNext = (): Promise<LogoutDelivery | undefined> => {
    const next = claiming.then(async () => {
      const now = deps.clock.now();
      const [d] = await deps.store.logoutDeliveries.claimDue(now, 1, now + LEASE_SECONDS, [...busy]);
      if (d) busy.add(d.clientId);
      return d;
    });
    claiming = next.catch(() => undefined);
    return next;
  };
  /** One sender: takes the next due delivery of a client nobody is sending to, until there is none. */
  const sender = async (): Promise<number> => {
    let tried = 0;
    while (!abort.signal.aborted) {
      const d = await claimNext();
      if (!d) break;
      try {
        await attempt(d);
      } catch (err) {
        deps.log.error('back-channel logout failed', { error: String(err) });
      } finally {
        busy.delete(d.clientId);
      }
      tried++;
    }
    return tried;
  };
  const drain = async (): Promise<number> => {
    const tried = await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    return tried.reduce((a, b) => a + b, 0);
  };

  /** One drain at a time. */
  const run = (): Promise<number> => {
    running ??= drain()
      .catch((err) => {
        deps.log.error('back-channel logout drain failed', { error: String(err) });
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !abort.signal.aborted) {
          again = false;
          void run();
        }
      });
    return running;
  };
  /** A logout was queued: send now, or right after the drain under way (kicks coalesce). */
  const kick = () => {
    if (abort.signal.aborted) return;
    if (running) again = true;
    else void run();
  };
  /** A fresh drain, after the one under way if any. */
  const drainNow = async (): Promise<number> => {
    if (running) await running;
    return run();
  };

  const schedule = () => {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      void run().finally(schedule);
    }, POLL_MS);
    timer.unref();
  };
  schedule();
  kickers.set(deps.store, kick);

  return {
    drainNow,
    async stop() {
      abort.abort();
      clearTimeout(timer);
      kickers.delete(deps.store);
      await running;
    },
  };
}
