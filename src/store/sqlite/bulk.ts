import * as s from '../../../db/schema.sqlite.js';
import type { BulkStore } from '../types.js';
import { p, type SqliteContext, writeIssued } from './shared.js';

export function bulkStore(cx: SqliteContext) {
  const { raw, db } = cx;
  return {
    settle: async () => {
      raw.pragma('wal_checkpoint(TRUNCATE)');
    },
    insert: async (users, issued) => {
      const user = db
        .insert(s.users)
        .values({
          ...({} as typeof s.users.$inferInsert),
          id: p('id'),
          email: p('email'),
          emailVerified: p('emailVerified'),
          name: p('name'),
          givenName: p('givenName'),
          familyName: p('familyName'),
          roles: p('roles'),
          passwordHash: p('passwordHash'),
          createdAt: p('createdAt'),
          updatedAt: p('updatedAt'),
        })
        .prepare();
      raw.transaction(() => {
        for (const u of users)
          user.run({
            ...u,
            emailVerified: u.emailVerified ? 1 : 0,
            roles: u.roles,
            updatedAt: u.createdAt,
          });
        for (const i of issued) writeIssued(cx, i);
      })();
    },
  } satisfies BulkStore;
}
