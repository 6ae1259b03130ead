import { randomUUID } from 'node:crypto';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { mailLink, sendTemplate } from '../../mail/templates.js';
import { uniqueViolation } from '../../store/index.js';
import type { User } from '../../store/types.js';
import { type AdminContext, adminEvent, CLI, managedByOf, requireReach } from '../context.js';
import { permissionsOf } from '../permissions.js';
import { AdminError, checkEmail, checkLabels, checkMailableEmail, checkUsername } from '../validate.js';
import { hashValidPassword, optionalName, type UserInput } from './input.js';
import { SET_PASSWORD_PATH } from './unlink.js';

export function createUser(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  input: UserInput,
  ctx: AdminContext = CLI,
): Promise<User> {
  // Added by the admin: the admin vouches for the address.
  return insertUser(deps, input, ctx, { emailVerified: true });
}

async function insertUser(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  input: UserInput,
  ctx: AdminContext,
  options: { emailVerified: boolean; invited?: boolean },
): Promise<User> {
  const email = checkEmail(input.email);
  const username = input.username !== undefined ? checkUsername(input.username) : null;
  const roles = checkLabels(input.roles ?? [], 'roles');
  requireReach(ctx, permissionsOf(roles), 'granting these roles');
  const groups = checkLabels(input.groups ?? [], 'groups');
  const givenName = optionalName(input.givenName ?? null, 'givenName');
  const familyName = optionalName(input.familyName ?? null, 'familyName');
  const name =
    input.name !== undefined
      ? optionalName(input.name, 'name')
      : [givenName, familyName].filter(Boolean).join(' ') || null;
  if (await deps.store.users.findByEmail(email))
    throw new AdminError(`"${email}" is taken by another user`, 'exists', 'email');
  if (username !== null && (await deps.store.users.findByUsername(username)))
    throw new AdminError(`"${username}" is taken by another user`, 'exists', 'username');
  const passwordHash =
    input.password !== undefined ? await hashValidPassword(deps, input.password, { email }) : null;
  const id = randomUUID();
  const now = deps.clock.now();
  // A new user has no session or grant yet: created disabled, there is nothing to end.
  try {
    return await deps.store.users.create(
      {
        id,
        email,
        emailVerified: options.emailVerified,
        name,
        givenName,
        familyName,
        username,
        roles,
        groups,
        passwordHash,
        disabledAt: input.disabled ? now : null,
        managedBy: managedByOf(ctx),
        createdAt: now,
      },
      adminEvent(ctx, 'user_created', now, {
        userId: id,
        detail: {
          roles,
          ...(input.disabled ? { disabled: true } : {}),
          ...(options.invited ? { invited: true } : {}),
        },
      }),
    );
  } catch (err) {
    // Another request took the email or username between the checks and the insert.
    const column = uniqueViolation(err);
    if (column === undefined) throw err;
    throw column.includes('username')
      ? new AdminError(`"${username}" is taken by another user`, 'exists', 'username')
      : new AdminError(`"${email}" is taken by another user`, 'exists', 'email');
  }
}

/** How long an invitation's link works (issue 15). */
export const INVITE_TTL_SECONDS = 7 * 86400;

export interface Invitation {
  user: User;
  expiresAt: number;
  /** Mailed through SMTP: the link is in the mail only, never handed back. */
  mailed: boolean;
  /**
   * Only without SMTP (`LATCHKEY_SMTP_URL` unset): the link, for the admin to hand on; the mail then waits in
   * the outbox and its text is written to the server's log.
   */
  url?: string;
}

/**
 * `user add --invite`, `POST /admin/v1/users` with `"invite": true` (issue 15): creates the user without a
 * password and with the address unverified (following the link verifies it), saves a single-use 'invite'
 * set-password token (7 days; the store keeps only its SHA-256) and queues the invitation mail, in the
 * deployment's language (`LATCHKEY_LOCALE`).
 */
export async function inviteUser(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'sealer'>,
  input: UserInput,
  ctx: AdminContext = CLI,
): Promise<Invitation> {
  if (input.password !== undefined)
    throw new AdminError(
      'an invited user chooses their own password: give an invitation or a password, not both',
      'invalid_input',
      'password',
    );
  // The invitee would set a password nothing accepts.
  if (!deps.config.passwordLogin)
    throw new AdminError(
      'password sign-in is turned off (LATCHKEY_PASSWORD_LOGIN=off): an invited user could not use a password',
    );
  checkMailableEmail(input.email);
  const user = await insertUser(deps, input, ctx, { emailVerified: false, invited: true });
  const now = deps.clock.now();
  const token = randomToken();
  const expiresAt = now + INVITE_TTL_SECONDS;
  await deps.store.passwordTokens.save({
    hash: sha256(token),
    userId: user.id,
    purpose: 'invite',
    createdAt: now,
    expiresAt,
    usedAt: null,
  });
  const url = mailLink(deps, SET_PASSWORD_PATH, { token });
  await sendTemplate(deps, user.email, deps.config.locale, {
    subject: 'mail.invite.subject',
    paragraphs: ['mail.invite.intro'],
    action: { label: 'mail.invite.action', url },
    after: ['mail.invite.expiry'],
    vars: { email: user.email, days: INVITE_TTL_SECONDS / 86400 },
  });
  const mailed = deps.config.mail.smtpUrl !== undefined;
  return { user, expiresAt, mailed, ...(mailed ? {} : { url }) };
}
