import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import { PASSWORD_MAX, passwordLength, verifyPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { addressGroup } from '../http/net.js';
import type { NewAuditEvent, ThrottleRule, TotpFactor, User } from '../store/types.js';
import type { SecondFactorMethod } from './factors.js';
import {
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  otpauthUri,
  recoveryCodeHash,
} from './totp.js';

/**
 * The second factor: TOTP and recovery codes, for the MFA page, the MFA grant and the account page.
 *
 * Brute force: every code is an attempt reserved on the account before it is checked (the same store as the
 * password throttle, its own key), so pending sign-ins, the grant and the account page share one count: 5
 * free, then waits from 1 s doubling to 15 min. A pending sign-in (or `mfa_token`) is dropped after
 * `MAX_CODE_ATTEMPTS` wrong codes on top of that. Every failure gets the same answer.
 */
export const SECOND_FACTOR_RULE: ThrottleRule = {
  free: 5,
  baseMs: 1000,
  maxMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};
/** Wrong codes a pending sign-in or an `mfa_token` survives. */
export const MAX_CODE_ATTEMPTS = 5;

const throttleKey = (userId: string) => `2fa:${sha256(userId)}`;

export interface FactorContext {
  /** The client's address; `null` for the CLI (an admin action has none). */
  ip: string | null;
  clientId: string | null;
  /** An admin's action: who (`AdminContext.actor`); absent when the user acts. */
  actor?: string | null;
  /** The request's User-Agent (`requestMeta`); absent for the CLI. */
  userAgent?: string | null;
}

export type FactorCheck =
  | { ok: true; method: 'totp' | 'recovery_code' | 'password' }
  | { ok: false; code: 'invalid_code' | 'throttled'; retryAfterSeconds?: number };

const event = (
  deps: Pick<Deps, 'clock'>,
  type: string,
  user: User,
  context: FactorContext,
  detail: Record<string, unknown> | null = null,
): NewAuditEvent => ({
  at: deps.clock.now(),
  type,
  userId: user.id,
  clientId: context.clientId,
  ip: context.ip,
  actor: context.actor ?? null,
  userAgent: context.userAgent ?? null,
  detail,
});

/** The confirmed factor, or `undefined` (none, or enrolment not finished). */
async function confirmedTotp(deps: Pick<Deps, 'store'>, user: User): Promise<TotpFactor | undefined> {
  const factor = await deps.store.mfa.findTotp(user.id);
  return factor?.confirmedAt != null ? factor : undefined;
}

/**
 * The factor's secret, or `undefined` when it cannot be opened (sealed under another `LATCHKEY_SECRET`, or
 * altered): no code matches it then, which is logged for the admin (`user mfa-reset` starts the user again).
 */
function openSecret(deps: Pick<Deps, 'sealer' | 'log'>, factor: TotpFactor): string | undefined {
  try {
    return deps.sealer.open(factor.secretSealed);
  } catch {
    deps.log.error('a TOTP secret cannot be opened with LATCHKEY_SECRET', { user_id: factor.userId });
    return undefined;
  }
}

/** The second factors the user has enrolled (what `mfa_methods` lists). */
export async function secondFactorMethods(
  deps: Pick<Deps, 'store'>,
  user: User,
): Promise<SecondFactorMethod[]> {
  const factor = await confirmedTotp(deps, user);
  return factor ? [{ id: factor.id, type: 'totp' }] : [];
}

/**
 * Which of these users have a second factor, as `secondFactorMethods(…).length > 0` says for each: one store query
 * for a whole list page, no factor's secret read.
 */
export function usersWithSecondFactor(
  deps: Pick<Deps, 'store'>,
  userIds: readonly string[],
): Promise<Set<string>> {
  return deps.store.mfa.withConfirmedTotp(userIds);
}

/**
 * The name an authenticator app shows: the issuer's host name, so two latchkey servers stay apart. Without
 * the port: the key URI format separates the issuer from the account name with a colon.
 */
function issuerLabel(deps: Pick<Deps, 'config'>): string {
  return new URL(deps.config.issuer).hostname;
}

/**
 * Checks a code the user typed: a TOTP code of the enrolled factor (each step accepted once), or an unused
 * recovery code (then used up). Reserved on the account's throttle first; the answer never says how close a
 * wrong code was.
 */
export async function verifySecondFactor(
  deps: Deps,
  user: User,
  input: string,
  context: FactorContext,
  options: {
    /**
     * The account password stands in for a code (the account page, within minutes of a passed factor). It is
     * checked after the reservation, so it counts against the same throttle as a code.
     */
    orPassword?: boolean;
  } = {},
): Promise<FactorCheck> {
  const result = await checkSecondFactor(deps, user, input, context, options);
  deps.metrics?.mfaResult(result.ok ? 'success' : result.code === 'throttled' ? 'throttled' : 'failure');
  return result;
}

async function checkSecondFactor(
  deps: Deps,
  user: User,
  input: string,
  context: FactorContext,
  options: { orPassword?: boolean },
): Promise<FactorCheck> {
  const nowMs = deps.clock.nowMs();
  if (deps.config.throttle) {
    const verdict = await deps.store.throttle.reserve(
      [{ key: throttleKey(user.id), rule: SECOND_FACTOR_RULE }],
      nowMs,
    );
    if (!verdict.allowed)
      return {
        ok: false,
        code: 'throttled',
        retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
      };
  }
  const code = input.replace(/\s/g, '').slice(0, 64);
  const method =
    (await check(deps, user, code, context)) ??
    (options.orPassword && (await passwordMatches(user, input)) ? 'password' : undefined);
  if (method) {
    if (deps.config.throttle) await deps.store.throttle.reset(throttleKey(user.id));
    return { ok: true, method };
  }
  await deps.store.events.recordFailure(
    {
      ...event(deps, 'mfa_failed', user, context),
      ip: context.ip === null ? null : addressGroup(context.ip),
    },
    300,
  );
  return { ok: false, code: 'invalid_code' };
}

async function passwordMatches(user: User, input: string): Promise<boolean> {
  return (
    user.passwordHash !== null &&
    passwordLength(input) <= PASSWORD_MAX &&
    (await verifyPassword(user.passwordHash, input))
  );
}

async function check(
  deps: Deps,
  user: User,
  code: string,
  context: FactorContext,
): Promise<'totp' | 'recovery_code' | undefined> {
  const factor = await confirmedTotp(deps, user);
  if (!factor) return undefined;
  if (/^\d{6}$/.test(code)) {
    const secret = openSecret(deps, factor);
    const step =
      secret === undefined ? undefined : await matchTotp(secret, code, deps.clock.now(), factor.lastStep);
    // The conditional write is what makes a step single-use when two requests carry the same code.
    if (step === undefined || !(await deps.store.mfa.acceptStep(user.id, step))) return undefined;
    await deps.store.events.add(event(deps, 'mfa_succeeded', user, context, { method: 'totp' }));
    return 'totp';
  }
  const normalized = normalizeRecoveryCode(code);
  if (!normalized) return undefined;
  const candidate = recoveryCodeHash(deps.config.secret, user.id, normalized);
  // Compared with every unused code in constant time, rather than looked up by value.
  let match: string | undefined;
  for (const stored of await deps.store.mfa.unusedRecoveryCodes(user.id))
    if (safeEqual(stored, candidate)) match = stored;
  if (!match) return undefined;
  const used = await deps.store.mfa.useRecoveryCode(
    user.id,
    match,
    deps.clock.now(),
    event(deps, 'recovery_code_used', user, context),
  );
  return used ? 'recovery_code' : undefined;
}

export interface Enrolment {
  secret: string;
  otpauthUri: string;
}

/** Starts (or restarts) enrolment: a new unconfirmed secret; `undefined` when a factor is already on. */
export async function beginTotpEnrolment(deps: Deps, user: User): Promise<Enrolment | undefined> {
  const secret = await newTotpSecret();
  const now = deps.clock.now();
  const started = await deps.store.mfa.beginTotp({
    userId: user.id,
    id: randomToken(12),
    secretSealed: deps.sealer.seal(secret),
    lastStep: 0,
    confirmedAt: null,
    createdAt: now,
  });
  return started
    ? { secret, otpauthUri: await otpauthUri(issuerLabel(deps), user.email, secret) }
    : undefined;
}

/** The enrolment waiting for its first code, if any. */
export async function pendingEnrolment(deps: Deps, user: User): Promise<Enrolment | undefined> {
  const factor = await deps.store.mfa.findTotp(user.id);
  if (!factor || factor.confirmedAt !== null) return undefined;
  const secret = openSecret(deps, factor);
  if (secret === undefined) return undefined;
  return { secret, otpauthUri: await otpauthUri(issuerLabel(deps), user.email, secret) };
}

export type EnrolmentResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; code: 'invalid_code' | 'throttled'; retryAfterSeconds?: number };

