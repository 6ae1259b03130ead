import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { KeyStore, SigningKey } from '../types.js';
import { type SqliteContext, writeEvent } from './shared.js';

export function keyStore(cx: SqliteContext) {
  const { raw, db } = cx;
  return {
    list: async () =>
      // The kid breaks ties (the keys of one rotation share their second).
      db
        .select()
        .from(s.signingKeys)
        .orderBy(desc(s.signingKeys.createdAt), desc(s.signingKeys.kid))
        .all() as SigningKey[],
    add: async (keys, retire, event) => {
      raw.transaction(() => {
        if (retire) {
          const algs = keys.map((k) => k.alg);
          db.update(s.signingKeys)
            .set({ active: false, retiredAt: retire.at, publishUntil: retire.publishUntil })
            .where(and(eq(s.signingKeys.active, true), inArray(s.signingKeys.alg, algs)))
            .run();
        }
        db.insert(s.signingKeys).values(keys).run();
        if (event) writeEvent(cx, event);
      })();
    },
    // One transaction on one connection: another process's write waits for it (SQLite has one writer).
    addFirst: async (keys) =>
      raw
        .transaction(() => {
          const active = new Set(
            db
              .select({ alg: s.signingKeys.alg })
              .from(s.signingKeys)
              .where(eq(s.signingKeys.active, true))
              .all()
              .map((k) => k.alg),
          );
          const added = keys.filter((k) => !active.has(k.alg));
          if (added.length) db.insert(s.signingKeys).values(added).run();
          return added;
        })
        .immediate(),
    prune: async (now) =>
      db
        .delete(s.signingKeys)
        .where(and(eq(s.signingKeys.active, false), lte(s.signingKeys.publishUntil, now)))
        .run().changes,
  } satisfies KeyStore;
}
