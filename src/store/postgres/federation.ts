import { and, asc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type {
  FederatedIdentity,
  IdentityStore,
  NewAuditEvent,
  PasswordToken,
  PasswordTokenStore,
  Provider,
  ProviderStore,
  User,
} from '../types.js';
import type { PgTx, PostgresContext } from './open.js';
import { changed, type Exec, endUserSessions, revokeUserGrants, userRow, writeEvent } from './shared.js';

/**
 * Every unused link mailed to a user, password (set, reset, invite) and email (verify, change), is void after
 * a change of credential or address (issue 15): a link mailed before must not act after it. An email-change
 * link left alive by a password change would let whoever asked for it (a thief of the old password) take the
 * account back by its address; a reset link mailed to an address the account no longer has would let that
 * mailbox set the password. Run on the change's transaction.
 */
export async function voidAccountLinks(ex: Exec, userId: string, now: number): Promise<number> {
  const password = await ex
    .update(s.passwordTokens)
    .set({ usedAt: now })
    .where(and(eq(s.passwordTokens.userId, userId), isNull(s.passwordTokens.usedAt)));
  const email = await ex
    .update(s.emailTokens)
    .set({ usedAt: now })
    .where(and(eq(s.emailTokens.userId, userId), isNull(s.emailTokens.usedAt)));
  return changed(password) + changed(email);
}

/**
 * Locks the user's row for the rest of the transaction (`select … for update`) and answers it, or undefined.
 * Every unit of work here that changes a user's credential or links takes the user's lock before the tokens',
 * the order the users aggregate's writes (an update of the user, then `voidAccountLinks`) take them in, so two
 * nodes' units of work on one user queue rather than deadlock.
 */
export async function lockUser(tx: PgTx, userId: string) {
  const [row] = await tx.select().from(s.users).where(eq(s.users.id, userId)).for('update');
  return row;
}

/** Thrown inside a unit of work to roll it back and answer a refusal (nothing of it is kept). */
class Refused extends Error {}

export function providerStore(cx: PostgresContext) {
  const { db } = cx;
  /**
   * A change and its audit row together, announced to every node's provider cache (`notifyChange`); a change
   * that did not happen writes no row and announces nothing.
   */
  const withEvent = (change: (tx: PgTx) => Promise<boolean>, event: NewAuditEvent | undefined) =>
    cx.tx(async (tx) => {
      if (!(await change(tx))) return false;
      if (event) await writeEvent(tx, event);
      await cx.notifyChange(tx);
      return true;
    });
  return {
    create: async (provider, event) =>
      withEvent(
        async (tx) =>
          changed(
            await tx
              .insert(s.providers)
              .values({ ...provider, managedBy: provider.managedBy ?? null })
              .onConflictDoNothing(),
          ) === 1,
        event,
      ),
    find: async (slug) => {
      const [row] = await db.select().from(s.providers).where(eq(s.providers.slug, slug));
      return row as Provider | undefined;
    },
    // Byte order, as SQLite's BINARY collation sorts, whatever the database's collation.
    list: async () =>
      (await db
        .select()
        .from(s.providers)
        .orderBy(asc(sql`${s.providers.slug} collate "C"`))) as Provider[],
    update: async (provider, event) => {
      const { slug, createdAt: _createdAt, managedBy: _managedBy, ...fields } = provider;
      return withEvent(
        async (tx) =>
          changed(await tx.update(s.providers).set(fields).where(eq(s.providers.slug, slug))) === 1,
        event,
      );
    },
    setEnabled: async (slug, enabled, now, event) =>
      withEvent(
        async (tx) =>
          changed(
            await tx.update(s.providers).set({ enabled, updatedAt: now }).where(eq(s.providers.slug, slug)),
          ) === 1,
        event,
      ),
    remove: async (slug, event) =>
      withEvent(
        async (tx) => changed(await tx.delete(s.providers).where(eq(s.providers.slug, slug))) === 1,
        event,
      ),
  } satisfies ProviderStore;
}

export function identityStore(cx: PostgresContext) {
  const { db } = cx;
  const find = async (ex: Exec, issuer: string, subject: string) => {
    const [row] = await ex
      .select()
      .from(s.federatedIdentities)
      .where(and(eq(s.federatedIdentities.issuer, issuer), eq(s.federatedIdentities.subject, subject)));
    return row as FederatedIdentity | undefined;
  };
  return {
    find: async (issuer, subject) => find(db, issuer, subject),
    findByUser: async (userId) => {
      const [row] = await db
        .select()
        .from(s.federatedIdentities)
        .where(eq(s.federatedIdentities.userId, userId));
      return row as FederatedIdentity | undefined;
    },
    createUser: async (user, identity, event) => {
      try {
        return await cx.tx(async (tx): Promise<User | undefined> => {
          if (await find(tx, identity.issuer, identity.subject)) return undefined;
          const row = userRow(user);
          // Race-safe by `on conflict do nothing` (not the read above): a node creating the same email or
          // linking the same identity at once makes one of these insert nothing, and this unit is refused.
          const inserted = await tx
            .insert(s.users)
            .values(row)
            .onConflictDoNothing({ target: s.users.email });
          if (changed(inserted) === 0) return undefined;
          const linked = await tx
            .insert(s.federatedIdentities)
            .values({ ...identity, userId: user.id })
            .onConflictDoNothing();
          // The user is written already: roll it back with the refusal.
          if (changed(linked) === 0) throw new Refused();
          await writeEvent(tx, { ...event, userId: user.id });
          return row;
        });
      } catch (err) {
        if (err instanceof Refused) return undefined;
        throw err;
      }
    },
    link: async (identity, keepSessionHash, now, event) =>
      cx.tx(async (tx) => {
        await lockUser(tx, identity.userId);
        // Race-safe by `on conflict do nothing`: the user's link (primary key) and the identity's (unique
        // issuer + subject) are claimed by the insert itself, so of two nodes linking at once one gets false.
        const linked = await tx.insert(s.federatedIdentities).values(identity).onConflictDoNothing();
        if (changed(linked) === 0) return false;
        await tx
          .update(s.users)
          .set({ passwordHash: null, updatedAt: now })
          .where(eq(s.users.id, identity.userId));
        // The password is gone: a reset link mailed before must not bring one back.
        await voidAccountLinks(tx, identity.userId, now);
        const sessions = changed(
          await tx
            .update(s.sessions)
            .set({ endedAt: now })
            .where(
              and(
                eq(s.sessions.userId, identity.userId),
                isNull(s.sessions.endedAt),
                ...(keepSessionHash ? [ne(s.sessions.idHash, keepSessionHash)] : []),
              ),
            ),
        );
        // Like a password change (SPEC §3): what the old credential obtained elsewhere stops working too.
        const grants = changed(
          await tx
            .update(s.grants)
            .set({ revokedAt: now })
            .where(
              and(
                eq(s.grants.userId, identity.userId),
                isNull(s.grants.revokedAt),
                ...(keepSessionHash
                  ? [or(isNull(s.grants.sessionHash), ne(s.grants.sessionHash, keepSessionHash))]
                  : []),
              ),
            ),
        );
        await writeEvent(tx, { ...event, detail: { ...event.detail, ended_sessions: sessions, grants } });
        return true;
      }),
    unlink: async (userId, token, now, event) =>
      cx.tx(async (tx) => {
        await lockUser(tx, userId);
        // The delete locks the row: of two nodes unlinking at once, the second deletes nothing and answers false.
        const removed = changed(
          await tx.delete(s.federatedIdentities).where(eq(s.federatedIdentities.userId, userId)),
        );
        if (removed === 0) return false;
        const sessions = await endUserSessions(tx, userId, now);
        const grants = await revokeUserGrants(tx, userId, now);
        // Only the link made here sets the password now.
        await voidAccountLinks(tx, userId, now);
        await tx.insert(s.passwordTokens).values(token);
        await writeEvent(tx, { ...event, detail: { ...event.detail, sessions, grants } });
        return true;
      }),
  } satisfies IdentityStore;
}

export function passwordTokenStore(cx: PostgresContext) {
  const { db } = cx;
  const byHash = async (ex: Exec, hash: string) => {
    const [row] = await ex.select().from(s.passwordTokens).where(eq(s.passwordTokens.hash, hash));
    return row as PasswordToken | undefined;
  };
  return {
    save: async (token) => {
      await db.insert(s.passwordTokens).values(token);
    },
    find: async (hash) => byHash(db, hash),
    redeem: async (hash, passwordHash, now, event) =>
      cx.tx(async (tx) => {
        // The token's user never changes: read it unlocked, to take the user's lock first (see `lockUser`).
        const known = await byHash(tx, hash);
        if (!known) return false;
        const user = await lockUser(tx, known.userId);
        // Single use, race-safe by the conditional update: of two nodes spending it at once, one changes the row.
        const [token] = await tx
          .update(s.passwordTokens)
          .set({ usedAt: now })
          .where(
            and(
              eq(s.passwordTokens.hash, hash),
              isNull(s.passwordTokens.usedAt),
              gt(s.passwordTokens.expiresAt, now),
            ),
          )
          .returning();
        if (!token || !user) return false;
        // A reset or invitation link came by mail: following it proves the address.
        const proven = token.purpose === 'reset' || token.purpose === 'invite';
        // The first proof of an address a self-registered account never proved: whoever signed up with it (a
        // squatter, perhaps) set up nothing the mailbox's owner must get past. The second factor goes.
        const wasUnverified = proven && !user.emailVerified;
        const factorsRemoved = wasUnverified
          ? changed(await tx.delete(s.totpFactors).where(eq(s.totpFactors.userId, token.userId))) +
            changed(await tx.delete(s.recoveryCodes).where(eq(s.recoveryCodes.userId, token.userId)))
          : 0;
        await tx
          .update(s.users)
          .set({ passwordHash, updatedAt: now, ...(proven ? { emailVerified: true } : {}) })
          .where(eq(s.users.id, token.userId));
        // Any other link of the user dies with this change (the one just spent is used already).
        await voidAccountLinks(tx, token.userId, now);
        const sessions = await endUserSessions(tx, token.userId, now);
        const grants = await revokeUserGrants(tx, token.userId, now);
        await writeEvent(tx, {
          ...event,
          userId: token.userId,
          detail: {
            ...event.detail,
            sessions,
            grants,
            ...(factorsRemoved ? { second_factor_removed: true } : {}),
          },
        });
        return true;
      }),
  } satisfies PasswordTokenStore;
}
