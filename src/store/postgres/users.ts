import { and, asc, eq, isNotNull, isNull, ne, type SQL, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { User, UserStore, UserUpdateResult } from '../types.js';
import { voidAccountLinks } from './federation.js';
import { type PostgresContext, sqlState } from './open.js';
import {
  afterKey,
  changed,
  containing,
  type Exec,
  endUserSessions,
  revokeUserGrants,
  selectBy,
  userRow,
  writeEvent,
} from './shared.js';

/** The field a unique violation on `users` is about (its constraint: `users_email_unique`, `users_username_unique`). */
function takenField(err: unknown): 'email' | 'username' | undefined {
  if (sqlState(err) !== '23505') return undefined;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const constraint = (e as { constraint?: unknown }).constraint;
    if (constraint === 'users_email_unique') return 'email';
    if (constraint === 'users_username_unique') return 'username';
  }
  return undefined;
}

/** A JSON array column holds at least one of `values` (`?|`). */
const holdsAny = (column: SQL | typeof s.users.roles, values: readonly string[]): SQL =>
  sql`${column} ?| array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

/** The PostgreSQL users (issue 18), the twin of `../sqlite/users.ts`. */
export function userStore(cx: PostgresContext) {
  const { db } = cx;
  const byId = async (ex: Exec, id: string): Promise<User | undefined> =>
    (await ex.select().from(s.users).where(eq(s.users.id, id)))[0];
  // Read on every introspection, userinfo and sign-in: prepared once (see `selectBy`).
  const q = {
    byId: selectBy(db, s.users, s.users.id, 'latchkey_users_find'),
    byEmail: selectBy(db, s.users, s.users.email, 'latchkey_users_find_by_email'),
  };
  const takenBy = async (
    ex: Exec,
    column: typeof s.users.email | typeof s.users.username,
    value: string,
    id: string,
  ) =>
    (
      await ex
        .select({ id: s.users.id })
        .from(s.users)
        .where(and(eq(column, value), ne(s.users.id, id)))
        .limit(1)
    ).length > 0;

  return {
    create: async (user, event) => {
      const row = userRow(user);
      if (!event) await db.insert(s.users).values(row);
      else
        await cx.tx(async (tx) => {
          await tx.insert(s.users).values(row);
          await writeEvent(tx, event);
        });
      return row;
    },
    find: async (id) => (await q.byId.execute({ key: id }))[0],
    findByEmail: async (email) => (await q.byEmail.execute({ key: email.toLowerCase() }))[0],
    findByUsername: async (username) =>
      (await db.select().from(s.users).where(eq(s.users.username, username)))[0],
    list: async () => db.select().from(s.users).orderBy(asc(s.users.createdAt), asc(s.users.email)),
    page: async ({ after, limit, query, role, disabled }) => {
      const where: (SQL | undefined)[] = [];
      if (after) where.push(afterKey(s.users.createdAt, s.users.id, after));
      if (query)
        where.push(
          sql`(${containing(s.users.email, query)} or ${containing(s.users.name, query)} or ${containing(s.users.username, query)})`,
        );
      if (role !== undefined) where.push(holdsAny(s.users.roles, [role]));
      if (disabled !== undefined)
        where.push(disabled ? isNotNull(s.users.disabledAt) : isNull(s.users.disabledAt));
      return db
        .select()
        .from(s.users)
        .where(and(...where))
        .orderBy(asc(s.users.createdAt), asc(s.users.id))
        .limit(limit);
    },
    // The user's row is locked (`select … for update`): updates of one user run one after the other. The checks
    // answer `taken` for what is committed; another node taking the email or username between the check and the
    // write makes the update a unique violation, caught in a savepoint and answered `taken` as well, so update()
    // never throws for it (SQLite's IMMEDIATE transaction gets the same answers by running alone).
    update: async (id, change, now, event) =>
      cx.tx(async (tx): Promise<UserUpdateResult> => {
        const [before] = await tx.select().from(s.users).where(eq(s.users.id, id)).for('update');
        if (!before) return { status: 'not_found' };
        if (change.email !== undefined && (await takenBy(tx, s.users.email, change.email, id)))
          return { status: 'taken', field: 'email' };
        if (change.username != null && (await takenBy(tx, s.users.username, change.username, id)))
          return { status: 'taken', field: 'username' };
        const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
        try {
          await tx.transaction(async (sp) => {
            await sp
              .update(s.users)
              .set({ ...set, updatedAt: now })
              .where(eq(s.users.id, id));
          });
        } catch (err) {
          const field = takenField(err);
          if (field) return { status: 'taken', field };
          throw err;
        }
        // A new address (or a disabled account): the links mailed to the old one no longer act (issue 15).
        if ((change.email !== undefined && change.email !== before.email) || change.disabledAt != null)
          await voidAccountLinks(tx, id, now);
        let sessions = 0;
        let grants = 0;
        // A disabled user keeps nothing that signs in or refreshes (issue 12).
        if (change.disabledAt != null) {
          sessions = await endUserSessions(tx, id, now);
          grants = await revokeUserGrants(tx, id, now);
          await writeEvent(tx, { ...event, detail: { ...event.detail, sessions, grants } });
        } else await writeEvent(tx, event);
        return { status: 'updated', user: (await byId(tx, id))!, sessions, grants };
      }),
    // The schema's foreign keys cascade: sessions, grants (with their refresh tokens) and consents go with
    // the row. Codes and access tokens name a grant that is gone, so nothing redeems or accepts them.
    remove: async (id, event) =>
      cx.tx(async (tx) => {
        if (changed(await tx.delete(s.users).where(eq(s.users.id, id))) === 0) return false;
        await writeEvent(tx, event);
        return true;
      }),
    changePassword: async (id, passwordHash, now, event) =>
      cx.tx(async (tx) => {
        const updated = changed(
          await tx.update(s.users).set({ passwordHash, updatedAt: now }).where(eq(s.users.id, id)),
        );
        if (updated === 0) return undefined;
        // A link mailed before the change (password or email) is void after it (issue 15).
        await voidAccountLinks(tx, id, now);
        const sessions = await endUserSessions(tx, id, now);
        const grants = await revokeUserGrants(tx, id, now);
        await writeEvent(tx, { ...event, detail: { ...event.detail, sessions, grants } });
        return { sessions, grants };
      }),
    count: async () => (await db.select({ n: sql<number>`count(*)::int` }).from(s.users))[0]!.n,
    anyEnabledWithRole: async (roles) =>
      roles.length > 0 &&
      (
        await db
          .select({ id: s.users.id })
          .from(s.users)
          .where(and(isNull(s.users.disabledAt), holdsAny(s.users.roles, roles)))
          .limit(1)
      ).length > 0,
  } satisfies UserStore;
}
