import type { Context } from 'hono';
import { Hono } from 'hono';
import { type Code, DeviceDonePage, DevicePage } from '../../views/index.js';
import { isDisabled } from '../auth/authenticate.js';
import type { Reservation } from '../auth/throttle.js';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { browserId, csrfToken, currentSession } from '../http/browser.js';
import { addressGroup, clientIp, requestMeta, sleep } from '../http/net.js';
import { readForm } from '../http/params.js';
import { errorPage, htmlPage } from '../http/render.js';
import { normalizeUserCode, userCodeHash } from '../oauth/device.js';
import { OAuthError } from '../oauth/errors.js';
import { waitAfter } from '../store/throttle.js';
import type { ThrottleRule } from '../store/types.js';
import type { DeviceState, Ending, InteractionFlow } from './flow.js';

/**
 * RFC 8628 §5.1: guesses are limited before any lookup. Per browser: every attempt is reserved, 5 free, then
 * 1 s doubling to 5 min; a good code clears it. Per address (an IPv4 address, an IPv6 /64): never a refusal,
 * so one address (an office, a carrier NAT) cannot lock out everyone behind it (as src/auth/throttle.ts): from
 * the 20th wrong code in an hour, each wrong answer is held (1 s doubling to 5 s).
 */
export const DEVICE_BROWSER_RULE: ThrottleRule = {
  free: 5,
  baseMs: 1000,
  maxMs: 5 * 60_000,
  forgetMs: 60 * 60_000,
};
export const DEVICE_ADDRESS_RULE: ThrottleRule = {
  free: 20,
  baseMs: 1000,
  maxMs: 5_000,
  forgetMs: 60 * 60_000,
};

const browserKey = (c: Context, deps: Deps) => `device-browser:${sha256(browserId(c, deps))}`;
const addressKey = (c: Context) => `device-addr:${sha256(addressGroup(clientIp(c)))}`;

async function reserveGuess(c: Context, deps: Deps): Promise<Reservation> {
  if (!deps.config.throttle) return { allowed: true };
  const verdict = await deps.store.throttle.reserve(
    [{ key: browserKey(c, deps), rule: DEVICE_BROWSER_RULE }],
    deps.clock.nowMs(),
  );
  return verdict.allowed
    ? verdict
    : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)) };
}

/** A wrong code: counted against the address, and its answer held once the address has had its share. */
async function wrongGuess(c: Context, deps: Deps): Promise<void> {
  if (!deps.config.throttle) return;
  const failures = await deps.store.throttle.fail(addressKey(c), deps.clock.nowMs(), DEVICE_ADDRESS_RULE);
  const delayMs = waitAfter(failures, DEVICE_ADDRESS_RULE);
  if (delayMs > 0) await sleep(delayMs);
}

/** Longer input is no code: echoing it back is only bounded, not needed. */
const MAX_ECHO = 32;

/** The `/device` page (SPEC §5): the user enters the code shown on the device, then signs in and approves. */
export function deviceRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();

  const render = (c: Context, code: string, error?: Code, status = 200) =>
    htmlPage(
      c,
      DevicePage,
      {
        action: '/device',
        csrf: csrfToken(c, deps),
        code: code.slice(0, MAX_ECHO),
        ...(error ? { error } : {}),
      },
      status,
    );

  // RFC 8628 §5.4: `verification_uri_complete` only fills the box; the user still confirms the code, so a
  // link sent by an attacker cannot connect the attacker's device in one click.
  app.get('/device', (c) => render(c, c.req.query('user_code') ?? ''));

  app.post('/device', async (c) => {
    const entered = (await readForm(c)).get('user_code') ?? '';
    const reservation = await reserveGuess(c, deps);
    if (!reservation.allowed) {
      c.header('Retry-After', String(reservation.retryAfterSeconds));
      return render(c, entered, 'throttled', 429);
    }
    const normalized = normalizeUserCode(entered);
    const found = normalized ? await deps.store.devices.findByUserCode(userCodeHash(normalized)) : undefined;
    // Approved, denied or redeemed: used, so no better than unknown.
    if (found?.status !== 'pending' || found.expiresAt <= deps.clock.now()) {
      await wrongGuess(c, deps);
      return render(c, entered, found?.status === 'pending' ? 'expired_user_code' : 'invalid_user_code', 400);
    }
    if (deps.config.throttle) await deps.store.throttle.reset(browserKey(c, deps));
    const interaction = await flow.create<DeviceState>(c, {
      kind: 'device',
      clientId: found.clientId,
      scope: found.scope.split(' ').filter(Boolean),
      userCodeHash: found.userCodeHash,
    });
    flow.errorsEnd(c, interaction);
    return flow.resume(c, interaction);
  });

  return app;
}

/** How a `device` interaction ends: the pending authorization is approved or denied, and the page says so. */
export function deviceEnding(deps: Deps): Ending<DeviceState> {
  const event = (c: Context, type: string, state: DeviceState, userId: string | null) => ({
    at: deps.clock.now(),
    type,
    userId,
    clientId: state.clientId,
    ...requestMeta(c),
    detail: { scope: state.scope.join(' ') },
  });
  return {
    async complete(c, { state }, { user, session }) {
      // Issue 12: a disabled user approves nothing (the session should have ended with the disabling).
      if (isDisabled(user))
        return errorPage(
          c,
          new OAuthError('access_denied', 'this account is disabled', {
            page: 'account_disabled',
            status: 403,
          }),
        );
      const now = deps.clock.now();
      const approved = await deps.store.devices.approve(
        state.userCodeHash,
        { userId: user.id, sessionHash: session.idHash, authTime: session.authTime, amr: session.amr },
        now,
        event(c, 'device_approved', state, user.id),
      );
      // Expired (or settled) while the user signed in: the device must start again.
      if (!approved)
        return errorPage(
          c,
          new OAuthError('invalid_request', 'the device code has expired', { page: 'expired_user_code' }),
        );
      return htmlPage(c, DeviceDonePage, { approved: true });
    },
    async fail(c, { state }, err) {
      // RFC 8628 §3.5: only the user's refusal is the device's `access_denied`; any other failure leaves the
      // code pending, to expire, and shows the error.
      if (err.error !== 'access_denied') return errorPage(c, err);
      const userId = (await currentSession(c, deps))?.user.id ?? null;
      await deps.store.devices.deny(
        state.userCodeHash,
        deps.clock.now(),
        event(c, 'device_denied', state, userId),
      );
      return htmlPage(c, DeviceDonePage, { approved: false });
    },
  };
}
