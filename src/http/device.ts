import { createHmac, hkdfSync } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { cookieName, cookieOptions, DEVICE_COOKIE } from './browser.js';

/**
 * The device cookie: proof that this browser signed in to an account before. It exempts the browser from
 * that account's lock-out (src/auth/throttle.ts), so an attacker guessing a known user's password cannot
 * lock the user out of their own browser. It names the account only as a MAC-protected hash.
 */
const MAX_AGE_SECONDS = 400 * 86400;

let keyCache: { secret: string; key: Buffer } | undefined;
function deviceKey(secret: string): Buffer {
  if (keyCache?.secret !== secret)
    keyCache = { secret, key: Buffer.from(hkdfSync('sha256', secret, '', 'latchkey-device-v1', 32)) };
  return keyCache.key;
}

const accountTag = (email: string) => sha256(`device:${email.trim().toLowerCase()}`).slice(0, 22);
const mac = (secret: string, tag: string) =>
  createHmac('sha256', deviceKey(secret)).update(tag).digest('base64url').slice(0, 32);

/** Whether this browser signed in to the account with `email` before. */
export function isKnownDevice(c: Context, deps: Pick<Deps, 'config'>, email: string): boolean {
  const value = getCookie(c, cookieName(deps, DEVICE_COOKIE));
  if (!value || value.length > 100) return false;
  const [tag, sig] = value.split('.');
  if (!tag || !sig || tag !== accountTag(email)) return false;
  return safeEqual(sig, mac(deps.config.secret, tag));
}

/** Marks this browser as one the account signed in from (after a complete, successful sign-in). */
export function rememberDevice(c: Context, deps: Pick<Deps, 'config'>, email: string): void {
  const tag = accountTag(email);
  setCookie(
    c,
    cookieName(deps, DEVICE_COOKIE),
    `${tag}.${mac(deps.config.secret, tag)}`,
    cookieOptions(deps, MAX_AGE_SECONDS),
  );
}
