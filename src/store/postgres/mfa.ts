import { and, eq, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { MfaStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, type Exec, selectBy, writeEvent } from './shared.js';

/**
 * The twin of `../sqlite/mfa.ts` (issue 18). What must happen once however many nodes try at the same moment (a
 * TOTP step accepted, a recovery code used, an MFA token attempted or spent, a factor confirmed) is one
 * conditional update whose `where` holds the condition, its row count the answer: never a read, then a write.
 */
export function mfaStore(cx: PostgresContext) {
  const { db } = cx;
  const { totpFactors: f, recoveryCodes: r, mfaTokens: m } = s;
  // Every password sign-in asks whether the user has a second factor: prepared once (see `selectBy`).
  const totpByUser = selectBy(db, f, f.userId, 'latchkey_mfa_find_totp');

  /**
   * Replaces the user's recovery codes inside the caller's transaction. A transaction-scoped advisory lock on the
   * user makes two replacements take turns (each deletes what the other wrote), so the codes left are one set.
   */
  const replaceCodes = async (tx: Exec, userId: string, hashes: readonly string[], now: number) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`latchkey:recovery:${userId}`}, 0))`,
    );
    await tx.delete(r).where(eq(r.userId, userId));
    if (hashes.length)
      await tx
        .insert(r)
        .values([...new Set(hashes)].map((hash) => ({ userId, hash, createdAt: now, usedAt: null })));
  };

  return {
    findTotp: async (userId) => (await totpByUser.execute({ key: userId }))[0],
    // One query for a page of users (the console's users list: 50 ids, far below the 65535 parameters).
    withConfirmedTotp: async (userIds) => {
      if (userIds.length === 0) return new Set<string>();
      const rows = await db
        .select({ userId: f.userId })
        .from(f)
        .where(and(inArray(f.userId, [...userIds]), isNotNull(f.confirmedAt)));
      return new Set(rows.map((r) => r.userId));
    },
    // One upsert that leaves a confirmed factor alone (`where confirmed_at is null`): no row back, refused.
    beginTotp: async (factor) => {
      const rows = await db
        .insert(f)
        .values({ ...factor, confirmedAt: null })
        .onConflictDoUpdate({
          target: f.userId,
          set: {
            id: factor.id,
            secretSealed: factor.secretSealed,
            lastStep: 0,
            confirmedAt: null,
            createdAt: factor.createdAt,
          },
          setWhere: isNull(f.confirmedAt),
        })
        .returning({ userId: f.userId });
      return rows.length > 0;
    },
    // The conditional update confirms once; only the one that confirmed replaces the codes.
    confirmTotp: async (userId, id, step, recoveryHashes, now, event) =>
      cx.tx(async (tx) => {
        const result = await tx
          .update(f)
          .set({ confirmedAt: now, lastStep: step })
          .where(and(eq(f.userId, userId), eq(f.id, id), isNull(f.confirmedAt)));
        if (changed(result) === 0) return false;
        await replaceCodes(tx, userId, recoveryHashes, now);
        await writeEvent(tx, event);
        return true;
      }),
    // An upsert rather than delete-then-insert: two enrolments at once do not collide on the key, the second
    // waits on the row and replaces the first.
    enrollTotp: async (factor, recoveryHashes, event) =>
      cx.tx(async (tx) => {
        await tx
          .insert(f)
          .values(factor)
          .onConflictDoUpdate({
            target: f.userId,
            set: {
              id: factor.id,
              secretSealed: factor.secretSealed,
              lastStep: factor.lastStep,
              confirmedAt: factor.confirmedAt,
              createdAt: factor.createdAt,
            },
          });
        await replaceCodes(tx, factor.userId, recoveryHashes, factor.confirmedAt ?? factor.createdAt);
        await writeEvent(tx, event);
      }),
    // Replay protection: the step is accepted only by the update that moves `last_step` forward.
    acceptStep: async (userId, step) =>
      changed(
        await db
          .update(f)
          .set({ lastStep: step })
          .where(and(eq(f.userId, userId), isNotNull(f.confirmedAt), lt(f.lastStep, step))),
      ) === 1,
    unusedRecoveryCodes: async (userId) =>
      (
        await db
          .select({ hash: r.hash })
          .from(r)
          .where(and(eq(r.userId, userId), isNull(r.usedAt)))
      ).map((row) => row.hash),
    // Single use: only the update that finds the code unused marks it, and writes the event.
    useRecoveryCode: async (userId, hash, now, event) =>
      cx.tx(async (tx) => {
        const result = await tx
          .update(r)
          .set({ usedAt: now })
          .where(and(eq(r.userId, userId), eq(r.hash, hash), isNull(r.usedAt)));
        if (changed(result) === 0) return false;
        await writeEvent(tx, event);
        return true;
      }),
    replaceRecoveryCodes: async (userId, hashes, now, event) =>
      cx.tx(async (tx) => {
        await replaceCodes(tx, userId, hashes, now);
        await writeEvent(tx, event);
      }),
    removeAll: async (userId, event) =>
      cx.tx(async (tx) => {
        const factors = changed(await tx.delete(f).where(eq(f.userId, userId)));
        const codes = changed(await tx.delete(r).where(eq(r.userId, userId)));
        if (factors + codes === 0) return false;
        await writeEvent(tx, event);
        return true;
      }),
    saveToken: async (token) => {
      await db.insert(m).values(token);
    },
    findToken: async (hash) => (await db.select().from(m).where(eq(m.hash, hash)))[0],
    // One conditional update counts the attempt and returns the row as it left it: concurrent attempts each
    // wait on the row and see the count before them, so no more than `maxAttempts` pass.
    attemptToken: async (hash, now, maxAttempts) =>
      (
        await db
          .update(m)
          .set({ attempts: sql`${m.attempts} + 1` })
          .where(and(eq(m.hash, hash), isNull(m.spentAt), gt(m.expiresAt, now), lt(m.attempts, maxAttempts)))
          .returning()
      )[0],
    // Single use: the first update wins.
    spendToken: async (hash, now) =>
      changed(
        await db
          .update(m)
          .set({ spentAt: now })
          .where(and(eq(m.hash, hash), isNull(m.spentAt))),
      ) === 1,
  } satisfies MfaStore;
}
