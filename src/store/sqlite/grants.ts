import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { Grant, GrantStore } from '../types.js';
import { lazily, removeConsent, revokeGrantNow, type SqliteContext, selectBy, writeEvent } from './shared.js';

export function grantStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    grant: () => selectBy(db, s.grants, s.grants.id, 'id'),
  });
  const revokeForUserClient = (userId: string, clientId: string, now: number): number =>
    db
      .update(s.grants)
      .set({ revokedAt: now })
      .where(and(eq(s.grants.userId, userId), eq(s.grants.clientId, clientId), isNull(s.grants.revokedAt)))
      .run().changes;
  return {
    find: async (id) => q.grant.get({ id }) as Grant | undefined,
    revoke: async (id, now, event) => {
      if (!event) return revokeGrantNow(cx, id, now);
      return raw.transaction(() => {
        const revoked = revokeGrantNow(cx, id, now);
        writeEvent(cx, event);
        return revoked;
      })();
    },
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
        .orderBy(desc(s.grants.createdAt))
        .all() as Grant[],
  } satisfies GrantStore;
}
