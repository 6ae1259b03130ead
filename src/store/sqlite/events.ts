import { desc } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { EventStore } from '../types.js';
import type { SqliteContext } from './shared.js';

export function eventStore({ db, q }: SqliteContext) {
  return {
    add: async (event) => {
      q.insertEvent.run({ ...event });
    },
    list: async (limit) => db.select().from(s.events).orderBy(desc(s.events.id)).limit(limit).all(),
  } satisfies EventStore;
}
