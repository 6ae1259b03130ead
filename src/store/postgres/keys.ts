import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { KeyStore, SigningKey } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, writeEvent } from './shared.js';

/** The advisory lock the first keys are made under: SHA-256("latchkey:first-keys")'s first 8 bytes, as text. */
const FIRST_KEYS_LOCK = String(
  BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update('latchkey:first-keys').digest('hex').slice(0, 16)}`),
  ),
);

/** The PostgreSQL signing keys (issue 18), the twin of `../sqlite/keys.ts`. Every write bumps the change counter. */
export function keyStore(cx: PostgresContext) {
  const { db } = cx;
  return {
    list: async () =>
      // The kid breaks ties (the keys of one rotation share their second), in byte order as SQLite compares it.
      (await db
        .select()
        .from(s.signingKeys)
        .orderBy(desc(s.signingKeys.createdAt), desc(sql`${s.signingKeys.kid} collate "C"`))) as SigningKey[],
    add: async (keys, retire, event) => {
      await cx.tx(async (tx) => {
        // Two rotations at once take turns (the lock of the first keys): the second retires the first's new keys
        // rather than leaving two active keys of one algorithm.
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_KEYS_LOCK}::bigint)`);
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
    // Nodes starting together on an empty database: a transaction-scoped advisory lock makes them take turns,
    // so the second sees the first's keys (read committed reads what committed before each statement).
    addFirst: async (keys) =>
      cx.tx(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_KEYS_LOCK}::bigint)`);
        const active = new Set(
          (
            await tx
              .select({ alg: s.signingKeys.alg })
              .from(s.signingKeys)
              .where(eq(s.signingKeys.active, true))
          ).map((k) => k.alg),
        );
        const added = keys.filter((k) => !active.has(k.alg));
        if (added.length) {
          await tx.insert(s.signingKeys).values(added);
          await cx.notifyChange(tx);
        }
        return added;
      }),
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
