import { Argon2Pool } from './argon2-pool.js';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'context';

/**
 * NIST SP 800-63B §5.1.1.2: passwords are Unicode, normalised with NFKC before they are counted, hashed or
 * compared, so one password typed two ways is one password. Lengths count code points.
 */
export const normalizePassword = (password: string): string => password.normalize('NFKC');
export const passwordLength = (password: string): number => [...normalizePassword(password)].length;

/** What a password must not be built on: the service's name and the user's own address (NIST §5.1.1.2). */
export interface PasswordContext {
  serviceName?: string;
  email?: string;
}

let common: Set<string> | undefined;
async function commonPasswords(): Promise<Set<string>> {
  if (!common) {
    const { dictionary } = await import('@zxcvbn-ts/language-common');
    common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  }
  return common;
}

/** NIST SP 800-63B §5.1.1.2: length limits, a blocklist of common passwords, and context-specific words. */
export async function checkPassword(
  password: string,
  context: PasswordContext = {},
): Promise<PasswordProblem | undefined> {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  const lower = normalized.toLowerCase();
  if ((await commonPasswords()).has(lower)) return 'common';
  const email = context.email?.toLowerCase();
  const words = [context.serviceName ?? 'latchkey', email, email?.split('@')[0]].filter(
    (w): w is string => !!w && w.length >= 3,
  );
  // The word itself, or the word with only digits and punctuation around it ("latchkey2024!").
  const bare = lower.replace(/[^\p{L}]+/gu, '');
  if (words.some((w) => lower === w || bare === w.replace(/[^\p{L}]+/gu, ''))) return 'context';
  return undefined;
}

export const passwordProblemText: Record<PasswordProblem, string> = {
  too_short: `must be at least ${PASSWORD_MIN} characters`,
  too_long: `must be at most ${PASSWORD_MAX} characters`,
  common: 'is too common; choose another',
  context: 'must not be the service name or the email address; choose another',
};

// On dedicated, niced worker threads (see argon2-pool.ts), started on first use.
let pool: Argon2Pool | undefined;
const argon2 = () => (pool ??= new Argon2Pool(ARGON2));

export function hashPassword(password: string): Promise<string> {
  return argon2().hash(normalizePassword(password));
}

async function verifyExactly(stored: string, password: string): Promise<boolean> {
  try {
    return await argon2().verify(stored, password);
  } catch {
    return false;
  }
}

/** Compares in NFKC; a hash made before normalisation (non-NFKC input) is still accepted as typed. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  if (await verifyExactly(stored, normalized)) return true;
  return normalized !== password && verifyExactly(stored, password);
}

let dummy: Promise<string> | undefined;
/** Spends the time of one verification, so an unknown account answers as slowly as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('latchkey-timing-equaliser');
  await verifyPassword(await dummy, password);
  return false;
}
