import { and, desc, eq, getTableColumns, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { Authorization, GrantStore } from '../types.js';
import type { PostgresContext } from './open.js';
import {
  changed,
  type Exec,
  removeConsent,
  revokeGrantNow,
  revokeSessionGrants,
  selectBy,
  writeEvent,
} from './shared.js';

/** Revokes the user's live grants for one client (a conditional update: each grant once); how many. */
async function revokeForUserClient(ex: Exec, userId: string, clientId: string, now: number): Promise<number> {
  const result = await ex
    .update(s.grants)
    .set({ revokedAt: now })
    .where(and(eq(s.grants.userId, userId), eq(s.grants.clientId, clientId), isNull(s.grants.revokedAt)));
  return changed(result);
}

/** Ends the user's session `idHash` if it is still on; whether it was. */
async function endSession(ex: Exec, idHash: string, userId: string, now: number): Promise<boolean> {
  const result = await ex
    .update(s.sessions)
    .set({ endedAt: now })
    .where(and(eq(s.sessions.idHash, idHash), eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)));
  return changed(result) > 0;
}

export function grantStore(cx: PostgresContext) {
  const { db } = cx;
  // Read by every refresh and every JWT access token's introspection or userinfo: prepared once (see `selectBy`).
  const byId = selectBy(db, s.grants, s.grants.id, 'latchkey_grants_find');
  return {
    find: async (id) => (await byId.execute({ key: id }))[0],
    revoke: async (id, now, event) => {
      if (!event) return revokeGrantNow(db, id, now);
      return cx.tx(async (tx) => {
        const revoked = await revokeGrantNow(tx, id, now);
        await writeEvent(tx, event);
        return revoked;
      });
    },
    // `revokeGrantNow` is a conditional update (`revoked_at is null`): of two concurrent revocations exactly
    // one changes the row, so only it writes the audit row.
    revokeOnce: async (id, now, event) =>
      cx.tx(async (tx) => {
        if (!(await revokeGrantNow(tx, id, now))) return false;
        await writeEvent(tx, event);
        return true;
      }),
    revokeApp: async (userId, clientId, now, event) =>
      cx.tx(async (tx) => {
        const revoked = await revokeForUserClient(tx, userId, clientId, now);
        await removeConsent(tx, userId, clientId);
        await writeEvent(tx, { ...event, detail: { ...event.detail, revoked_grants: revoked } });
        return revoked;
      }),
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(s.grants)
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt), gt(s.grants.expiresAt, now)))
        // The id breaks ties (two grants of one second), in byte order as SQLite compares it.
        .orderBy(desc(s.grants.createdAt), desc(sql`${s.grants.id} collate "C"`)),
    listAuthorizations: async (userId, now, { clientId, limit }) => {
      // Each refresh writes the family's next refresh token: the newest one is when the family was last used.
      const rows = await db
        .select({
          ...getTableColumns(s.grants),
          // bigint: node-postgres hands it over as text; a number like the column's own.
          lastRefreshAt: sql<number | null>`max(${s.refreshTokens.createdAt})`.mapWith(Number),
        })
        .from(s.grants)
        .leftJoin(s.refreshTokens, eq(s.refreshTokens.grantId, s.grants.id))
        .where(
          and(
            eq(s.grants.userId, userId),
            isNull(s.grants.revokedAt),
            gt(s.grants.expiresAt, now),
            clientId === undefined ? undefined : eq(s.grants.clientId, clientId),
          ),
        )
        .groupBy(s.grants.id)
        .orderBy(desc(s.grants.createdAt), desc(s.grants.id))
        .limit(limit);
      return rows.map(
        ({ lastRefreshAt, ...grant }): Authorization => ({
          ...grant,
          lastUsedAt: Math.max(grant.createdAt, lastRefreshAt ?? grant.createdAt),
        }),
      );
    },
    revokeAuthorization: async (id, userId, now, event) =>
      cx.tx(async (tx) => {
        // One conditional update checks and revokes at once (the user's, live, not expired): no read before
        // the write, so two concurrent calls cannot both pass the check; the loser matches nothing.
        const [revoked] = await tx
          .update(s.grants)
          .set({ revokedAt: now })
          .where(
            and(
              eq(s.grants.id, id),
              eq(s.grants.userId, userId),
              isNull(s.grants.revokedAt),
              gt(s.grants.expiresAt, now),
            ),
          )
          .returning({ clientId: s.grants.clientId });
        if (!revoked) return false;
        await removeConsent(tx, userId, revoked.clientId);
        await writeEvent(tx, event);
        return true;
      }),
    endSessionOf: async (id, now, event) =>
      cx.tx(async (tx) => {
        // `select … for update`: the grant's session cannot move (a sign-in carrying the session on) between
        // reading it and ending that session.
        const [grant] = await tx.select().from(s.grants).where(eq(s.grants.id, id)).for('update');
        if (!grant) return undefined;
        let sessionEnded = false;
        let revokedGrants = 0;
        if (grant.sessionHash !== null && grant.userId !== null) {
          sessionEnded = await endSession(tx, grant.sessionHash, grant.userId, now);
          // SPEC §3: as RP-initiated logout, every grant of the session goes but the offline_access ones.
          revokedGrants += await revokeSessionGrants(tx, grant.sessionHash, now);
        }
        // The caller's own grant goes too, offline_access or not.
        if (await revokeGrantNow(tx, id, now)) revokedGrants += 1;
        await writeEvent(tx, {
          ...event,
          detail: { ...event.detail, session_ended: sessionEnded, revoked_grants: revokedGrants },
        });
        return { sessionEnded, revokedGrants };
      }),
  } satisfies GrantStore;
}
