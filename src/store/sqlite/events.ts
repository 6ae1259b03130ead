import { desc } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { EventStore } from '../types.js';
import { type SqliteContext, writeEvent } from './shared.js';

export function eventStore(cx: SqliteContext) {
  return {
    add: async (event) => writeEvent(cx, event),
    list: async (limit) => cx.db.select().from(s.events).orderBy(desc(s.events.id)).limit(limit).all(),
  } satisfies EventStore;
}
