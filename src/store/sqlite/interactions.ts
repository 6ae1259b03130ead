import { eq, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { InteractionStore } from '../types.js';
import { allPlaceholders, lazily, p, type SqliteContext, selectBy } from './shared.js';

export function interactionStore({ db }: SqliteContext) {
  const q = lazily({
    insert: () => db.insert(s.interactions).values(allPlaceholders(s.interactions)).prepare(),
    find: () => selectBy(db, s.interactions, s.interactions.id, 'id'),
    update: () =>
      db
        .update(s.interactions)
        .set({ data: sql`${p('data')}` })
        .where(eq(s.interactions.id, p('id')))
        .prepare(),
    remove: () =>
      db
        .delete(s.interactions)
        .where(eq(s.interactions.id, p('id')))
        .prepare(),
  });
  return {
    save: async (interaction) => {
      q.insert.run({ ...interaction });
    },
    find: async (id) => q.find.get({ id }),
    update: async (id, data) => {
      q.update.run({ id, data: JSON.stringify(data) });
    },
    remove: async (id) => {
      q.remove.run({ id });
    },
  } satisfies InteractionStore;
}
