import { eq } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { InteractionStore } from '../types.js';
import type { PostgresContext } from './open.js';

/** The twin of `../sqlite/interactions.ts`: single statements on the pool, each its own transaction. */
export function interactionStore({ db }: PostgresContext) {
  return {
    save: async (interaction) => {
      await db.insert(s.interactions).values({ ...interaction });
    },
    find: async (id) => {
      const [row] = await db.select().from(s.interactions).where(eq(s.interactions.id, id)).limit(1);
      return row;
    },
    update: async (id, data) => {
      await db.update(s.interactions).set({ data }).where(eq(s.interactions.id, id));
    },
    remove: async (id) => {
      await db.delete(s.interactions).where(eq(s.interactions.id, id));
    },
  } satisfies InteractionStore;
}
