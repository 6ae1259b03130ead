import { enrollTotpNow, type FactorContext, removeSecondFactor } from '../../auth/second-factor.js';
import type { Deps } from '../../deps.js';
import { liveSessionHashes, queueBackchannelLogout } from '../../oauth/backchannel.js';
import type { User } from '../../store/types.js';
import { type AdminContext, adminEvent, CLI } from '../context.js';
import { AdminError } from '../validate.js';
import { findUserFor } from './find.js';
import { hashValidPassword } from './input.js';

/**
 * SPEC §3: a password change ends the user's sessions and revokes the user's refresh tokens, with its
 * `password_set` audit row (an admin set it; the user's own change is `password_changed`), in one unit of work.
 */
export async function setUserPassword(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  ref: string,
  password: string,
  ctx: AdminContext = CLI,
): Promise<User> {
  const user = await findUserFor(deps, ref, ctx);
  const passwordHash = await hashValidPassword(deps, password, { email: user.email });
  const now = deps.clock.now();
  const ending = await liveSessionHashes(deps, user.id);
  const changed = await deps.store.users.changePassword(
    user.id,
    passwordHash,
    now,
    adminEvent(ctx, 'password_set', now, { userId: user.id }),
  );
  if (!changed) throw new AdminError(`no user "${ref}"`, 'not_found');
  await queueBackchannelLogout(deps, ending);
  return (await deps.store.users.find(user.id))!;
}

/** An admin acts for no client; the CLI from no address either. */
const factorContext = (ctx: AdminContext): FactorContext => ({
  ip: ctx.ip ?? null,
  clientId: null,
  actor: ctx.actor,
  userAgent: ctx.userAgent ?? null,
});

/**
 * `user mfa-enroll`: TOTP enabled at once (for tests and admins), replacing any factor and recovery codes the
 * user had. The secret and the codes exist in the clear only in the answer.
 */
export async function enrollUserMfa(
  deps: Deps,
  ref: string,
  ctx: AdminContext = CLI,
): Promise<{ user: User; secret: string; otpauthUri: string; recoveryCodes: string[] }> {
  const user = await findUserFor(deps, ref, ctx);
  return { user, ...(await enrollTotpNow(deps, user, factorContext(ctx))) };
}

/**
 * `user mfa-reset`: removes the user's second factor and recovery codes (the user lost the device), and
 * nothing else: sessions and tokens stay. A user without one is `not_found`, like removing a missing user.
 */
export async function resetUserMfa(deps: Deps, ref: string, ctx: AdminContext = CLI): Promise<User> {
  const user = await findUserFor(deps, ref, ctx);
  if (!(await removeSecondFactor(deps, user, factorContext(ctx), 'mfa_reset')))
    throw new AdminError(`user "${ref}" has no two-factor authentication to reset`, 'not_found');
  return user;
}
