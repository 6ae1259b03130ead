import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { EventStore, NewAuditEvent } from '../types.js';
import { lazily, type SqliteContext, writeEvent } from './shared.js';

export function eventStore(cx: SqliteContext) {
  const { raw } = cx;
  const q = lazily({
    // The newest row of the same kind within the window, found through `events_type_ip_at`; it counts one more.
    countAgain: () =>
      raw.prepare(
        `update events
            set detail = json_set(coalesce(detail, '{}'),
                                  '$.count', coalesce(json_extract(detail, '$.count'), 1) + 1, '$.lastAt', @at)
          where id = (select id from events
                       where type = @type and ip is @ip and at >= @since and at <= @at
                         and user_id is @userId and client_id is @clientId
                       order by at desc, id desc limit 1)`,
      ),
  });
  const recordFailure = raw.transaction((event: NewAuditEvent, windowSeconds: number) => {
    const { at, type, userId, clientId, ip } = event;
    if (windowSeconds > 0) {
      const since = at - windowSeconds;
      if (q.countAgain.run({ at, since, type, userId, clientId, ip }).changes > 0) return;
    }
    writeEvent(cx, { ...event, detail: { ...event.detail, count: 1 } });
  });
  return {
    add: async (event) => writeEvent(cx, event),
    // IMMEDIATE: another process counting the same failure waits instead of failing its read-then-write.
    recordFailure: async (event, windowSeconds) => recordFailure.immediate(event, windowSeconds),
    list: async (limit) => cx.db.select().from(s.events).orderBy(desc(s.events.id)).limit(limit).all(),
    // Newest first by id: `events_user_id`, `events_client_id` and `events_type_id` serve each filter in order.
    query: async ({ beforeId, limit, userId, clientId, type, since, until }) => {
      const where: (SQL | undefined)[] = [];
      if (beforeId !== undefined) where.push(lt(s.events.id, beforeId));
      if (userId !== undefined) where.push(eq(s.events.userId, userId));
      if (clientId !== undefined) where.push(eq(s.events.clientId, clientId));
      if (type !== undefined) where.push(eq(s.events.type, type));
      if (since !== undefined) where.push(gte(s.events.at, since));
      if (until !== undefined) where.push(lt(s.events.at, until));
      return cx.db
        .select()
        .from(s.events)
        .where(and(...where))
        .orderBy(desc(s.events.id))
        .limit(limit)
        .all();
    },
  } satisfies EventStore;
}
