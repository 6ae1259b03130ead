import { and, eq, gt } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { DeviceAuthorization, DevicePoll, DeviceStore } from '../types.js';
import type { PgTx, PostgresContext } from './open.js';
import { changed, writeEvent, writeIssued } from './shared.js';

/** RFC 8628 §3.5: each `slow_down` adds this to the interval. */
const SLOW_DOWN_SECONDS = 5;

export function deviceStore(cx: PostgresContext) {
  const { db } = cx;

  /**
   * pending and unexpired → `status`, with what the approval adds. Race-safe by the conditional update: of two
   * nodes approving (or one approving, one denying) at once, only one changes the row; the other answers false.
   */
  const settle = async (
    tx: PgTx,
    userCodeHash: string,
    now: number,
    set: Partial<typeof s.deviceCodes.$inferInsert>,
  ) =>
    changed(
      await tx
        .update(s.deviceCodes)
        .set(set)
        .where(
          and(
            eq(s.deviceCodes.userCodeHash, userCodeHash),
            eq(s.deviceCodes.status, 'pending'),
            gt(s.deviceCodes.expiresAt, now),
          ),
        ),
    ) === 1;

  return {
    create: async (authorization, event) =>
      cx.tx(async (tx) => {
        const created =
          changed(await tx.insert(s.deviceCodes).values(authorization).onConflictDoNothing()) === 1;
        if (created) await writeEvent(tx, event);
        return created;
      }),
    findByUserCode: async (hash) => {
      const [row] = await db.select().from(s.deviceCodes).where(eq(s.deviceCodes.userCodeHash, hash));
      return row as DeviceAuthorization | undefined;
    },
    approve: async (userCodeHash, signIn, now, event) =>
      cx.tx(async (tx) => {
        const approved = await settle(tx, userCodeHash, now, { status: 'approved', ...signIn });
        if (approved) await writeEvent(tx, event);
        return approved;
      }),
    deny: async (userCodeHash, now, event) =>
      cx.tx(async (tx) => {
        const denied = await settle(tx, userCodeHash, now, { status: 'denied' });
        if (denied) await writeEvent(tx, event);
        return denied;
      }),
    poll: async (hash, clientId, nowMs) =>
      cx.tx(async (tx): Promise<DevicePoll> => {
        // `for update`: two polls at once (two nodes) queue, so the second sees the first's time and slows down.
        const [row] = (await tx
          .select()
          .from(s.deviceCodes)
          .where(eq(s.deviceCodes.deviceCodeHash, hash))
          .for('update')) as DeviceAuthorization[];
        // Another client's code: refused without touching it, so the owner still completes.
        if (!row || row.clientId !== clientId) return { status: 'unknown' };
        if (row.expiresAt * 1000 <= nowMs) return { status: 'expired' };
        if (row.status === 'approved') return { status: 'approved', authorization: row };
        if (row.status !== 'pending') return { status: row.status };
        const early = row.lastPollMs > 0 && nowMs - row.lastPollMs < row.interval * 1000;
        const interval = early ? row.interval + SLOW_DOWN_SECONDS : row.interval;
        await tx
          .update(s.deviceCodes)
          .set({ lastPollMs: nowMs, interval })
          .where(eq(s.deviceCodes.deviceCodeHash, hash));
        return early ? { status: 'slow_down', interval } : { status: 'pending' };
      }),
    redeem: async (hash, now, issued) =>
      cx.tx(async (tx) => {
        // Once, race-safe by the conditional update: of two nodes redeeming at once, one moves it to redeemed.
        const redeemed =
          changed(
            await tx
              .update(s.deviceCodes)
              .set({ status: 'redeemed' })
              .where(
                and(
                  eq(s.deviceCodes.deviceCodeHash, hash),
                  eq(s.deviceCodes.status, 'approved'),
                  gt(s.deviceCodes.expiresAt, now),
                ),
              ),
          ) === 1;
        if (redeemed) await writeIssued(tx, issued);
        return redeemed;
      }),
  } satisfies DeviceStore;
}
