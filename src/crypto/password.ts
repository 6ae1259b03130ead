import { DEFAULT_PASSWORD_POLICY, PASSWORD_MAX_LENGTH, type PasswordPolicy } from '../config-password.js';
import { Argon2Pool } from './argon2-pool.js';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** The least minimum length (NIST SP 800-63B); the configured one is `PasswordPolicy.minLength`. */
export const PASSWORD_MIN = DEFAULT_PASSWORD_POLICY.minLength;
export const PASSWORD_MAX = PASSWORD_MAX_LENGTH;

/** `weak`: a zxcvbn score under `LATCHKEY_PASSWORD_MIN_SCORE`. */
export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'context' | 'weak';

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

type Scorer = (password: string, userInputs: string[]) => number;
/** How much of a password zxcvbn reads (the rest is not scored): bounds the CPU one request can cost. */
export const SCORE_MAX_LENGTH = 32;
let scorer: Promise<Scorer> | undefined;
/** zxcvbn (`@zxcvbn-ts/core`) with the common dictionary and keyboard graphs, loaded on first use only. */
function strengthScorer(): Promise<Scorer> {
  scorer ??= (async () => {
    const [{ ZxcvbnFactory }, { dictionary, adjacencyGraphs }] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
    ]);
    // zxcvbn's matching grows fast with length (~0.5 s of the event loop for 256 characters): only the first
    // SCORE_MAX_LENGTH are scored (~15 ms at worst), and a long password's start must be strong on its own.
    const zxcvbn = new ZxcvbnFactory({
      dictionary: { ...dictionary },
      graphs: adjacencyGraphs,
      maxLength: SCORE_MAX_LENGTH,
    });
    return (password, userInputs) => zxcvbn.check(password, userInputs).score;
  })();
  return scorer;
}

/** The words a password must not be (nor score well by being built on): the service's name, the address. */
function contextWords(context: PasswordContext): string[] {
  const email = context.email?.toLowerCase();
  const local = email?.split('@')[0];
  const words = ['latchkey', context.serviceName?.toLowerCase(), email, local];
  return [...new Set(words.filter((w): w is string => !!w && w.length >= 3))];
}

/**
 * NIST SP 800-63B §5.1.1.2: length limits, a blocklist of common passwords, and context-specific words; and,
 * when the policy asks for one, a least zxcvbn score with the address and the service's name as user inputs.
 */
export async function checkPassword(
  password: string,
  context: PasswordContext,
  policy: PasswordPolicy,
): Promise<PasswordProblem | undefined> {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < Math.max(PASSWORD_MIN, policy.minLength)) return 'too_short';
  if (length > PASSWORD_MAX) return 'too_long';
  const lower = normalized.toLowerCase();
  if (policy.checkCommon && (await commonPasswords()).has(lower)) return 'common';
  const words = contextWords(context);
  // The word itself, or the word with only digits and punctuation around it ("latchkey2024!").
  const bare = lower.replace(/[^\p{L}]+/gu, '');
  if (words.some((w) => lower === w || bare === w.replace(/[^\p{L}]+/gu, ''))) return 'context';
  if (policy.minScore > 0) {
    // The parts of the address too ("ada.lovelace" → "ada", "lovelace"), so "lovelace1815" scores low.
    const inputs = [...words, ...words.flatMap((w) => w.split(/[^\p{L}\p{N}]+/u))].filter(
      (w) => w.length >= 3,
    );
    if ((await strengthScorer())(normalized, inputs) < policy.minScore) return 'weak';
  }
  return undefined;
}

/** What the admin (CLI, admin API) is told: the rule the password broke, with the configured numbers. */
export function passwordProblemText(problem: PasswordProblem, policy: PasswordPolicy): string {
  switch (problem) {
    case 'too_short':
      return `must be at least ${Math.max(PASSWORD_MIN, policy.minLength)} characters (LATCHKEY_PASSWORD_MIN_LENGTH)`;
    case 'too_long':
      return `must be at most ${PASSWORD_MAX} characters`;
    case 'common':
      return 'is a commonly used password; choose another';
    case 'context':
      return 'must not be the service name or the email address; choose another';
    case 'weak':
      return `is too easy to guess: its strength score is under ${policy.minScore} of 4 (LATCHKEY_PASSWORD_MIN_SCORE); choose a longer, less predictable one`;
  }
}

// On dedicated, niced worker threads (see argon2-pool.ts), started on first use.
let pool: Argon2Pool | undefined;
const argon2 = () => (pool ??= new Argon2Pool(ARGON2));

/** The argon2 pool's load for the metrics: jobs waiting for a worker, workers busy (none before first use). */
export function argon2Load(): { waiting: number; busy: number } {
  return { waiting: pool?.waiting ?? 0, busy: pool?.busy ?? 0 };
}

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
