import { randomUUID } from 'node:crypto';
import { enrollTotpNow, type FactorContext, removeSecondFactor } from '../auth/second-factor.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import {
  checkPassword,
  hashPassword,
  type PasswordContext,
  passwordProblemText,
} from '../crypto/password.js';
import type { Deps } from '../deps.js';
import type { Session, User } from '../store/types.js';
import { type AdminContext, CLI, type Page, type PageRequest } from './context.js';
import { AdminError, checkEmail } from './validate.js';

export interface UserInput {
  email: string;
  password?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  username?: string;
  roles?: string[];
  groups?: string[];
  /** Created disabled. */
  disabled?: boolean;
}

export function describeUser(u: User): Record<string, unknown> {
  return {
    id: u.id,
    email: u.email,
    email_verified: u.emailVerified,
    name: u.name,
    given_name: u.givenName,
    family_name: u.familyName,
    roles: u.roles,
    has_password: u.passwordHash !== null,
    created_at: u.createdAt,
  };
}

export async function hashValidPassword(password: string, context: PasswordContext = {}): Promise<string> {
  const problem = await checkPassword(password, context);
  if (problem) throw new AdminError(passwordProblemText[problem], 'weak_password', 'password');
  return hashPassword(password);
}

export async function createUser(deps: Pick<Deps, 'store' | 'clock'>, input: UserInput): Promise<User> {
  const email = checkEmail(input.email);
  if (await deps.store.users.findByEmail(email))
    throw new AdminError(`"${email}" is taken by another user`, 'exists', 'email');
  const passwordHash =
    input.password !== undefined ? await hashValidPassword(input.password, { email }) : null;
  const name = input.name ?? ([input.givenName, input.familyName].filter(Boolean).join(' ') || null);
  return deps.store.users.create({
    id: randomUUID(),
    email,
    // Added by the admin: the admin vouches for the address.
    emailVerified: true,
    name,
    givenName: input.givenName ?? null,
    familyName: input.familyName ?? null,
    roles: [...new Set(input.roles ?? [])],
    passwordHash,
    createdAt: deps.clock.now(),
  });
}

/** A user by id or email. */
export async function findUser(deps: Pick<Deps, 'store'>, ref: string): Promise<User> {
  const user = ref.includes('@')
    ? await deps.store.users.findByEmail(ref.trim().toLowerCase())
    : await deps.store.users.find(ref);
  if (!user) throw new AdminError(`no user "${ref}"`, 'not_found');
  return user;
}

/** Deletes a user with their sessions, tokens and consents; the audit log keeps a `user_removed` entry. */
export async function removeUser(deps: Pick<Deps, 'store' | 'clock'>, ref: string): Promise<User> {
  const user = await findUser(deps, ref);
  const removed = await deps.store.users.remove(user.id, {
    at: deps.clock.now(),
    type: 'user_removed',
    userId: user.id,
    clientId: null,
    ip: null,
    detail: null,
  });
  if (!removed) throw new AdminError(`no user "${ref}"`, 'not_found');
  return user;
}

/**
 * SPEC §3: a password change ends the user's sessions and revokes the user's refresh tokens, with its
 * `password_changed` audit row, in one unit of work.
 */
export async function setUserPassword(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  password: string,
): Promise<User> {
  const user = await findUser(deps, ref);
  const passwordHash = await hashValidPassword(password, { email: user.email });
  const now = deps.clock.now();
  const changed = await deps.store.users.changePassword(user.id, passwordHash, now, {
    at: now,
    type: 'password_changed',
    userId: user.id,
    clientId: null,
    ip: null,
    detail: null,
  });
  if (!changed) throw new AdminError(`no user "${ref}"`, 'not_found');
  return (await deps.store.users.find(user.id))!;
}

/** The CLI acts from no address and for no client; the audit row's `ip` is left empty. */
const ADMIN_FACTOR_CONTEXT: FactorContext = { ip: null, clientId: null };

/**
 * `user mfa-enroll`: TOTP enabled at once (for tests and admins), replacing any factor and recovery codes the
 * user had. The secret and the codes exist in the clear only in the answer.
 */
