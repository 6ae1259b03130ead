import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { SessionStore } from '../types.js';
import { allPlaceholders, lazily, p, type SqliteContext } from './shared.js';

export function sessionStore({ db }: SqliteContext) {
  const q = lazily({
    session: () =>
      db
        .select()
        .from(s.sessions)
        .where(eq(s.sessions.idHash, p('hash')))
        .prepare(),
    insertSession: () => db.insert(s.sessions).values(allPlaceholders(s.sessions)).prepare(),
    touchSession: () =>
      db
        .update(s.sessions)
        .set({ lastSeenAt: sql`${p('now')}` })
        .where(eq(s.sessions.idHash, p('hash')))
        .prepare(),
  });
  return {
    create: async (session) => {
      q.insertSession.run({ ...session });
    },
    find: async (idHash) => q.session.get({ hash: idHash }),
    touch: async (idHash, now) => {
      q.touchSession.run({ hash: idHash, now });
    },
    end: async (idHash, now) => {
      db.update(s.sessions)
        .set({ endedAt: now })
        .where(and(eq(s.sessions.idHash, idHash), isNull(s.sessions.endedAt)))
        .run();
    },
    endAllForUser: async (userId, now) =>
      db
        .update(s.sessions)
        .set({ endedAt: now })
        .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)))
        .run().changes,
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(s.sessions)
        .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt), gt(s.sessions.expiresAt, now)))
        .orderBy(desc(s.sessions.lastSeenAt))
        .all(),
  } satisfies SessionStore;
}
