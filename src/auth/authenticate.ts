import { burnPasswordCheck, verifyPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import type { User } from '../store/types.js';
import { type Amr, type SecondFactorMethod, secondFactorDone, secondFactorRequired } from './factors.js';

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
  | { status: 'failed'; code: 'invalid_credentials' | 'throttled'; retryAfterSeconds?: number };

export type Authenticated = Extract<Authentication, { status: 'authenticated' }>;

export interface SignInContext {
  /** The client's address, for the per-address throttle and the audit log. */
  ip: string;
  /** The client the sign-in is for, when there is one (`--require-mfa`). */
  clientRequiresSecondFactor?: boolean;
  /** `acr_values=urn:latchkey:acr:2fa` was asked. */
  acrRequested?: boolean;
}

/** The second factors a user has enrolled. None exist until MFA enrolment lands (issue 9). */
export async function secondFactorMethods(
  _deps: Pick<Deps, 'store'>,
  _user: User,
): Promise<SecondFactorMethod[]> {
  return [];
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
): Promise<Authentication> {
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
 * The one password check of the sign-in pages and the password grant: throttled per account and per IP
 * before the password is looked at; an unknown email and a wrong password take the same time and answer.
 */
export async function authenticatePassword(
  deps: Deps,
  emailRaw: string,
  password: string,
  context: SignInContext,
): Promise<Authentication> {
  const email = emailRaw.trim().toLowerCase().slice(0, 254);
  const accountKey = `acct:${email}`;
  const ipKey = `ip:${context.ip}`;
  const wait = Math.max(deps.throttle.retryAfterMs(accountKey), deps.ipThrottle.retryAfterMs(ipKey));
  if (wait > 0) return { status: 'failed', code: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
  const user = email ? await deps.store.users.findByEmail(email) : undefined;
  const pass = password.slice(0, 256);
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, pass)
    : await burnPasswordCheck(pass);
  const now = deps.clock.now();
  if (!ok || !user) {
    deps.throttle.fail(accountKey);
    deps.ipThrottle.fail(ipKey);
    await deps.store.events.recordFailure(
      {
        at: now,
        type: 'login_failed',
        userId: user?.id ?? null,
        clientId: null,
        ip: context.ip,
        detail: null,
      },
      300,
    );
    return { status: 'failed', code: 'invalid_credentials' };
  }
  deps.throttle.succeed(accountKey);
  return afterFactor(deps, user, ['pwd'], now, context);
}
