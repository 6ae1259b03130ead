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
import { mailLink, sendTemplate } from '../mail/templates.js';
import { liveSessionHashes, queueBackchannelLogout } from '../oauth/backchannel.js';
import { uniqueViolation } from '../store/index.js';
import type { Session, User, UserChange } from '../store/types.js';
import {
  type AdminContext,
  adminEvent,
  CLI,
  decodeCursor,
  encodeCursor,
  managedByOf,
  type Page,
  type PageRequest,
  pageLimit,
  pageOf,
  requireReach,
  userReach,
} from './context.js';
import { permissionsOf } from './permissions.js';
import {
  AdminError,
  checkDisplayName,
  checkEmail,
  checkLabels,
  checkMailableEmail,
  checkUsername,
  sameSet,
} from './validate.js';

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

/** What the CLI and the admin API print of a user: never the password hash. */
export function describeUser(u: User): Record<string, unknown> {
  return {
    id: u.id,
    email: u.email,
    email_verified: u.emailVerified,
    username: u.username,
    name: u.name,
    given_name: u.givenName,
    family_name: u.familyName,
    roles: u.roles,
    groups: u.groups,
    disabled: u.disabledAt !== null,
    has_password: u.passwordHash !== null,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

/** A name part: null or empty clears it. */
function optionalName(value: unknown, field: 'name' | 'givenName' | 'familyName'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new AdminError('must be a string', 'invalid_input', field);
  return checkDisplayName(value, field) || null;
}

/** The password checked against the configured policy (`LATCHKEY_PASSWORD_*`), then hashed; the error names the rule. */
export async function hashValidPassword(
  deps: Pick<Deps, 'config'>,
  password: string,
  context: PasswordContext = {},
): Promise<string> {
  const policy = deps.config.passwordPolicy;
  const problem = await checkPassword(password, { serviceName: deps.config.brand.name, ...context }, policy);
  if (problem) throw new AdminError(passwordProblemText(problem, policy), 'weak_password', 'password');
  return hashPassword(password);
}

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

/** A user by id or email. */
export async function findUser(deps: Pick<Deps, 'store'>, ref: string): Promise<User> {
  const user = ref.includes('@')
    ? await deps.store.users.findByEmail(ref.trim().toLowerCase())
    : await deps.store.users.find(ref);
  if (!user) throw new AdminError(`no user "${ref}"`, 'not_found');
  return user;
}

/**
 * A user an admin acts on: refused (`forbidden`) when the user's own permissions reach further than the
 * caller's, so `users:write` cannot reset an admin's password, nor `users:unlink` take over an admin's account.
 */
async function findUserFor(deps: Pick<Deps, 'store'>, ref: string, ctx: AdminContext): Promise<User> {
  const user = await findUser(deps, ref);
  requireReach(ctx, userReach(user), `acting on user "${ref}"`);
  return user;
}

/**
 * Deletes a user with their sessions, tokens and consents; the audit log keeps a `user_removed` entry, and the
 * clients of the user's live sessions get a back-channel logout.
 */
export async function removeUser(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  ctx: AdminContext = CLI,
): Promise<User> {
  const user = await findUserFor(deps, ref, ctx);
  // Queued before the removal: the deletion takes the grants that name the clients of each session with it.
  await queueBackchannelLogout(deps, await liveSessionHashes(deps, user.id));
  const removed = await deps.store.users.remove(
    user.id,
    adminEvent(ctx, 'user_removed', deps.clock.now(), { userId: user.id }),
  );
  if (!removed) throw new AdminError(`no user "${ref}"`, 'not_found');
  return user;
}

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
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  patch: UserPatch,
  ctx: AdminContext = CLI,
): Promise<{ user: User; changed: (keyof UserPatch)[] }> {
  const user = await findUserFor(deps, ref, ctx);
  const now = deps.clock.now();
  const change: UserChange = {};
  const changed: (keyof UserPatch)[] = [];
  if (patch.email !== undefined) {
    const email = checkEmail(String(patch.email));
    if (email !== user.email) {
      // The admin vouches for the address, as when creating the user (mail verification is a later issue).
      Object.assign(change, { email, emailVerified: true });
      changed.push('email');
    }
  }
  for (const field of ['name', 'givenName', 'familyName'] as const) {
    if (patch[field] === undefined) continue;
    const value = optionalName(patch[field], field);
    if (value !== user[field]) {
      change[field] = value;
      changed.push(field);
    }
  }
  if (patch.username !== undefined) {
    const username = patch.username === null ? null : checkUsername(String(patch.username));
    if (username !== user.username) {
      change.username = username;
      changed.push('username');
    }
  }
  for (const field of ['roles', 'groups'] as const) {
    if (patch[field] === undefined) continue;
    const values = checkLabels(patch[field], field);
    if (field === 'roles') requireReach(ctx, permissionsOf(values), 'granting these roles');
    if (!sameSet(values, user[field])) {
      change[field] = values;
      changed.push(field);
    }
  }
  if (patch.disabled !== undefined) {
    if (typeof patch.disabled !== 'boolean')
      throw new AdminError('"disabled" must be true or false', 'invalid_input');
    if (patch.disabled !== (user.disabledAt !== null)) {
      change.disabledAt = patch.disabled ? now : null;
      changed.push('disabled');
    }
  }
  if (!changed.length) return { user, changed };
  // One row per change: disabling or enabling names itself (it ends sessions and grants); `changed` lists all.
  const type = !changed.includes('disabled')
    ? 'user_updated'
    : patch.disabled
      ? 'user_disabled'
      : 'user_enabled';
  // Disabling ends the sessions: their clients get a back-channel logout (queued after, see backchannel.ts).
  const ending = change.disabledAt ? await deps.store.sessions.listActiveForUser(user.id, now) : [];
  const result = await deps.store.users.update(
    user.id,
    change,
    now,
    adminEvent(ctx, type, now, { userId: user.id, detail: { changed } }),
  );
  if (result.status === 'updated')
    await queueBackchannelLogout(
      deps,
      ending.map((s) => s.idHash),
    );
  if (result.status === 'not_found') throw new AdminError(`no user "${ref}"`, 'not_found');
  if (result.status === 'taken') {
    const value = result.field === 'email' ? change.email : change.username;
    throw new AdminError(`"${value}" is taken by another user`, 'exists', result.field);
  }
  return { user: result.user, changed };
}

const USERS_CURSOR = 'users';

/** Users, oldest first (by creation time, then id), paged. */
export async function listUsers(deps: Pick<Deps, 'store'>, filter: UserFilter = {}): Promise<Page<User>> {
  const limit = pageLimit(filter.limit);
  const after =
    filter.cursor !== undefined ? decodeCursor(USERS_CURSOR, filter.cursor, ['n', 's'] as const) : undefined;
  const query = filter.query?.trim().slice(0, 200);
  const rows = await deps.store.users.page({
    limit: limit + 1,
    ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}),
    ...(query ? { query } : {}),
    ...(filter.role !== undefined ? { role: filter.role } : {}),
    ...(filter.disabled !== undefined ? { disabled: filter.disabled } : {}),
  });
  return pageOf(rows, limit, (u) => encodeCursor(USERS_CURSOR, [u.createdAt, u.id]));
}

