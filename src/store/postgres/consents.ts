import { and, eq, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { ConsentStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { writeEvent } from './shared.js';

/**
 * The scopes already approved followed by the new ones they lack, each once, in first-seen order (what the
 * SQLite twin's `new Set([...existing, ...added])` gives), computed from the row the upsert has locked.
 */
const mergedScopes = sql`(
  select coalesce(jsonb_agg(value order by ord), '[]'::jsonb)
  from (
    select distinct on (value) value, ord
    from jsonb_array_elements(${s.consents.scopes} || excluded.scopes) with ordinality as t(value, ord)
    order by value, ord
  ) first_seen
)`;

export function consentStore(cx: PostgresContext) {
  const { db } = cx;
  // Every authorization request reads the user's consent: prepared once (see `selectBy` in shared.ts).
  const byUserClient = db
    .select({ scopes: s.consents.scopes })
    .from(s.consents)
    .where(
      and(
        eq(s.consents.userId, sql.placeholder('userId')),
        eq(s.consents.clientId, sql.placeholder('clientId')),
      ),
    )
    .limit(1)
    .prepare('latchkey_consents_find');
  return {
    find: async (userId, clientId) => (await byUserClient.execute({ userId, clientId }))[0]?.scopes ?? [],
    add: async (userId, clientId, scopes, now, event) => {
      // `insert … on conflict do update` merging in SQL against the locked row, not read-merge-write: two
      // nodes adding scopes to one consent at once both keep theirs (a read first would lose one of them).
      await cx.tx(async (tx) => {
        await tx
          .insert(s.consents)
          .values({ userId, clientId, scopes: [...new Set(scopes)], updatedAt: now })
          .onConflictDoUpdate({
            target: [s.consents.userId, s.consents.clientId],
            set: { scopes: mergedScopes, updatedAt: now },
          });
        if (event) await writeEvent(tx, event);
      });
    },
  } satisfies ConsentStore;
}
