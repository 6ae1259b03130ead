import { eq, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { ConsoleSession, ConsoleSessionStore } from '../types.js';
import { lazily, p, type SqliteContext, selectBy } from './shared.js';

export function consoleSessionStore({ db }: SqliteContext) {
  const q = lazily({
    byHash: () => selectBy(db, s.consoleSessions, s.consoleSessions.idHash, 'hash'),
    touch: () =>
      db
        .update(s.consoleSessions)
        .set({ lastSeenAt: sql`${p('now')}`, expiresAt: sql`${p('expires')}` })
        .where(eq(s.consoleSessions.idHash, p('hash')))
        .prepare(),
  });
  return {
    create: async (session) => {
      db.insert(s.consoleSessions).values(session).run();
    },
    find: async (idHash) => q.byHash.get({ hash: idHash }) as ConsoleSession | undefined,
    touch: async (idHash, now, expiresAt) => {
      q.touch.run({ hash: idHash, now, expires: expiresAt });
    },
    delete: async (idHash) =>
      db.delete(s.consoleSessions).where(eq(s.consoleSessions.idHash, idHash)).run().changes > 0,
    deleteForUser: async (userId) =>
      db.delete(s.consoleSessions).where(eq(s.consoleSessions.userId, userId)).run().changes,
  } satisfies ConsoleSessionStore;
}
