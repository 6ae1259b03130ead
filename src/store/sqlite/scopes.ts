import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { NewAuditEvent, Scope, ScopeRemoveResult, ScopeStore } from '../types.js';
import { type SqliteContext, writeEvent } from './shared.js';

const columns = {
  name: s.scopes.name,
  description: s.scopes.description,
  builtin: s.scopes.builtin,
  managedBy: s.scopes.managedBy,
};

export function scopeStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const find = (name: string): Scope | undefined =>
    db.select(columns).from(s.scopes).where(eq(s.scopes.name, name)).get();
  const upsert = raw.transaction((scope: Scope, now: number, event?: NewAuditEvent): Scope => {
    db.insert(s.scopes)
      .values({ ...scope, managedBy: scope.managedBy ?? null, createdAt: now })
      .onConflictDoUpdate({
        target: s.scopes.name,
        // Who created an entry owns it: `managedBy` is not taken over by a later upsert.
        set: {
          description: scope.description,
          builtin: sql`max(${s.scopes.builtin}, ${scope.builtin ? 1 : 0})`,
        },
      })
      .run();
    if (event) writeEvent(cx, event);
    return find(scope.name)!;
  });
  // A client's allow-list is a JSON array: the check and the delete see one state (IMMEDIATE).
  const remove = raw.transaction((name: string, event: NewAuditEvent): ScopeRemoveResult => {
    const scope = find(name);
    if (!scope) return 'not_found';
    if (scope.builtin) return 'builtin';
    const listed = raw
      .prepare(
        'select 1 from clients where exists (select 1 from json_each(clients.scopes) where value = ?) limit 1',
      )
      .get(name);
    if (listed) return 'in_use';
    db.delete(s.scopes).where(eq(s.scopes.name, name)).run();
    writeEvent(cx, event);
    return 'removed';
  });
  return {
    upsert: async (scope, now, event) => upsert(scope, now, event),
    list: async () =>
      db.select(columns).from(s.scopes).orderBy(desc(s.scopes.builtin), asc(s.scopes.name)).all(),
    findMany: async (names) => {
      if (!names.length) return [];
      return db.select(columns).from(s.scopes).where(inArray(s.scopes.name, names)).all() satisfies Scope[];
    },
    remove: async (name, event) => remove.immediate(name, event),
  } satisfies ScopeStore;
}
