import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { EventStore, NewAuditEvent } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, writeEvent } from './shared.js';

/** The PostgreSQL audit log (issue 18), the twin of `../sqlite/events.ts`. */
export function eventStore(cx: PostgresContext) {
  const { db } = cx;
  return {
    add: async (event) => writeEvent(db, event),
    // A transaction-scoped advisory lock on the failure's kind, address, user and client: another node counting
    // the same failure waits for this one to commit, then (read committed: a new snapshot per statement) counts on
    // the row written here instead of adding a second one (SQLite's IMMEDIATE). A conditional update alone would
    // not do: two nodes finding no row would both insert.
    recordFailure: async (event: NewAuditEvent, windowSeconds: number) =>
      cx.tx(async (tx) => {
        const { at, type, userId, clientId, ip } = event;
        if (windowSeconds > 0) {
          const key = JSON.stringify(['events.recordFailure', type, ip, userId, clientId]);
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
          const since = at - windowSeconds;
          // The newest row of the same kind within the window, found through `events_type_ip_at`; it counts one more.
          const counted = await tx.execute(sql`update ${s.events}
              set detail = coalesce(detail, '{}'::jsonb) || jsonb_build_object(
                    'count', coalesce((detail->>'count')::bigint, 1) + 1, 'lastAt', ${at}::bigint)
            where id = (select id from ${s.events}
                         where type = ${type} and ip is not distinct from ${ip}
                           and at >= ${since} and at <= ${at}
                           and user_id is not distinct from ${userId}
                           and client_id is not distinct from ${clientId}
                         order by at desc, id desc limit 1)`);
          if (changed(counted) > 0) return;
        }
        await writeEvent(tx, { ...event, detail: { ...event.detail, count: 1 } });
      }),
    list: async (limit) => db.select().from(s.events).orderBy(desc(s.events.id)).limit(limit),
    // Newest first by id: `events_user_id`, `events_client_id` and `events_type_id` serve each filter in order.
    query: async ({ beforeId, limit, userId, clientId, type, since, until }) => {
      const where: (SQL | undefined)[] = [];
      if (beforeId !== undefined) where.push(lt(s.events.id, beforeId));
      if (userId !== undefined) where.push(eq(s.events.userId, userId));
      if (clientId !== undefined) where.push(eq(s.events.clientId, clientId));
      if (type !== undefined) where.push(eq(s.events.type, type));
      if (since !== undefined) where.push(gte(s.events.at, since));
      if (until !== undefined) where.push(lt(s.events.at, until));
      return db
        .select()
        .from(s.events)
        .where(and(...where))
        .orderBy(desc(s.events.id))
        .limit(limit);
    },
  } satisfies EventStore;
}
