import { desc } from 'drizzle-orm';
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
  } satisfies EventStore;
}
