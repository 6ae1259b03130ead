import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type * as Otplib from 'otplib';

let loaded: Promise<typeof Otplib> | undefined;
/** otplib is loaded with the first second factor, not at start-up. */
const otplib = (): Promise<typeof Otplib> => {
  loaded ??= import('otplib');
  return loaded;
};

/**
 * TOTP (RFC 6238) as latchkey uses it: 6 digits, SHA-1, 30 s steps, one step of drift either way, and a
 * step once accepted never accepted again (the caller stores the last one: `afterStep`).
 * @see https://www.rfc-editor.org/rfc/rfc6238#section-5.2
 */
export const TOTP_PERIOD_SECONDS = 30;
/** One step either way: [now - 30 s, now + 30 s] covers the previous, the current and the next step. */
const DRIFT_SECONDS = TOTP_PERIOD_SECONDS;

/** A new base32 secret of 160 bits (RFC 4226 §4 recommends at least that). */
export async function newTotpSecret(): Promise<string> {
  return (await otplib()).generateSecret({ length: 20 });
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export async function otpauthUri(issuer: string, account: string, secret: string): Promise<string> {
  return (await otplib()).generateURI({ issuer, label: account, secret });
}

/**
 * The time step `code` belongs to when it is valid now (within the drift) and later than `afterStep`;
 * `undefined` otherwise. `nowSeconds` is epoch seconds (the injected clock).
 */
export async function matchTotp(
  secret: string,
  code: string,
  nowSeconds: number,
  afterStep = 0,
): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const { verifySync } = await otplib();
  try {
    const result = verifySync({
      secret,
      token: code,
      epoch: nowSeconds,
      epochTolerance: DRIFT_SECONDS,
      ...(afterStep > 0 ? { afterTimeStep: afterStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    // A secret otplib refuses (it never is one we made): no code matches it.
    return undefined;
  }
}

/** Recovery codes: 10, each 12 characters of 31 unambiguous ones (about 59 bits), shown as `xxxx-xxxx-xxxx`. */
export const RECOVERY_CODE_COUNT = 10;
/** No i, l, o, 0 or 1: nothing to misread. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let raw = '';
    for (let i = 0; i < 12; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(`${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`);
  }
  return [...codes];
}

/** What the user typed, as a recovery code (case, spaces and dashes ignored), or `undefined` if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z0-9]{12}$/.test(code) ? code : undefined;
}

let recoveryKeyCache: { secret: string; key: Buffer } | undefined;

/**
 * The stored form of a recovery code: an HMAC keyed by `LATCHKEY_SECRET` over the user and the code, so a
 * copy of the database alone gives no way to test guesses offline.
 */
export function recoveryCodeHash(secret: string, userId: string, normalized: string): string {
  if (recoveryKeyCache?.secret !== secret)
    recoveryKeyCache = {
      secret,
      key: Buffer.from(hkdfSync('sha256', secret, '', 'latchkey-recovery-code-v1', 32)),
    };
  return createHmac('sha256', recoveryKeyCache.key).update(`${userId}\n${normalized}`).digest('base64url');
}
