import { availableParallelism } from 'node:os';

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
  too_short: `the password must be at least ${PASSWORD_MIN} characters`,
  too_long: `the password must be at most ${PASSWORD_MAX} characters`,
  common: 'the password is too common; choose another',
};

/**
 * At most (cores - 1) argon2 computations at once, at least one: a login storm then leaves a core to the
 * event loop, so discovery and token requests keep answering quickly while passwords queue.
 */
const ARGON2_SLOTS = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= ARGON2_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// Loaded on first use: the native module's loader probes the C library, which start-up does not need.
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loadArgon2 = () => (argon2 ??= import('@node-rs/argon2'));

export async function hashPassword(password: string): Promise<string> {
  const { hash } = await loadArgon2();
  return withSlot(() => hash(password, ARGON2));
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    const { verify } = await loadArgon2();
    return await withSlot(() => verify(stored, password));
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
