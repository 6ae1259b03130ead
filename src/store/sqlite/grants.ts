import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { Grant, GrantStore } from '../types.js';
import { lazily, p, revokeGrantNow, type SqliteContext } from './shared.js';

export function grantStore(cx: SqliteContext) {
  const { db } = cx;
  const q = lazily({
    grant: () =>
      db
        .select()
        .from(s.grants)
        .where(eq(s.grants.id, p('id')))
        .prepare(),
  });
  return {
    find: async (id) => q.grant.get({ id }) as Grant | undefined,
    revoke: async (id, now) => revokeGrantNow(cx, id, now),
    revokeForUserClient: async (userId, clientId, now) =>
      db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(and(eq(s.grants.userId, userId), eq(s.grants.clientId, clientId), isNull(s.grants.revokedAt)))
        .run().changes,
    revokeForSession: async (sessionHash, now) =>
      db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(
          and(
            eq(s.grants.sessionHash, sessionHash),
            isNull(s.grants.revokedAt),
            sql`(' ' || ${s.grants.scope} || ' ') not like '% offline_access %'`,
          ),
        )
        .run().changes,
    revokeAllForUser: async (userId, now) =>
      db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt)))
        .run().changes,
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(s.grants)
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt), gt(s.grants.expiresAt, now)))
        .orderBy(desc(s.grants.createdAt))
        .all() as Grant[],
  } satisfies GrantStore;
}
