import type { Deps } from '../../deps.js';
import { queueBackchannelLogout } from '../../oauth/backchannel.js';
import type { Session } from '../../store/types.js';
import { type AdminContext, adminEvent, CLI } from '../context.js';
import { AdminError } from '../validate.js';
import { findUser, findUserFor } from './find.js';

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
