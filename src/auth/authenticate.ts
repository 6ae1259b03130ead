import { burnPasswordCheck, PASSWORD_MAX, passwordLength, verifyPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { addressGroup, sleep } from '../http/net.js';
import type { SignInResult } from '../metrics.js';
import type { User } from '../store/types.js';
import { type Amr, type SecondFactorMethod, secondFactorDone, secondFactorRequired } from './factors.js';
import { secondFactorMethods } from './second-factor.js';

/**
 * What one sign-in step established. Only `authenticated` may become a browser session or tokens; a
 * sign-in with `second_factor_required` lives in the Interaction (pages) or behind an `mfa_token` (grant).
 */
export type Authentication =
  | { status: 'authenticated'; user: User; amr: Amr[]; authTime: number }
  | {
      status: 'second_factor_required';
      user: User;
      amr: Amr[];
      authTime: number;
      methods: SecondFactorMethod[];
    }
  | {
      status: 'failed';
      /** `account_disabled`: the password was right, so the answer may say why (issue 12). */
      code: 'invalid_credentials' | 'throttled' | 'account_disabled';
      retryAfterSeconds?: number;
    };

export type Authenticated = Extract<Authentication, { status: 'authenticated' }>;

/** A first factor that passed: complete, or waiting for the second. */
export type FirstFactorPassed = Exclude<Authentication, { status: 'failed' }>;

/** A disabled user signs in nowhere and gets no token (issue 12): every door asks this one question. */
export const isDisabled = (user: Pick<User, 'disabledAt'> | null | undefined): boolean =>
  user != null && user.disabledAt !== null;

export interface SignInContext {
  /** The client's address, for the per-address throttle and the audit log. */
  ip: string;
  /** The request's User-Agent, for the audit log (`requestMeta`). */
  userAgent?: string | null;
  /** The client the sign-in is for, when there is one (`--require-mfa`). */
  clientRequiresSecondFactor?: boolean;
  /** `acr_values=urn:latchkey:acr:2fa` was asked. */
  acrRequested?: boolean;
  /** Whether the browser carries the device cookie of an earlier sign-in to this user (src/http/device.ts). */
  knownDevice?: (user: User) => boolean;
}

/**
 * After a first factor: `authenticated` when nothing more is required, else the pending state with the
 * methods the user can finish with.
 */
export async function afterFactor(
  deps: Pick<Deps, 'store'>,
  user: User,
  amr: Amr[],
  authTime: number,
  context: Omit<SignInContext, 'ip'>,
): Promise<FirstFactorPassed> {
  const methods = await secondFactorMethods(deps, user);
  const required = secondFactorRequired({
    enrolled: methods.length > 0,
    clientRequires: context.clientRequiresSecondFactor ?? false,
    acrRequested: context.acrRequested ?? false,
  });
  if (!required || secondFactorDone(amr)) return { status: 'authenticated', user, amr, authTime };
  return { status: 'second_factor_required', user, amr, authTime, methods };
}

/**
 * The one password check of the sign-in pages and the password grant. The attempt is reserved on the
 * account before the password is hashed (src/auth/throttle.ts); an unknown email and a wrong password take
 * the same time and get the same answer; a failure is slowed per address, never refused by address.
 */
export async function authenticatePassword(
  deps: Deps,
  emailRaw: string,
  password: string,
  context: SignInContext,
): Promise<Authentication> {
  const result = await checkPassword(deps, emailRaw, password, context);
  if (deps.metrics) deps.metrics.signIn(signInResult(result));
  return result;
}

/** The bounded label of a sign-in's result, for `latchkey_sign_ins_total`. */
function signInResult(result: Authentication): SignInResult {
  if (result.status === 'authenticated') return 'success';
  if (result.status === 'second_factor_required') return 'mfa_required';
  return result.code === 'invalid_credentials'
    ? 'failure'
    : result.code === 'throttled'
      ? 'throttled'
      : 'disabled';
}

async function checkPassword(
  deps: Deps,
  emailRaw: string,
  password: string,
  context: SignInContext,
): Promise<Authentication> {
  const email = emailRaw.trim().toLowerCase().slice(0, 254);
  const user = email ? await deps.store.users.findByEmail(email) : undefined;
  const knownDevice = user !== undefined && (context.knownDevice?.(user) ?? false);
  const reservation = await deps.signInThrottle.reserve(email, context.ip, knownDevice);
  if (!reservation.allowed)
    return { status: 'failed', code: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
  // SPEC §3: at most 256 characters, counted as code points after NFKC; a longer one is a wrong one.
  const fits = passwordLength(password) <= PASSWORD_MAX;
  const candidate = fits ? password : '';
  const ok =
    user?.passwordHash && fits
      ? await verifyPassword(user.passwordHash, candidate)
      : await burnPasswordCheck(candidate);
  const now = deps.clock.now();
  if (!ok || !user) {
    const delayMs = await deps.signInThrottle.failed(context.ip);
    await deps.store.events.recordFailure(
      {
        at: now,
        type: 'login_failed',
        userId: user?.id ?? null,
        clientId: null,
        // Repeats are counted per address group (an IPv6 /64), the unit the throttle counts in.
        ip: addressGroup(context.ip),
        userAgent: context.userAgent ?? null,
        detail: null,
      },
      300,
    );
    if (delayMs > 0) await sleep(delayMs);
    return { status: 'failed', code: 'invalid_credentials' };
  }
  // Said only to whoever knew the password; the reserved attempt stays counted (no sign-in happened).
  if (isDisabled(user)) {
    await deps.store.events.recordFailure(
      {
        at: now,
        type: 'login_refused',
        userId: user.id,
        clientId: null,
        ip: addressGroup(context.ip),
        userAgent: context.userAgent ?? null,
        detail: { reason: 'account_disabled' },
      },
      300,
    );
    return { status: 'failed', code: 'account_disabled' };
  }
  await deps.signInThrottle.succeeded(email, context.ip);
  return afterFactor(deps, user, ['pwd'], now, context);
}
