import { createHmac, hkdfSync } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import type { User } from '../store/types.js';
import { cookieName, cookieOptions, DEVICE_COOKIE } from './browser.js';

/**
 * The device cookie: proof that this browser completed a sign-in to an account before. It exempts the
 * browser from that account's lock (src/auth/throttle.ts), so an attacker guessing a known user's password
 * cannot lock the user out of their own browser. The value is a random per-browser nonce and a MAC over it,
 * the user's id and their current password hash: a password change or the user's removal voids every
 * device cookie issued before.
 */
const MAX_AGE_SECONDS = 400 * 86400;

let keyCache: { secret: string; key: Buffer } | undefined;
function deviceKey(secret: string): Buffer {
  if (keyCache?.secret !== secret)
    keyCache = { secret, key: Buffer.from(hkdfSync('sha256', secret, '', 'latchkey-device-v1', 32)) };
  return keyCache.key;
}

/** Changes whenever the user's password does. */
const credentialEpoch = (user: User) => sha256(`${user.id}\n${user.passwordHash ?? ''}`);
const mac = (secret: string, nonce: string, user: User) =>
  createHmac('sha256', deviceKey(secret))
    .update(`${nonce}\n${credentialEpoch(user)}`)
    .digest('base64url');

/** Whether this browser completed a sign-in to `user`, with the password the user has now. */
export function isKnownDevice(c: Context, deps: Pick<Deps, 'config'>, user: User): boolean {
  const value = getCookie(c, cookieName(deps, DEVICE_COOKIE));
  if (!value || value.length > 100) return false;
  const [nonce, sig] = value.split('.');
  if (!nonce || !sig) return false;
  return safeEqual(sig, mac(deps.config.secret, nonce, user));
}

/** Marks this browser as one the user signed in from (after a complete, successful sign-in). */
export function rememberDevice(c: Context, deps: Pick<Deps, 'config'>, user: User): void {
  const nonce = randomToken(16);
  setCookie(
    c,
    cookieName(deps, DEVICE_COOKIE),
    `${nonce}.${mac(deps.config.secret, nonce, user)}`,
    cookieOptions(deps, MAX_AGE_SECONDS),
  );
}
