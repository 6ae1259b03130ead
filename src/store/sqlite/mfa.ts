import { and, eq, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { MfaStore, MfaToken, TotpFactor } from '../types.js';
import { lazily, p, type SqliteContext, selectBy, writeEvent } from './shared.js';

/** Ids per `IN (…)`, well under SQLite's bound-parameter limit: a page of users is one query. */
const CHUNK = 500;

export function mfaStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    totp: () => selectBy(db, s.totpFactors, s.totpFactors.userId, 'userId'),
    token: () => selectBy(db, s.mfaTokens, s.mfaTokens.hash, 'hash'),
    acceptStep: () =>
      db
        .update(s.totpFactors)
        .set({ lastStep: sql`${p('step')}` })
        .where(
          and(
            eq(s.totpFactors.userId, p('userId')),
            isNotNull(s.totpFactors.confirmedAt),
            lt(s.totpFactors.lastStep, p('step')),
          ),
        )
        .prepare(),
    unused: () =>
      db
        .select({ hash: s.recoveryCodes.hash })
        .from(s.recoveryCodes)
        .where(and(eq(s.recoveryCodes.userId, p('userId')), isNull(s.recoveryCodes.usedAt)))
        .prepare(),
  });

  const replaceCodes = (userId: string, hashes: readonly string[], now: number) => {
    db.delete(s.recoveryCodes).where(eq(s.recoveryCodes.userId, userId)).run();
    if (hashes.length)
      db.insert(s.recoveryCodes)
        .values([...new Set(hashes)].map((hash) => ({ userId, hash, createdAt: now, usedAt: null })))
        .run();
  };

  return {
    findTotp: async (userId) => q.totp.get({ userId }) as TotpFactor | undefined,
    withConfirmedTotp: async (userIds) => {
      const found = new Set<string>();
      for (let i = 0; i < userIds.length; i += CHUNK) {
        const rows = db
          .select({ userId: s.totpFactors.userId })
          .from(s.totpFactors)
          .where(
            and(
              inArray(s.totpFactors.userId, userIds.slice(i, i + CHUNK)),
              isNotNull(s.totpFactors.confirmedAt),
            ),
          )
          .all();
        for (const { userId } of rows) found.add(userId);
      }
      return found;
    },
    beginTotp: async (factor) =>
      raw.transaction(() => {
        const existing = q.totp.get({ userId: factor.userId });
        if (existing?.confirmedAt != null) return false;
        db.insert(s.totpFactors)
          .values({ ...factor, confirmedAt: null })
          .onConflictDoUpdate({
            target: s.totpFactors.userId,
            set: {
              id: factor.id,
              secretSealed: factor.secretSealed,
              lastStep: 0,
              confirmedAt: null,
              createdAt: factor.createdAt,
            },
          })
          .run();
        return true;
      })(),
    confirmTotp: async (userId, id, step, recoveryHashes, now, event) =>
      raw.transaction(() => {
        const changed = db
          .update(s.totpFactors)
          .set({ confirmedAt: now, lastStep: step })
          .where(
            and(
              eq(s.totpFactors.userId, userId),
              eq(s.totpFactors.id, id),
              isNull(s.totpFactors.confirmedAt),
            ),
          )
          .run().changes;
        if (changed === 0) return false;
        replaceCodes(userId, recoveryHashes, now);
        writeEvent(cx, event);
        return true;
      })(),
    enrollTotp: async (factor, recoveryHashes, event) =>
      raw.transaction(() => {
        db.delete(s.totpFactors).where(eq(s.totpFactors.userId, factor.userId)).run();
        db.insert(s.totpFactors).values(factor).run();
        replaceCodes(factor.userId, recoveryHashes, factor.confirmedAt ?? factor.createdAt);
        writeEvent(cx, event);
      })(),
    acceptStep: async (userId, step) => q.acceptStep.run({ userId, step }).changes === 1,
    unusedRecoveryCodes: async (userId) => q.unused.all({ userId }).map((r) => r.hash),
    useRecoveryCode: async (userId, hash, now, event) =>
      raw.transaction(() => {
        const changed = db
          .update(s.recoveryCodes)
          .set({ usedAt: now })
          .where(
            and(
              eq(s.recoveryCodes.userId, userId),
              eq(s.recoveryCodes.hash, hash),
              isNull(s.recoveryCodes.usedAt),
            ),
          )
          .run().changes;
        if (changed === 0) return false;
        writeEvent(cx, event);
        return true;
      })(),
    replaceRecoveryCodes: async (userId, hashes, now, event) =>
      raw.transaction(() => {
        replaceCodes(userId, hashes, now);
        writeEvent(cx, event);
      })(),
    removeAll: async (userId, event) =>
      raw.transaction(() => {
        const factors = db.delete(s.totpFactors).where(eq(s.totpFactors.userId, userId)).run().changes;
        const codes = db.delete(s.recoveryCodes).where(eq(s.recoveryCodes.userId, userId)).run().changes;
        if (factors + codes === 0) return false;
        writeEvent(cx, event);
        return true;
      })(),
    saveToken: async (token) => {
      db.insert(s.mfaTokens).values(token).run();
    },
    findToken: async (hash) => q.token.get({ hash }) as MfaToken | undefined,
    attemptToken: async (hash, now, maxAttempts) =>
      raw.transaction(() => {
        const changed = db
          .update(s.mfaTokens)
          .set({ attempts: sql`${s.mfaTokens.attempts} + 1` })
          .where(
            and(
              eq(s.mfaTokens.hash, hash),
              isNull(s.mfaTokens.spentAt),
              gt(s.mfaTokens.expiresAt, now),
              lt(s.mfaTokens.attempts, maxAttempts),
            ),
          )
          .run().changes;
        return changed === 1 ? (q.token.get({ hash }) as MfaToken | undefined) : undefined;
      })(),
    spendToken: async (hash, now) =>
      db
        .update(s.mfaTokens)
        .set({ spentAt: now })
        .where(and(eq(s.mfaTokens.hash, hash), isNull(s.mfaTokens.spentAt)))
        .run().changes === 1,
  } satisfies MfaStore;
}
