import { and, eq, gt, isNull } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { EmailConfirmResult, EmailToken, EmailTokenStore } from '../types.js';
import { lockUser, voidAccountLinks } from './federation.js';
import { type PostgresContext, sqlState } from './open.js';
import { changed, writeEvent } from './shared.js';

/** The unique violation (SQLSTATE 23505) of the users' email, through drizzle's wrapping. */
function emailTaken(err: unknown): boolean {
  if (sqlState(err) !== '23505') return false;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const constraint = (e as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return constraint === 'users_email_unique';
  }
  return false;
}

export function emailTokenStore(cx: PostgresContext) {
  const { db } = cx;
  const byHash = async (hash: string) => {
    const [row] = await db.select().from(s.emailTokens).where(eq(s.emailTokens.hash, hash));
    return row as EmailToken | undefined;
  };
  return {
    issue: async (token) =>
      cx.tx(async (tx) => {
        // The user's lock (`for update`) queues two nodes issuing at once, so the second voids the first's link:
        // one live link per user and purpose holds across nodes too.
        await lockUser(tx, token.userId);
        // One live link per user and purpose: an earlier one (perhaps to another address) no longer works.
        await tx
          .update(s.emailTokens)
          .set({ usedAt: token.createdAt })
          .where(
            and(
              eq(s.emailTokens.userId, token.userId),
              eq(s.emailTokens.purpose, token.purpose),
              isNull(s.emailTokens.usedAt),
            ),
          );
        await tx.insert(s.emailTokens).values(token);
      }),
    find: byHash,
    confirm: async (hash, now, event) => {
      try {
        return await cx.tx(async (tx): Promise<EmailConfirmResult> => {
          const [token] = (await tx
            .select()
            .from(s.emailTokens)
            .where(eq(s.emailTokens.hash, hash))) as EmailToken[];
          if (!token || token.usedAt !== null || token.expiresAt <= now) return { status: 'invalid' };
          // The user's row is locked (`for update`): its address cannot change under the checks below.
          const user = await lockUser(tx, token.userId);
          if (!user) return { status: 'invalid' };
          if (token.purpose === 'verify' && user.email !== token.email) return { status: 'invalid' };
          if (token.purpose === 'change' && user.email !== token.email) {
            const [holder] = await tx
              .select({ id: s.users.id })
              .from(s.users)
              .where(eq(s.users.email, token.email));
            if (holder) return { status: 'taken' };
          }
          // Single use, race-safe by the conditional update (the read above took no lock on the token): of two
          // nodes following the link at once, one spends it; a password change that voided it meanwhile wins.
          const spent = changed(
            await tx
              .update(s.emailTokens)
              .set({ usedAt: now })
              .where(
                and(
                  eq(s.emailTokens.hash, hash),
                  isNull(s.emailTokens.usedAt),
                  gt(s.emailTokens.expiresAt, now),
                ),
              ),
          );
          if (spent === 0) return { status: 'invalid' };
          // Another node may give the address to someone between the check above and here: the unique index
          // refuses it (caught below, the whole unit rolled back: the link is not spent).
          await tx
            .update(s.users)
            .set({ email: token.email, emailVerified: true, updatedAt: now })
            .where(eq(s.users.id, user.id));
          // A new address: what was mailed to the old one (a reset link, say) no longer acts.
          if (token.email !== user.email) await voidAccountLinks(tx, user.id, now);
          await writeEvent(tx, {
            ...event,
            userId: user.id,
            detail: { ...event.detail, purpose: token.purpose },
          });
          return {
            status: 'confirmed',
            userId: user.id,
            purpose: token.purpose,
            email: token.email,
            previousEmail: user.email,
          };
        });
      } catch (err) {
        if (emailTaken(err)) return { status: 'taken' };
        throw err;
      }
    },
  } satisfies EmailTokenStore;
}