/** Confirms the pending enrolment with a first code; returns the recovery codes, shown once. */
export async function confirmTotpEnrolment(
  deps: Deps,
  user: User,
  input: string,
  context: FactorContext,
): Promise<EnrolmentResult> {
  const factor = await deps.store.mfa.findTotp(user.id);
  if (!factor || factor.confirmedAt !== null) return { ok: false, code: 'invalid_code' };
  const secret = openSecret(deps, factor);
  const step =
    secret === undefined ? undefined : await matchTotp(secret, input.replace(/\s/g, ''), deps.clock.now());
  if (step === undefined) return { ok: false, code: 'invalid_code' };
  const recoveryCodes = newRecoveryCodes();
  const confirmed = await deps.store.mfa.confirmTotp(
    user.id,
    factor.id,
    step,
    hashes(deps, user, recoveryCodes),
    deps.clock.now(),
    event(deps, 'mfa_enrolled', user, context, { method: 'totp' }),
  );
  return confirmed ? { ok: true, recoveryCodes } : { ok: false, code: 'invalid_code' };
}

function hashes(deps: Pick<Deps, 'config'>, user: User, codes: readonly string[]): string[] {
  return codes.map((c) => recoveryCodeHash(deps.config.secret, user.id, normalizeRecoveryCode(c)!));
}

