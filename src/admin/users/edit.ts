import type { Deps } from '../../deps.js';
import { liveSessionHashes, queueBackchannelLogout } from '../../oauth/backchannel.js';
import type { User, UserChange } from '../../store/types.js';
import { type AdminContext, adminEvent, CLI, requireReach } from '../context.js';
import { permissionsOf } from '../permissions.js';
import { AdminError, checkEmail, checkLabels, checkUsername, sameSet } from '../validate.js';
import { findUserFor } from './find.js';
import { optionalName, type UserPatch } from './input.js';

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