/** The user's live sessions, newest first; a session's public `id` is its `idHash`. */
export async function listUserSessions(deps: Pick<Deps, 'store' | 'clock'>, ref: string): Promise<Session[]> {
  const user = await findUser(deps, ref);
  return deps.store.sessions.listActiveForUser(user.id, deps.clock.now());
}

/** What the API and the CLI print of a session: its public id is the hash of its cookie, never the cookie. */
export const describeSession = (s: Session) => ({
  id: s.idHash,
  created_at: s.createdAt,
  last_seen_at: s.lastSeenAt,
  expires_at: s.expiresAt,
  auth_time: s.authTime,
  amr: s.amr,
  ip: s.ip,
  user_agent: s.userAgent,
});

/** Ends one session of the user (as RP-initiated logout does: its grants but `offline_access` ones revoked). */
export async function endUserSession(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  sessionId: string,
  ctx: AdminContext = CLI,
): Promise<void> {
  const user = await findUserFor(deps, ref, ctx);
  const now = deps.clock.now();
  // Only a live session of this user can be named: another user's id answers as an unknown one.
  const live = await deps.store.sessions.listActiveForUser(user.id, now);
  if (!live.some((s) => s.idHash === sessionId))
    throw new AdminError(
      `user "${ref}" has no live session "${sessionId.slice(0, 80)}"`,
      'not_found',
      'session',
    );
  await deps.store.sessions.logout(
    sessionId,
    now,
    adminEvent(ctx, 'session_ended', now, { userId: user.id }),
  );
  await queueBackchannelLogout(deps, [sessionId]);
}

