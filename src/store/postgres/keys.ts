import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { KeyStore, SigningKey } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, writeEvent } from './shared.js';

/** The PostgreSQL signing keys (issue 18), the twin of `../sqlite/keys.ts`. Every write bumps the change counter. */
export function keyStore(cx: PostgresContext) {
  const { db } = cx;
  return {
    list: async () =>
      (await db.select().from(s.signingKeys).orderBy(desc(s.signingKeys.createdAt))) as SigningKey[],
    add: async (keys, retire, event) => {
      await cx.tx(async (tx) => {
        if (retire) {
          const algs = keys.map((k) => k.alg);
          await tx
            .update(s.signingKeys)
            .set({ active: false, retiredAt: retire.at, publishUntil: retire.publishUntil })
            .where(and(eq(s.signingKeys.active, true), inArray(s.signingKeys.alg, algs)));
        }
        await tx.insert(s.signingKeys).values(keys);
        if (event) await writeEvent(tx, event);
        await cx.notifyChange(tx);
      });
    },
    prune: async (now) =>
      cx.tx(async (tx) => {
        const pruned = changed(
          await tx
            .delete(s.signingKeys)
            .where(and(eq(s.signingKeys.active, false), lte(s.signingKeys.publishUntil, now))),
        );
        if (pruned > 0) await cx.notifyChange(tx);
        return pruned;
      }),
  } satisfies KeyStore;
}
