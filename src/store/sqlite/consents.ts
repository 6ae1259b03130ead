import { and, eq } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { ConsentStore } from '../types.js';
import { type SqliteContext, writeEvent } from './shared.js';

export function consentStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const find = (userId: string, clientId: string): string[] =>
    db
      .select({ scopes: s.consents.scopes })
      .from(s.consents)
      .where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)))
      .get()?.scopes ?? [];
  return {
    find: async (userId, clientId) => find(userId, clientId),
    add: async (userId, clientId, scopes, now, event) => {
      raw.transaction(() => {
        const merged = [...new Set([...find(userId, clientId), ...scopes])];
        db.insert(s.consents)
          .values({ userId, clientId, scopes: merged, updatedAt: now })
          .onConflictDoUpdate({
            target: [s.consents.userId, s.consents.clientId],
            set: { scopes: merged, updatedAt: now },
          })
          .run();
        if (event) writeEvent(cx, event);
      })();
    },
  } satisfies ConsentStore;
}
