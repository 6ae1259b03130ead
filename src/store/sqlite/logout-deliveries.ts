import { and, asc, eq, inArray, isNotNull, isNull, lte, notInArray } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import { sessionSid } from '../../crypto/hash.js';
import type { LogoutDelivery, LogoutDeliveryStore } from '../types.js';
import type { SqliteContext } from './shared.js';

/** SQLite's default limit of host parameters is 32766; sessions ended at once are far fewer. */
const CHUNK = 500;

export function logoutDeliveryStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const claimDue = (
    now: number,
    limit: number,
    leaseUntil: number,
    skipClients: readonly string[] = [],
  ): LogoutDelivery[] =>
    raw.transaction(() => {
      const rows = db
        .select()
        .from(s.logoutDeliveries)
        .where(
          and(
            isNull(s.logoutDeliveries.deliveredAt),
            isNull(s.logoutDeliveries.failedAt),
            lte(s.logoutDeliveries.nextAttemptAt, now),
            skipClients.length ? notInArray(s.logoutDeliveries.clientId, [...skipClients]) : undefined,
          ),
        )
        .orderBy(
          asc(s.logoutDeliveries.attempts),
          asc(s.logoutDeliveries.nextAttemptAt),
          asc(s.logoutDeliveries.id),
        )
        .limit(limit)
        .all();
      for (const row of rows)
        db.update(s.logoutDeliveries)
          .set({ nextAttemptAt: leaseUntil, attempts: row.attempts + 1 })
          .where(eq(s.logoutDeliveries.id, row.id))
          .run();
      return rows.map((r) => ({ ...r, attempts: r.attempts + 1, nextAttemptAt: leaseUntil }));
    })();
  return {
    enqueueForSessions: async (sessionHashes, now, claims) => {
      let queued = 0;
      raw.transaction(() => {
        for (let i = 0; i < sessionHashes.length; i += CHUNK) {
          const chunk = sessionHashes.slice(i, i + CHUNK);
          // The order of the sessions given, then the client, so the notices (and `claims` calls) come in a
          // stable order, PostgreSQL's (`array_position`): SQLite walks an IN list in its own (sorted) order.
          const position = new Map(chunk.map((hash, at) => [hash, at] as const));
          const participants = db
            .selectDistinct({
              clientId: s.grants.clientId,
              uri: s.clients.backchannelLogoutUri,
              sessionHash: s.grants.sessionHash,
              sid: s.sessions.sid,
              userId: s.grants.userId,
            })
            .from(s.grants)
            .innerJoin(s.clients, eq(s.clients.id, s.grants.clientId))
            .leftJoin(s.sessions, eq(s.sessions.idHash, s.grants.sessionHash))
            .where(
              and(
                inArray(s.grants.sessionHash, chunk),
                isNotNull(s.clients.backchannelLogoutUri),
                isNotNull(s.grants.userId),
              ),
            )
            .all()
            .sort(
              (x, y) =>
                (position.get(x.sessionHash ?? '') ?? 0) - (position.get(y.sessionHash ?? '') ?? 0) ||
                (x.clientId < y.clientId ? -1 : x.clientId > y.clientId ? 1 : 0),
            );
          for (const p of participants) {
            if (!p.uri || !p.sessionHash || !p.userId) continue;
            const participant = {
              clientId: p.clientId,
              uri: p.uri,
              sessionHash: p.sessionHash,
              sid: p.sid ?? sessionSid(p.sessionHash),
              userId: p.userId,
            };
            db.insert(s.logoutDeliveries)
              .values({
                clientId: p.clientId,
                uri: p.uri,
                claims: claims(participant),
                attempts: 0,
                nextAttemptAt: now,
                createdAt: now,
              })
              .run();
            queued++;
          }
        }
      })();
      return queued;
    },
    claimDue: async (now, limit, leaseUntil, skipClients) => claimDue(now, limit, leaseUntil, skipClients),
    delivered: async (id, now) => {
      db.update(s.logoutDeliveries)
        .set({ deliveredAt: now, lastError: null })
        .where(eq(s.logoutDeliveries.id, id))
        .run();
    },
    retry: async (id, nextAttemptAt, error) => {
      db.update(s.logoutDeliveries)
        .set({ nextAttemptAt, lastError: error })
        .where(eq(s.logoutDeliveries.id, id))
        .run();
    },
    failed: async (id, now, error) => {
      db.update(s.logoutDeliveries)
        .set({ failedAt: now, lastError: error })
        .where(eq(s.logoutDeliveries.id, id))
        .run();
    },
    prune: async (before, limit) =>
      raw
        .prepare(
          `delete from logout_deliveries where id in (select id from logout_deliveries
             where coalesce(delivered_at, failed_at) < ? limit ?)`,
        )
        .run(before, limit).changes,
    find: async (id) => db.select().from(s.logoutDeliveries).where(eq(s.logoutDeliveries.id, id)).get(),
    list: async () => db.select().from(s.logoutDeliveries).orderBy(asc(s.logoutDeliveries.id)).all(),
  } satisfies LogoutDeliveryStore;
}
