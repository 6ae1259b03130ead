import { and, asc, eq, isNotNull, isNull, ne, type SQL, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { NewAuditEvent, User, UserChange, UserStore, UserUpdateResult } from '../types.js';
import { voidAccountLinks } from './federation.js';
import {
  afterKey,
  containing,
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
    byUsername: () => selectBy(db, s.users, s.users.username, 'username'),
  });
  const takenBy = (column: typeof s.users.email | typeof s.users.username, value: string, id: string) =>
    db
      .select({ id: s.users.id })
      .from(s.users)
      .where(and(eq(column, value), ne(s.users.id, id)))
      .get() !== undefined;
  // IMMEDIATE: the uniqueness checks and the write see one state, also against another process.
  const update = raw.transaction(
    (id: string, change: UserChange, now: number, event: NewAuditEvent): UserUpdateResult => {
      const before = q.byId.get({ id }) as User | undefined;
      if (!before) return { status: 'not_found' };
      if (change.email !== undefined && takenBy(s.users.email, change.email, id))
        return { status: 'taken', field: 'email' };
      if (change.username != null && takenBy(s.users.username, change.username, id))
        return { status: 'taken', field: 'username' };
      const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
      db.update(s.users)
        .set({ ...set, updatedAt: now })
        .where(eq(s.users.id, id))
        .run();
      // A new address (or a disabled account): the links mailed to the old one no longer act (issue 15).
      if ((change.email !== undefined && change.email !== before.email) || change.disabledAt != null)
        voidAccountLinks(cx, id, now);
      let sessions = 0;
      let grants = 0;
      // A disabled user keeps nothing that signs in or refreshes (issue 12).
      if (change.disabledAt != null) {
        sessions = endUserSessions(cx, id, now);
        grants = revokeUserGrants(cx, id, now);
        writeEvent(cx, { ...event, detail: { ...event.detail, sessions, grants } });
      } else writeEvent(cx, event);
      return { status: 'updated', user: q.byId.get({ id }) as User, sessions, grants };
    },
  );
  return {
    create: async (user, event) => {
      const row = userRow(user);
      if (!event) db.insert(s.users).values(row).run();
      else
        raw.transaction(() => {
          db.insert(s.users).values(row).run();
          writeEvent(cx, event);
        })();
      return row;
    },
    find: async (id) => q.byId.get({ id }) as User | undefined,
    findByEmail: async (email) => q.byEmail.get({ email: email.toLowerCase() }) as User | undefined,
    findByUsername: async (username) => q.byUsername.get({ username }) as User | undefined,
    list: async () => db.select().from(s.users).orderBy(asc(s.users.createdAt), asc(s.users.email)).all(),
    page: async ({ after, limit, query, role, disabled }) => {
      const where: (SQL | undefined)[] = [];
      if (after) where.push(afterKey(s.users.createdAt, s.users.id, after));
      if (query)
        where.push(
          sql`(${containing(s.users.email, query)} or ${containing(s.users.name, query)} or ${containing(s.users.username, query)})`,
        );
      if (role !== undefined)
        where.push(sql`exists (select 1 from json_each(${s.users.roles}) where value = ${role})`);
      if (disabled !== undefined)
        where.push(disabled ? isNotNull(s.users.disabledAt) : isNull(s.users.disabledAt));
      return db
        .select()
        .from(s.users)
        .where(and(...where))
        .orderBy(asc(s.users.createdAt), asc(s.users.id))
        .limit(limit)
        .all();
    },
    update: async (id, change, now, event) => update.immediate(id, change, now, event),
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
        // A link mailed before the change (password or email) is void after it (issue 15).
        voidAccountLinks(cx, id, now);
        const sessions = endUserSessions(cx, id, now);
        const grants = revokeUserGrants(cx, id, now);
        writeEvent(cx, { ...event, detail: { ...event.detail, sessions, grants } });
        return { sessions, grants };
      })(),
    count: async () => (raw.prepare('select count(*) as n from users').get() as { n: number }).n,
    anyEnabledWithRole: async (roles) =>
      roles.length > 0 &&
      db
        .select({ id: s.users.id })
        .from(s.users)
        .where(
          and(
            isNull(s.users.disabledAt),
            sql`exists (select 1 from json_each(${s.users.roles}) where value in (${sql.join(
              roles.map((r) => sql`${r}`),
              sql`, `,
            )}))`,
          ),
        )
        .limit(1)
        .get() !== undefined,
  } satisfies UserStore;
}
