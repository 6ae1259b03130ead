import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { Scope, ScopeStore } from '../types.js';
import type { SqliteContext } from './shared.js';

export function scopeStore({ db }: SqliteContext) {
  return {
    upsert: async (scope, now) => {
      db.insert(s.scopes)
        .values({ ...scope, createdAt: now })
        .onConflictDoUpdate({
          target: s.scopes.name,
          set: {
            description: scope.description,
            builtin: sql`max(${s.scopes.builtin}, ${scope.builtin ? 1 : 0})`,
          },
        })
        .run();
      const row = db.select().from(s.scopes).where(eq(s.scopes.name, scope.name)).get()!;
      return { name: row.name, description: row.description, builtin: row.builtin };
    },
    list: async () =>
      db
        .select({ name: s.scopes.name, description: s.scopes.description, builtin: s.scopes.builtin })
        .from(s.scopes)
        .orderBy(desc(s.scopes.builtin), asc(s.scopes.name))
        .all(),
    findMany: async (names) => {
      if (!names.length) return [];
      return db
        .select({ name: s.scopes.name, description: s.scopes.description, builtin: s.scopes.builtin })
        .from(s.scopes)
        .where(inArray(s.scopes.name, names))
        .all() satisfies Scope[];
    },
  } satisfies ScopeStore;
}