export async function enrollUserMfa(
  deps: Deps,
  ref: string,
): Promise<{ user: User; secret: string; otpauthUri: string; recoveryCodes: string[] }> {
  const user = await findUser(deps, ref);
  return { user, ...(await enrollTotpNow(deps, user, ADMIN_FACTOR_CONTEXT)) };
}

/**
 * `user mfa-reset`: removes the user's second factor and recovery codes (the user lost the device), and
 * nothing else: sessions and tokens stay. A user without one is `not_found`, like removing a missing user.
 */
export async function resetUserMfa(deps: Deps, ref: string): Promise<User> {
  const user = await findUser(deps, ref);
  if (!(await removeSecondFactor(deps, user, ADMIN_FACTOR_CONTEXT, 'mfa_reset')))
    throw new AdminError(`user "${ref}" has no two-factor authentication to reset`, 'not_found');
  return user;
}

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
 * The link is handed back for the admin to pass on because there is no mail yet; a later issue mails it.
 */
export async function unlinkUser(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  ref: string,
): Promise<SetPasswordLink> {
  // The user would be left with a password nothing accepts, and no provider: no way in at all.
  if (!deps.config.passwordLogin)
    throw new AdminError(
      'password sign-in is turned off (LATCHKEY_PASSWORD_LOGIN=off): an unlinked user could not sign in at all',
    );
  const user = await findUser(deps, ref);
  const noLink = () => new AdminError(`user "${ref}" has no linked provider`, 'not_found');
  // Read first only to name the provider in the audit row; the unit of work decides.
  const identity = await deps.store.identities.findByUser(user.id);
  if (!identity) throw noLink();
  const now = deps.clock.now();
  const token = randomToken();
  const expiresAt = now + SET_PASSWORD_TTL_SECONDS;
  const unlinked = await deps.store.identities.unlink(
    user.id,
    { hash: sha256(token), userId: user.id, purpose: 'set', createdAt: now, expiresAt, usedAt: null },
    now,
    {
      at: now,
      type: 'user_unlinked',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: { provider: identity.providerSlug },
    },
  );
  if (!unlinked) throw noLink();
  // The token is base64url: nothing in it needs escaping.
  return { user, url: `${deps.config.issuer}${SET_PASSWORD_PATH}?token=${token}`, expiresAt };
}

// ---- issue 12: the use cases the admin API, the CLI and the config file share (signatures fixed; H1 implements) ----

/** A change to a user; a member left out is left as it is (null clears an optional one). */
export interface UserPatch {
  email?: string;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  username?: string | null;
  roles?: string[];
  groups?: string[];
  /** true: disabled (ends the sessions and revokes the grants, in one unit of work); false: enabled again. */
  disabled?: boolean;
}

export interface UserFilter extends PageRequest {
  /** A part of the email, name or username (case-insensitive). */
  query?: string;
  role?: string;
  disabled?: boolean;
}

/** Updates a user; `changed` names the fields (as `UserPatch` does) that really changed (none: nothing written). */
export async function updateUser(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _ref: string,
  _patch: UserPatch,
  _ctx: AdminContext = CLI,
): Promise<{ user: User; changed: (keyof UserPatch)[] }> {
  throw new Error('not implemented yet');
}

/** Users by email, oldest first, paged. */
export async function listUsers(_deps: Pick<Deps, 'store'>, _filter: UserFilter = {}): Promise<Page<User>> {
  throw new Error('not implemented yet');
}

/** The user's live sessions, newest first; a session's public `id` is its `idHash`. */
export async function listUserSessions(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _ref: string,
): Promise<Session[]> {
  throw new Error('not implemented yet');
}

/** Ends one session of the user (as RP-initiated logout does: its grants but `offline_access` ones revoked). */
export async function endUserSession(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _ref: string,
  _sessionId: string,
  _ctx: AdminContext = CLI,
): Promise<void> {
  throw new Error('not implemented yet');
}

/** Ends every session of the user and revokes all the user's grants ("Sign out everywhere", by an admin). */
export async function endAllUserSessions(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _ref: string,
  _ctx: AdminContext = CLI,
): Promise<{ sessions: number; grants: number }> {
  throw new Error('not implemented yet');
}
