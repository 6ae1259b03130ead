import { sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { BulkStore, NewAuditEvent } from '../types.js';
import type { PostgresContext } from './open.js';

/** Rows per multi-row insert: well under PostgreSQL's 65,535 bind parameters at any table's width. */
const CHUNK = 1_000;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/** The PostgreSQL bulk loader (issue 18), the twin of `../sqlite/bulk.ts`. */
export function bulkStore(cx: PostgresContext) {
  return {
    // No WAL to checkpoint: fresh statistics instead, so the planner knows the loaded tables' sizes.
    settle: async () => {
      await cx.db.execute(
        sql`analyze ${s.users}, ${s.grants}, ${s.refreshTokens}, ${s.accessTokens}, ${s.events}`,
      );
    },
    // One transaction, as in SQLite; multi-row inserts (one round trip per chunk) in the order the foreign
    // keys need: users, grants, refresh tokens, access tokens, events.
    insert: async (users, issued) => {
      await cx.tx(async (tx) => {
        const userRows = users.map((u) => ({
          id: u.id,
          email: u.email,
          emailVerified: u.emailVerified,
          name: u.name,
          givenName: u.givenName,
          familyName: u.familyName,
          roles: u.roles,
          passwordHash: u.passwordHash,
          createdAt: u.createdAt,
          updatedAt: u.createdAt,
        }));
        for (const rows of chunks(userRows)) await tx.insert(s.users).values(rows);
        const grants = issued.flatMap((i) => (i.grant ? [{ claims: null, ...i.grant }] : []));
        for (const rows of chunks(grants)) await tx.insert(s.grants).values(rows);
        const refreshes = issued.flatMap((i) => (i.refresh ? [{ ...i.refresh }] : []));
        for (const rows of chunks(refreshes)) await tx.insert(s.refreshTokens).values(rows);
        const accesses = issued.flatMap((i) => (i.access ? [{ ...i.access }] : []));
        for (const rows of chunks(accesses)) await tx.insert(s.accessTokens).values(rows);
        const events = issued.flatMap((i): NewAuditEvent[] =>
          i.event ? [{ actor: null, userAgent: null, ...i.event }] : [],
        );
        for (const rows of chunks(events)) await tx.insert(s.events).values(rows);
      });
    },
  } satisfies BulkStore;
}
