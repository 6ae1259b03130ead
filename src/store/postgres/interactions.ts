import { eq } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { InteractionStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { selectBy } from './shared.js';

/** The twin of `../sqlite/interactions.ts`: single statements on the pool, each its own transaction. */
export function interactionStore({ db }: PostgresContext) {
  // Each step of a sign-in reads its interaction: prepared once (see `selectBy`).
  const byId = selectBy(db, s.interactions, s.interactions.id, 'latchkey_interactions_find');
  return {
    save: async (interaction) => {
      await db.insert(s.interactions).values({ ...interaction });
    },
    find: async (id) => (await byId.execute({ key: id }))[0],
    update: async (id, data) => {
      await db.update(s.interactions).set({ data }).where(eq(s.interactions.id, id));
    },
    remove: async (id) => {
      await db.delete(s.interactions).where(eq(s.interactions.id, id));
    },
  } satisfies InteractionStore;
}
