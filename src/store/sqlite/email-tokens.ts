import { and, eq, gt, isNull } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { EmailConfirmResult, EmailToken, EmailTokenStore } from '../types.js';
import { voidAccountLinks } from './federation.js';
import { lazily, type SqliteContext, selectBy, writeEvent } from './shared.js';

export function emailTokenStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({ byHash: () => selectBy(db, s.emailTokens, s.emailTokens.hash, 'hash') });
  return {
    issue: async (token) =>
      raw.transaction(() => {
        // One live link per user and purpose: an earlier one (perhaps to another address) no longer works.
        db.update(s.emailTokens)
          .set({ usedAt: token.createdAt })
          .where(
            and(
              eq(s.emailTokens.userId, token.userId),
              eq(s.emailTokens.purpose, token.purpose),
              isNull(s.emailTokens.usedAt),
            ),
          )
          .run();
        db.insert(s.emailTokens).values(token).run();
      })(),
    find: async (hash) => q.byHash.get({ hash }) as EmailToken | undefined,
    confirm: async (hash, now, event) =>
      raw.transaction((): EmailConfirmResult => {
        const token = q.byHash.get({ hash }) as EmailToken | undefined;
        if (!token || token.usedAt !== null || token.expiresAt <= now) return { status: 'invalid' };
        const user = db.select().from(s.users).where(eq(s.users.id, token.userId)).get();
        if (!user) return { status: 'invalid' };
        if (token.purpose === 'verify' && user.email !== token.email) return { status: 'invalid' };
        if (token.purpose === 'change' && user.email !== token.email) {
          const holder = db
            .select({ id: s.users.id })
            .from(s.users)
            .where(eq(s.users.email, token.email))
            .get();
          if (holder) return { status: 'taken' };
        }
        const spent = db
          .update(s.emailTokens)
          .set({ usedAt: now })
          .where(
            and(eq(s.emailTokens.hash, hash), isNull(s.emailTokens.usedAt), gt(s.emailTokens.expiresAt, now)),
          )
          .run().changes;
        if (spent === 0) return { status: 'invalid' };
        db.update(s.users)
          .set({ email: token.email, emailVerified: true, updatedAt: now })
          .where(eq(s.users.id, user.id))
          .run();
        // A new address: what was mailed to the old one (a reset link, say) no longer acts.
        if (token.email !== user.email) voidAccountLinks(cx, user.id, now);
        writeEvent(cx, { ...event, userId: user.id, detail: { ...event.detail, purpose: token.purpose } });
        return {
          status: 'confirmed',
          userId: user.id,
          purpose: token.purpose,
          email: token.email,
          previousEmail: user.email,
        };
      })(),
  } satisfies EmailTokenStore;
}
