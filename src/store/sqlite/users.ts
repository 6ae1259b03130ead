import { asc, eq } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { User, UserStore } from '../types.js';
import {
  endUserSessions,
  lazily,
  revokeUserGrants,
  type SqliteContext,
  selectBy,
  userRow,
  writeEvent,
} from './shared.js';

export function userStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    byId: () => selectBy(db, s.users, s.users.id, 'id'),
    byEmail: () => selectBy(db, s.users, s.users.email, 'email'),
  });
  return {
    create: async (user) => {
      const row = userRow(user);
      db.insert(s.users).values(row).run();
      return row;
    },
    find: async (id) => q.byId.get({ id }) as User | undefined,
    findByEmail: async (email) => q.byEmail.get({ email: email.toLowerCase() }) as User | undefined,
    list: async () => db.select().from(s.users).orderBy(asc(s.users.createdAt), asc(s.users.email)).all(),
    // The schema's foreign keys cascade: sessions, grants (with their refresh tokens) and consents go with
    // the row. Codes and access tokens name a grant that is gone, so nothing redeems or accepts them.
    remove: async (id, event) =>
      raw.transaction(() => {
        if (db.delete(s.users).where(eq(s.users.id, id)).run().changes === 0) return false;
        writeEvent(cx, event);
        return true;
      })(),
    changePassword: async (id, passwordHash, now, event) =>
      raw.transaction(() => {
        const changed = db
          .update(s.users)
          .set({ passwordHash, updatedAt: now })
          .where(eq(s.users.id, id))
          .run().changes;
        if (changed === 0) return undefined;
        const sessions = endUserSessions(cx, id, now);
        const grants = revokeUserGrants(cx, id, now);
        writeEvent(cx, { ...event, detail: { ...event.detail, sessions, grants } });
        return { sessions, grants };
      })(),
    count: async () => (raw.prepare('select count(*) as n from users').get() as { n: number }).n,
  } satisfies UserStore;
}
