import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { sendTemplate } from '../../mail/templates.js';
import { liveSessionHashes, queueBackchannelLogout } from '../../oauth/backchannel.js';
import type { User } from '../../store/types.js';
import { type AdminContext, adminEvent, CLI } from '../context.js';
import { AdminError } from '../validate.js';
import { findUserFor } from './find.js';

/** Where a set-password link leads; the page is `src/interaction/set-password.ts`. */
export const SET_PASSWORD_PATH = '/password/set';
/** How long a set-password link works. */
export const SET_PASSWORD_TTL_SECONDS = 24 * 3600;

export interface SetPasswordLink {
  user: User;
  /** Works once; the store keeps only the token's SHA-256. */
  url: string;
  expiresAt: number;
}

/**
 * `user unlink`: removes the user's upstream link, ends the user's sessions, revokes the user's refresh tokens
 * and saves a single-use set-password token, in one unit of work; the user then chooses a password (SPEC §4).
 * The link is handed back: `user unlink` mails it with `mailSetPasswordLink` when SMTP is configured, and
 * prints it otherwise; the admin API answers it.
 */
export async function unlinkUser(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  ref: string,
  ctx: AdminContext = CLI,
): Promise<SetPasswordLink> {
  // The user would be left with a password nothing accepts, and no provider: no way in at all.
  if (!deps.config.passwordLogin)
    throw new AdminError(
      'password sign-in is turned off (LATCHKEY_PASSWORD_LOGIN=off): an unlinked user could not sign in at all',
    );
  const user = await findUserFor(deps, ref, ctx);
  const noLink = () => new AdminError(`user "${ref}" has no linked provider`, 'not_found');
  // Read first only to name the provider in the audit row; the unit of work decides.
  const identity = await deps.store.identities.findByUser(user.id);
  if (!identity) throw noLink();
  const now = deps.clock.now();
  const token = randomToken();
  const expiresAt = now + SET_PASSWORD_TTL_SECONDS;
  const ending = await liveSessionHashes(deps, user.id);
  const unlinked = await deps.store.identities.unlink(
    user.id,
    { hash: sha256(token), userId: user.id, purpose: 'set', createdAt: now, expiresAt, usedAt: null },
    now,
    adminEvent(ctx, 'user_unlinked', now, { userId: user.id, detail: { provider: identity.providerSlug } }),
  );
  if (!unlinked) throw noLink();
  await queueBackchannelLogout(deps, ending);
  // The token is base64url: nothing in it needs escaping.
  return { user, url: `${deps.config.issuer}${SET_PASSWORD_PATH}?token=${token}`, expiresAt };
}

/**
 * `user unlink` with mail configured (SPEC §1 "prints (or mails)"): queues the set-password mail to the user.
 * Answers false, sending nothing, without SMTP: the caller prints the link for the admin instead.
 */
export async function mailSetPasswordLink(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'sealer'>,
  link: SetPasswordLink,
): Promise<boolean> {
  if (deps.config.mail.smtpUrl === undefined) return false;
  await sendTemplate(deps, link.user.email, deps.config.locale, {
    subject: 'mail.setPassword.subject',
    paragraphs: ['mail.setPassword.intro'],
    action: { label: 'mail.setPassword.action', url: link.url },
    after: ['mail.setPassword.expiry'],
    vars: { email: link.user.email, hours: SET_PASSWORD_TTL_SECONDS / 3600 },
  });
  return true;
}