/** Ends every session of the user and revokes all the user's grants ("Sign out everywhere", by an admin). */
export async function endAllUserSessions(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  ctx: AdminContext = CLI,
): Promise<{ sessions: number; grants: number }> {
  const user = await findUserFor(deps, ref, ctx);
  const now = deps.clock.now();
  const live = await deps.store.sessions.listActiveForUser(user.id, now);
  const ended = await deps.store.sessions.signOutEverywhere(
    user.id,
    now,
    adminEvent(ctx, 'sessions_ended', now, { userId: user.id }),
  );
  await queueBackchannelLogout(
    deps,
    live.map((s) => s.idHash),
  );
  return ended;
}

/** An app the user has connected: what the account page's "Connected apps" lists, for an admin. */
export interface ConnectedApp {
  clientId: string;
  clientName: string;
  /** The scopes of the user's live grants to the app, in the order first granted. */
  scopes: string[];
  /** When the oldest of those grants was made (epoch seconds). */
  grantedAt: number;
}

/**
 * The user's connected apps: their live grants with refresh tokens, one entry per client (as the account
 * page's "Connected apps"), newest grant's client first. A client since removed is left out.
 */
export async function listUserApps(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
): Promise<ConnectedApp[]> {
  const user = await findUser(deps, ref);
  const grants = await deps.store.grants.listActiveForUser(user.id, deps.clock.now());
  const byClient = new Map<string, { scopes: Set<string>; grantedAt: number }>();
  for (const g of grants) {
    const entry = byClient.get(g.clientId) ?? { scopes: new Set<string>(), grantedAt: g.createdAt };
    for (const s of g.scope.split(' ').filter(Boolean)) entry.scopes.add(s);
    entry.grantedAt = Math.min(entry.grantedAt, g.createdAt);
    byClient.set(g.clientId, entry);
  }
  const apps: ConnectedApp[] = [];
  for (const [clientId, entry] of byClient) {
    const client = await deps.store.clients.find(clientId);
    if (!client) continue;
    apps.push({ clientId, clientName: client.name, scopes: [...entry.scopes], grantedAt: entry.grantedAt });
  }
  return apps;
}

/**
 * "Revoke" on a connected app, by an admin: as the user's own (account page), the user's grants for the client
 * (their refresh tokens with them) are revoked and the consent forgotten, with the `app_revoked` audit row
 * (actor: the admin), in one unit of work. An app the user has not connected is `not_found`.
 */
export async function revokeUserApp(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  clientId: string,
  ctx: AdminContext = CLI,
): Promise<{ revokedGrants: number }> {
  const user = await findUserFor(deps, ref, ctx);
  const connected = await listUserApps(deps, user.id);
  const consented = (await deps.store.consents.find(user.id, clientId)).length > 0;
  if (!consented && !connected.some((a) => a.clientId === clientId))
    throw new AdminError(
      `user "${ref}" has not connected the app "${clientId.slice(0, 80)}"`,
      'not_found',
      'clientId',
    );
  const now = deps.clock.now();
  const revokedGrants = await deps.store.grants.revokeApp(
    user.id,
    clientId,
    now,
    adminEvent(ctx, 'app_revoked', now, { userId: user.id, clientId }),
  );
  return { revokedGrants };
}
