import { and, eq, gt } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { DeviceAuthorization, DevicePoll, DeviceStore } from '../types.js';
import { lazily, type SqliteContext, selectBy, writeEvent, writeIssued } from './shared.js';

/** RFC 8628 §3.5: each `slow_down` adds this to the interval. */
const SLOW_DOWN_SECONDS = 5;

export function deviceStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    byDevice: () => selectBy(db, s.deviceCodes, s.deviceCodes.deviceCodeHash, 'hash'),
    byUser: () => selectBy(db, s.deviceCodes, s.deviceCodes.userCodeHash, 'hash'),
  });

  /** pending and unexpired → `status`, with what the approval adds. */
  const settle = (userCodeHash: string, now: number, set: Partial<typeof s.deviceCodes.$inferInsert>) =>
    db
      .update(s.deviceCodes)
      .set(set)
      .where(
        and(
          eq(s.deviceCodes.userCodeHash, userCodeHash),
          eq(s.deviceCodes.status, 'pending'),
          gt(s.deviceCodes.expiresAt, now),
        ),
      )
      .run().changes === 1;

  return {
    create: async (authorization, event) =>
      raw.transaction(() => {
        const created =
          db.insert(s.deviceCodes).values(authorization).onConflictDoNothing().run().changes === 1;
        if (created) writeEvent(cx, event);
        return created;
      })(),
    findByUserCode: async (hash) => q.byUser.get({ hash }) as DeviceAuthorization | undefined,
    approve: async (userCodeHash, signIn, now, event) =>
      raw.transaction(() => {
        const approved = settle(userCodeHash, now, { status: 'approved', ...signIn });
        if (approved) writeEvent(cx, event);
        return approved;
      })(),
    deny: async (userCodeHash, now, event) =>
      raw.transaction(() => {
        const denied = settle(userCodeHash, now, { status: 'denied' });
        if (denied) writeEvent(cx, event);
        return denied;
      })(),
    poll: async (hash, clientId, nowMs) =>
      raw.transaction((): DevicePoll => {
        const row = q.byDevice.get({ hash }) as DeviceAuthorization | undefined;
        // Another client's code: refused without touching it, so the owner still completes.
        if (!row || row.clientId !== clientId) return { status: 'unknown' };
        if (row.expiresAt * 1000 <= nowMs) return { status: 'expired' };
        if (row.status === 'approved') return { status: 'approved', authorization: row };
        if (row.status !== 'pending') return { status: row.status };
        const early = row.lastPollMs > 0 && nowMs - row.lastPollMs < row.interval * 1000;
        const interval = early ? row.interval + SLOW_DOWN_SECONDS : row.interval;
        db.update(s.deviceCodes)
          .set({ lastPollMs: nowMs, interval })
          .where(eq(s.deviceCodes.deviceCodeHash, hash))
          .run();
        return early ? { status: 'slow_down', interval } : { status: 'pending' };
      })(),
    redeem: async (hash, now, issued) =>
      raw.transaction(() => {
        const redeemed =
          db
            .update(s.deviceCodes)
            .set({ status: 'redeemed' })
            .where(
              and(
                eq(s.deviceCodes.deviceCodeHash, hash),
                eq(s.deviceCodes.status, 'approved'),
                gt(s.deviceCodes.expiresAt, now),
              ),
            )
            .run().changes === 1;
        if (redeemed) writeIssued(cx, issued);
        return redeemed;
      })(),
  } satisfies DeviceStore;
}
