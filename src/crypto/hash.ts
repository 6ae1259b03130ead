import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random 256-bit value, base64url: codes, refresh tokens, opaque access tokens, session ids. */
export function randomToken(bytes = 32): string {
  // Drawn from a pool refilled 4 KiB at a time: one CSPRNG call per ~100 tokens instead of one each.
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    poolOffset = 0;
  }
  const token = pool.toString('base64url', poolOffset, poolOffset + bytes);
  // Never hand out the same bytes twice.
  pool.fill(0, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return token;
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** Lookup key for a high-entropy secret. Only passwords use argon2id. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * The `sid` of a browser session (OIDC Back-Channel Logout §2.1) when it began: derived from the session's stored
 * hash, so it names the session without being the key the store finds it by. A session that carries on another
 * (the same user signing in again in the same browser) keeps that one's `sid` (`Session.sid`).
 */
export function sessionSid(sessionHash: string): string {
  return createHash('sha256').update(`sid:${sessionHash}`).digest().subarray(0, 16).toString('base64url');
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
