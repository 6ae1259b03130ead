import { and, desc, eq, getTableColumns, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { Authorization, Grant, GrantStore } from '../types.js';
import {
  lazily,
  removeConsent,
  revokeGrantNow,
  revokeSessionGrants,
  type SqliteContext,
  selectBy,
  writeEvent,
} from './shared.js';

export function grantStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    grant: () => selectBy(db, s.grants, s.grants.id, 'id'),
  });
  const find = (id: string) => q.grant.get({ id }) as Grant | undefined;
  const revokeForUserClient = (userId: string, clientId: string, now: number): number =>
    db
      .update(s.grants)
      .set({ revokedAt: now })
      .where(and(eq(s.grants.userId, userId), eq(s.grants.clientId, clientId), isNull(s.grants.revokedAt)))
      .run().changes;
  /** Ends the user's session `idHash` if it is still on; whether it was. */
  const endSession = (idHash: string, userId: string, now: number): boolean =>
    db
      .update(s.sessions)
      .set({ endedAt: now })
      .where(and(eq(s.sessions.idHash, idHash), eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)))
      .run().changes > 0;
  return {
    find: async (id) => find(id),
    revoke: async (id, now, event) => {
      if (!event) return revokeGrantNow(cx, id, now);
      return raw.transaction(() => {
        const revoked = revokeGrantNow(cx, id, now);
        writeEvent(cx, event);
        return revoked;
      })();
    },
    revokeOnce: async (id, now, event) =>
      raw.transaction(() => {
        if (!revokeGrantNow(cx, id, now)) return false;
        writeEvent(cx, event);
        return true;
      })(),
    revokeApp: async (userId, clientId, now, event) =>
      raw.transaction(() => {
        const revoked = revokeForUserClient(userId, clientId, now);
        removeConsent(cx, userId, clientId);
        writeEvent(cx, { ...event, detail: { ...event.detail, revoked_grants: revoked } });
        return revoked;
      })(),
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(s.grants)
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt), gt(s.grants.expiresAt, now)))
        // The id breaks ties (two grants of one second), in byte order on both dialects.
        .orderBy(desc(s.grants.createdAt), desc(s.grants.id))
        .all() as Grant[],
    listAuthorizations: async (userId, now, { clientId, limit }) => {
      // Each refresh writes the family's next refresh token: the newest one is when the family was last used.
      const rows = db
        .select({
          ...getTableColumns(s.grants),
          lastRefreshAt: sql<number | null>`max(${s.refreshTokens.createdAt})`,
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
        .limit(limit)
        .all();
      return rows.map(
        ({ lastRefreshAt, ...grant }): Authorization => ({
          ...(grant as Grant),
          lastUsedAt: Math.max(grant.createdAt, lastRefreshAt ?? grant.createdAt),
        }),
      );
    },
    revokeAuthorization: async (id, userId, now, event) =>
      raw.transaction(() => {
        const grant = find(id);
        if (!grant || grant.userId !== userId || grant.revokedAt !== null || grant.expiresAt <= now)
          return false;
        revokeGrantNow(cx, id, now);
        removeConsent(cx, userId, grant.clientId);
        writeEvent(cx, event);
        return true;
      })(),
    endSessionOf: async (id, now, event) =>
      raw.transaction(() => {
        const grant = find(id);
        if (!grant) return undefined;
        let sessionEnded = false;
        let revokedGrants = 0;
        if (grant.sessionHash !== null && grant.userId !== null) {
          sessionEnded = endSession(grant.sessionHash, grant.userId, now);
          // SPEC §3: as RP-initiated logout, every grant of the session goes but the offline_access ones.
          revokedGrants += revokeSessionGrants(cx, grant.sessionHash, now);
        }
        // The caller's own grant goes too, offline_access or not.
        if (revokeGrantNow(cx, id, now)) revokedGrants += 1;
        writeEvent(cx, {
          ...event,
          detail: { ...event.detail, session_ended: sessionEnded, revoked_grants: revokedGrants },
        });
        return { sessionEnded, revokedGrants };
      })(),
  } satisfies GrantStore;
}
