import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { Scope, ScopeRemoveResult, ScopeStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { type Exec, writeEvent } from './shared.js';

const columns = {
  name: s.scopes.name,
  description: s.scopes.description,
  builtin: s.scopes.builtin,
  managedBy: s.scopes.managedBy,
};

/** The PostgreSQL scopes (issue 18), the twin of `../sqlite/scopes.ts`. */
export function scopeStore(cx: PostgresContext) {
  const { db } = cx;
  const find = async (ex: Exec, name: string, lock = false): Promise<Scope | undefined> => {
    const query = ex.select(columns).from(s.scopes).where(eq(s.scopes.name, name));
    return (await (lock ? query.for('update') : query))[0];
  };
  return {
    // `insert … on conflict`: two nodes upserting the same name both succeed, one after the other.
    upsert: async (scope, now, event) =>
      cx.tx(async (tx) => {
        await tx
          .insert(s.scopes)
          .values({ ...scope, managedBy: scope.managedBy ?? null, createdAt: now })
          .onConflictDoUpdate({
            target: s.scopes.name,
            // Who created an entry owns it: `managedBy` is not taken over by a later upsert.
            set: {
              description: scope.description,
              builtin: sql`${s.scopes.builtin} or ${scope.builtin}`,
            },
          });
        if (event) await writeEvent(tx, event);
        await cx.notifyChange(tx);
        return (await find(tx, scope.name))!;
      }),
    // Byte order of the name, as SQLite sorts it, whatever the database's locale.
    list: async () =>
      db
        .select(columns)
        .from(s.scopes)
        .orderBy(desc(s.scopes.builtin), asc(sql`${s.scopes.name} collate "C"`)),
    findMany: async (names) => {
      if (!names.length) return [];
      return (await db.select(columns).from(s.scopes).where(inArray(s.scopes.name, names))) satisfies Scope[];
    },
    // `select … for update` on the scope: a concurrent upsert or removal of the same name waits, so the check
    // and the delete see one state (SQLite's IMMEDIATE). A client's allow-list is a JSON array (`?`).
    remove: async (name, event) =>
      cx.tx(async (tx): Promise<ScopeRemoveResult> => {
        const scope = await find(tx, name, true);
        if (!scope) return 'not_found';
        if (scope.builtin) return 'builtin';
        const listed = await tx
          .select({ id: s.clients.id })
          .from(s.clients)
          .where(sql`${s.clients.scopes} ? ${name}`)
          .limit(1);
        if (listed.length) return 'in_use';
        await tx.delete(s.scopes).where(eq(s.scopes.name, name));
        await writeEvent(tx, event);
        await cx.notifyChange(tx);
        return 'removed';
      }),
  } satisfies ScopeStore;
}
