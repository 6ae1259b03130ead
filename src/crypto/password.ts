import { Argon2Pool } from './argon2-pool.js';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'common';

let common: Set<string> | undefined;
async function commonPasswords(): Promise<Set<string>> {
  if (!common) {
    const { dictionary } = await import('@zxcvbn-ts/language-common');
    common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  }
  return common;
}

/** NIST SP 800-63B §5.1.1.2: length limits and a blocklist of common passwords. */
export async function checkPassword(password: string): Promise<PasswordProblem | undefined> {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  if ((await commonPasswords()).has(password.toLowerCase())) return 'common';
  return undefined;
}

export const passwordProblemText: Record<PasswordProblem, string> = {
  too_short: `must be at least ${PASSWORD_MIN} characters`,
  too_long: `must be at most ${PASSWORD_MAX} characters`,
  common: 'is too common; choose another',
};

// On dedicated, niced worker threads (see argon2-pool.ts), started on first use.
let pool: Argon2Pool | undefined;
const argon2 = () => (pool ??= new Argon2Pool(ARGON2));

export function hashPassword(password: string): Promise<string> {
  return argon2().hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await argon2().verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the time of one verification, so an unknown account answers as slowly as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('latchkey-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}
