import type { Deps } from '../../deps.js';
import type { User } from '../../store/types.js';
import {
  type AdminContext,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageRequest,
  pageLimit,
  pageOf,
  requireReach,
  userReach,
} from '../context.js';
import { AdminError } from '../validate.js';

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
export async function findUserFor(deps: Pick<Deps, 'store'>, ref: string, ctx: AdminContext): Promise<User> {
  const user = await findUser(deps, ref);
  requireReach(ctx, userReach(user), `acting on user "${ref}"`);
  return user;
}

export interface UserFilter extends PageRequest {
  /** A part of the email, name or username (case-insensitive). */
  query?: string;
  role?: string;
  disabled?: boolean;
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
