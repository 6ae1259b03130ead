import { ConfigError, type Env, parseOnOff } from './config-values.js';

/**
 * `LATCHKEY_PASSWORD_*`: the password policy (issue 15), checked by `checkPassword` (src/crypto/password.ts)
 * for every password a user or an admin chooses, and shown beside every password field (views/password-rules.tsx).
 */
export interface PasswordPolicy {
  /** `LATCHKEY_PASSWORD_MIN_LENGTH`: the fewest characters (code points, after NFKC); 8-128, default 8. */
  readonly minLength: number;
  /** `LATCHKEY_PASSWORD_CHECK_COMMON`: refuse the passwords of the common-password list (default on). */
  readonly checkCommon: boolean;
  /** `LATCHKEY_PASSWORD_MIN_SCORE`: the least zxcvbn score (1-4); 0 (the default) checks no score. */
  readonly minScore: 0 | 1 | 2 | 3 | 4;
}

/** NIST SP 800-63B §5.1.1.2: at least 8 characters for a password the user chooses. */
export const PASSWORD_MIN_LENGTH_FLOOR = 8;
/** The most characters a password may have (SPEC §3). */
export const PASSWORD_MAX_LENGTH = 256;
/** The highest minimum that may be asked for; the maximum length (256) stays well above it. */
export const PASSWORD_MIN_LENGTH_CEILING = 128;

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  minLength: PASSWORD_MIN_LENGTH_FLOOR,
  checkCommon: true,
  minScore: 0,
});

function parseMinLength(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PASSWORD_POLICY.minLength;
  const n = /^\d{1,4}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(n >= PASSWORD_MIN_LENGTH_FLOOR && n <= PASSWORD_MIN_LENGTH_CEILING))
    throw new ConfigError(
      `LATCHKEY_PASSWORD_MIN_LENGTH must be a whole number from ${PASSWORD_MIN_LENGTH_FLOOR} to ${PASSWORD_MIN_LENGTH_CEILING}, got "${value.slice(0, 40)}"`,
    );
  return n;
}

function parseMinScore(value: string | undefined): PasswordPolicy['minScore'] {
  if (value === undefined || value.trim() === '') return DEFAULT_PASSWORD_POLICY.minScore;
  if (!/^[0-4]$/.test(value.trim()))
    throw new ConfigError(
      `LATCHKEY_PASSWORD_MIN_SCORE must be a zxcvbn score from 0 (no check) to 4, got "${value.slice(0, 40)}"`,
    );
  return Number(value.trim()) as PasswordPolicy['minScore'];
}

export function parsePasswordPolicy(env: Env): PasswordPolicy {
  return Object.freeze({
    minLength: parseMinLength(env['LATCHKEY_PASSWORD_MIN_LENGTH']),
    checkCommon: parseOnOff(env['LATCHKEY_PASSWORD_CHECK_COMMON'], 'LATCHKEY_PASSWORD_CHECK_COMMON', true),
    minScore: parseMinScore(env['LATCHKEY_PASSWORD_MIN_SCORE']),
  });
}
