import { and, asc, eq, inArray, isNotNull, isNull, lte, notInArray, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import { sessionSid } from '../../crypto/hash.js';
import type { LogoutDelivery, LogoutDeliveryStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, leaseDue } from './shared.js';

/** Sessions looked up, and rows inserted, per statement: far under PostgreSQL's 65535 parameters. */
const CHUNK = 500;

/** The back-channel logout outbox (issue 18), the twin of `../sqlite/logout-deliveries.ts`. */
export function logoutDeliveryStore(cx: PostgresContext) {
  const { db } = cx;
  const t = s.logoutDeliveries;
  return {
    enqueueForSessions: async (sessionHashes, now, claims) => {
      // The participants are read first and `claims` (the caller's code) runs once for each, outside the
      // transaction: `cx.tx` may run its unit again. At read committed every statement sees its own snapshot
      // anyway, so reading before the transaction is what reading inside it would be.
      const rows: (typeof t.$inferInsert)[] = [];
      for (let i = 0; i < sessionHashes.length; i += CHUNK) {
        const chunk = sessionHashes.slice(i, i + CHUNK);
        const participants = await db
          .selectDistinct({
            clientId: s.grants.clientId,
            uri: s.clients.backchannelLogoutUri,
            sessionHash: s.grants.sessionHash,
            sid: s.sessions.sid,
            userId: s.grants.userId,
            // The order of the sessions given, so the notices (and `claims` calls) come in a stable order.
            position: sql<number>`array_position(${sql.param(chunk)}::text[], ${s.grants.sessionHash})`.as(
              'position',
            ),
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
          .orderBy(sql`"position"`, asc(s.grants.clientId));
        for (const p of participants) {
          if (!p.uri || !p.sessionHash || !p.userId) continue;
          const participant = {
            clientId: p.clientId,
            uri: p.uri,
            sessionHash: p.sessionHash,
            sid: p.sid ?? sessionSid(p.sessionHash),
            userId: p.userId,
          };
          rows.push({
            clientId: p.clientId,
            uri: p.uri,
            claims: claims(participant),
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
          });
        }
      }
      if (rows.length)
        await cx.tx(async (tx) => {
          for (let i = 0; i < rows.length; i += CHUNK) await tx.insert(t).values(rows.slice(i, i + CHUNK));
        });
      return rows.length;
    },
    claimDue: (now, limit, leaseUntil, skipClients = []) =>
      cx.tx(
        (tx): Promise<LogoutDelivery[]> =>
          leaseDue(
            tx,
            t,
            and(
              isNull(t.deliveredAt),
              isNull(t.failedAt),
              lte(t.nextAttemptAt, now),
              skipClients.length ? notInArray(t.clientId, [...skipClients]) : undefined,
            ),
            limit,
            leaseUntil,
          ),
      ),
    delivered: async (id, now) => {
      await db.update(t).set({ deliveredAt: now, lastError: null }).where(eq(t.id, id));
    },
    retry: async (id, nextAttemptAt, error) => {
      await db.update(t).set({ nextAttemptAt, lastError: error }).where(eq(t.id, id));
    },
    failed: async (id, now, error) => {
      await db.update(t).set({ failedAt: now, lastError: error }).where(eq(t.id, id));
    },
    prune: async (before, limit) =>
      changed(
        await db.execute(
          sql`delete from ${t} where ${t.id} in (select ${t.id} from ${t}
                where coalesce(${t.deliveredAt}, ${t.failedAt}) < ${before} limit ${limit})`,
        ),
      ),
    find: async (id) => (await db.select().from(t).where(eq(t.id, id)).limit(1))[0],
    list: async () => db.select().from(t).orderBy(asc(t.id)),
  } satisfies LogoutDeliveryStore;
}
