import { eq } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { ConsoleSessionStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed } from './shared.js';

/** The twin of `../sqlite/console-sessions.ts` (issue 18): one statement a method, nothing to race. */
export function consoleSessionStore({ db }: PostgresContext) {
  const t = s.consoleSessions;
  return {
    create: async (session) => {
      await db.insert(t).values(session);
    },
    find: async (idHash) => (await db.select().from(t).where(eq(t.idHash, idHash)))[0],
    touch: async (idHash, now, expiresAt) => {
      await db.update(t).set({ lastSeenAt: now, expiresAt }).where(eq(t.idHash, idHash));
    },
    delete: async (idHash) => changed(await db.delete(t).where(eq(t.idHash, idHash))) > 0,
    deleteForUser: async (userId) => changed(await db.delete(t).where(eq(t.userId, userId))),
  } satisfies ConsoleSessionStore;
}