/** The admin's enrolment (`user mfa-enroll`): enabled at once, replacing any factor and codes before. */
export async function enrollTotpNow(
  deps: Deps,
  user: User,
  context: FactorContext,
): Promise<Enrolment & { recoveryCodes: string[] }> {
  const secret = await newTotpSecret();
  const recoveryCodes = newRecoveryCodes();
  const now = deps.clock.now();
  await deps.store.mfa.enrollTotp(
    {
      userId: user.id,
      id: randomToken(12),
      secretSealed: deps.sealer.seal(secret),
      lastStep: 0,
      confirmedAt: now,
      createdAt: now,
    },
    hashes(deps, user, recoveryCodes),
    event(deps, 'mfa_enrolled', user, context, { method: 'totp', by: 'admin' }),
  );
  return { secret, otpauthUri: await otpauthUri(issuerLabel(deps), user.email, secret), recoveryCodes };
}

/** New recovery codes; the old set stops working. */
export async function regenerateRecoveryCodes(
  deps: Deps,
  user: User,
  context: FactorContext,
): Promise<string[]> {
  const codes = newRecoveryCodes();
  await deps.store.mfa.replaceRecoveryCodes(
    user.id,
    hashes(deps, user, codes),
    deps.clock.now(),
    event(deps, 'recovery_codes_regenerated', user, context),
  );
  return codes;
}

/** Turns the second factor off: by the user (`mfa_disabled`) or an admin (`mfa_reset`). */
export function removeSecondFactor(
  deps: Deps,
  user: User,
  context: FactorContext,
  type: 'mfa_disabled' | 'mfa_reset',
): Promise<boolean> {
  return deps.store.mfa.removeAll(user.id, event(deps, type, user, context));
}
