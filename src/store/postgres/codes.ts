import { and, eq, isNull } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { AuthorizationCode, CodeStore } from '../types.js';
import type { PostgresContext } from './open.js';
import type { Exec } from './shared.js';
import { changed, revokeGrantNow, writeEvent, writeIssued } from './shared.js';

/**
 * Spends the code if nobody has: a conditional update (`… and consumed_at is null`). Under read committed a
 * second node's update waits for the first's row lock, then re-checks the condition on the committed row and
 * matches nothing, so exactly one redemption wins, across nodes, without a read before the write.
 */
async function spend(ex: Exec, hash: string, now: number): Promise<boolean> {
  const result = await ex
    .update(s.codes)
    .set({ consumedAt: now })
    .where(and(eq(s.codes.hash, hash), isNull(s.codes.consumedAt)));
  return changed(result) > 0;
}

async function findCode(ex: Exec, hash: string): Promise<AuthorizationCode | undefined> {
  const [row] = await ex.select().from(s.codes).where(eq(s.codes.hash, hash)).limit(1);
  return row;
}

export function codeStore(cx: PostgresContext) {
  const { db } = cx;
  return {
    save: async (grant, code, event) => {
      await cx.tx(async (tx) => {
        await tx.insert(s.grants).values({ claims: null, ...grant });
        await tx.insert(s.codes).values({ ...code });
        if (event) await writeEvent(tx, event);
      });
    },
    find: async (hash) => findCode(db, hash),
    redeem: async (hash, now, issued, replayEvent) =>
      cx.tx(async (tx) => {
        if (!(await spend(tx, hash, now))) {
          // Spent already (or unknown): a replay revokes the code's grant, with its audit row.
          const code = await findCode(tx, hash);
          if (code) {
            await revokeGrantNow(tx, code.grantId, now);
            if (replayEvent) await writeEvent(tx, replayEvent);
          }
          return 'replayed' as const;
        }
        await writeIssued(tx, issued);
        return 'ok' as const;
      }),
    consume: async (hash, now) => spend(db, hash, now),
  } satisfies CodeStore;
}
