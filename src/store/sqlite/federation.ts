import { and, asc, eq, gt, isNull, ne, or } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type {
  FederatedIdentity,
  IdentityStore,
  NewAuditEvent,
  PasswordToken,
  PasswordTokenStore,
  Provider,
  ProviderStore,
} from '../types.js';
import {
  endUserSessions,
  lazily,
  revokeUserGrants,
  type SqliteContext,
  selectBy,
  userRow,
  writeEvent,
} from './shared.js';

/**
 * Every unused link mailed to a user, password (set, reset, invite) and email (verify, change), is void after
 * a change of credential or address (issue 15): a link mailed before must not act after it. An email-change
 * link left alive by a password change would let whoever asked for it (a thief of the old password) take the
 * account back by its address; a reset link mailed to an address the account no longer has would let that
 * mailbox set the password. Run inside the change's transaction.
 */
export function voidAccountLinks(cx: SqliteContext, userId: string, now: number): number {
  const password = cx.db
    .update(s.passwordTokens)
    .set({ usedAt: now })
    .where(and(eq(s.passwordTokens.userId, userId), isNull(s.passwordTokens.usedAt)))
    .run().changes;
  const email = cx.db
    .update(s.emailTokens)
    .set({ usedAt: now })
    .where(and(eq(s.emailTokens.userId, userId), isNull(s.emailTokens.usedAt)))
    .run().changes;
  return password + email;
}

export function providerStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    bySlug: () => selectBy(db, s.providers, s.providers.slug, 'slug'),
    // Prepared: every login page render lists the providers.
    all: () => db.select().from(s.providers).orderBy(asc(s.providers.slug)).prepare(),
  });
  /** A change and its audit row together; a change that did not happen writes no row. */
  const withEvent = (change: () => boolean, event: NewAuditEvent | undefined): boolean =>
    raw.transaction(() => {
      if (!change()) return false;
      if (event) writeEvent(cx, event);
      return true;
    })();
  return {
    create: async (provider, event) =>
      withEvent(
        () =>
          db
            .insert(s.providers)
            .values({ ...provider, managedBy: provider.managedBy ?? null })
            .onConflictDoNothing()
            .run().changes === 1,
        event,
      ),
    find: async (slug) => q.bySlug.get({ slug }) as Provider | undefined,
    list: async () => q.all.all() as Provider[],
    update: async (provider, event) => {
      const { slug, createdAt: _createdAt, managedBy: _managedBy, ...fields } = provider;
      return withEvent(
        () => db.update(s.providers).set(fields).where(eq(s.providers.slug, slug)).run().changes === 1,
        event,
      );
    },
    setEnabled: async (slug, enabled, now, event) =>
      withEvent(
        () =>
          db.update(s.providers).set({ enabled, updatedAt: now }).where(eq(s.providers.slug, slug)).run()
            .changes === 1,
        event,
      ),
    remove: async (slug, event) =>
      withEvent(() => db.delete(s.providers).where(eq(s.providers.slug, slug)).run().changes === 1, event),
  } satisfies ProviderStore;
}

export function identityStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    byUser: () => selectBy(db, s.federatedIdentities, s.federatedIdentities.userId, 'userId'),
  });
  const find = (issuer: string, subject: string) =>
    db
      .select()
      .from(s.federatedIdentities)
      .where(and(eq(s.federatedIdentities.issuer, issuer), eq(s.federatedIdentities.subject, subject)))
      .get() as FederatedIdentity | undefined;
  return {
    find: async (issuer, subject) => find(issuer, subject),
    findByUser: async (userId) => q.byUser.get({ userId }) as FederatedIdentity | undefined,
    createUser: async (user, identity, event) =>
      raw.transaction(() => {
        if (find(identity.issuer, identity.subject)) return undefined;
        const taken = db.select({ id: s.users.id }).from(s.users).where(eq(s.users.email, user.email)).get();
        if (taken) return undefined;
        const row = userRow(user);
        db.insert(s.users).values(row).run();
        db.insert(s.federatedIdentities)
          .values({ ...identity, userId: user.id })
          .run();
        writeEvent(cx, { ...event, userId: user.id });
        return row;
      })(),
    link: async (identity, keepSessionHash, now, event) =>
      raw.transaction(() => {
        if (q.byUser.get({ userId: identity.userId }) || find(identity.issuer, identity.subject))
          return false;
        db.insert(s.federatedIdentities).values(identity).run();
        db.update(s.users)
          .set({ passwordHash: null, updatedAt: now })
          .where(eq(s.users.id, identity.userId))
          .run();
        // The password is gone: a reset link mailed before must not bring one back.
        voidAccountLinks(cx, identity.userId, now);
        const sessions = db
          .update(s.sessions)
          .set({ endedAt: now })
          .where(
            and(
              eq(s.sessions.userId, identity.userId),
              isNull(s.sessions.endedAt),
              ...(keepSessionHash ? [ne(s.sessions.idHash, keepSessionHash)] : []),
            ),
          )
          .run().changes;
        // Like a password change (SPEC §3): what the old credential obtained elsewhere stops working too.
        const grants = db
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
          )
          .run().changes;
        writeEvent(cx, { ...event, detail: { ...event.detail, ended_sessions: sessions, grants } });
        return true;
      })(),
    unlink: async (userId, token, now, event) =>
      raw.transaction(() => {
        const removed = db
          .delete(s.federatedIdentities)
          .where(eq(s.federatedIdentities.userId, userId))
          .run().changes;
        if (removed === 0) return false;
        const sessions = endUserSessions(cx, userId, now);
        const grants = revokeUserGrants(cx, userId, now);
        // Only the link made here sets the password now.
        voidAccountLinks(cx, userId, now);
        db.insert(s.passwordTokens).values(token).run();
        writeEvent(cx, { ...event, detail: { ...event.detail, sessions, grants } });
        return true;
      })(),
  } satisfies IdentityStore;
}

export function passwordTokenStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({ byHash: () => selectBy(db, s.passwordTokens, s.passwordTokens.hash, 'hash') });
  return {
    save: async (token) => {
      db.insert(s.passwordTokens).values(token).run();
    },
    find: async (hash) => q.byHash.get({ hash }) as PasswordToken | undefined,
    redeem: async (hash, passwordHash, now, event) =>
      raw.transaction(() => {
        const token = q.byHash.get({ hash }) as PasswordToken | undefined;
        const spent = db
          .update(s.passwordTokens)
          .set({ usedAt: now })
          .where(
            and(
              eq(s.passwordTokens.hash, hash),
              isNull(s.passwordTokens.usedAt),
              gt(s.passwordTokens.expiresAt, now),
            ),
          )
          .run().changes;
        if (spent === 0 || !token) return false;
        // A reset or invitation link came by mail: following it proves the address.
        const proven = token.purpose === 'reset' || token.purpose === 'invite';
        // The first proof of an address a self-registered account never proved: whoever signed up with it (a
        // squatter, perhaps) set up nothing the mailbox's owner must get past. The second factor goes.
        const wasUnverified =
          proven &&
          db
            .select({ id: s.users.id })
            .from(s.users)
            .where(and(eq(s.users.id, token.userId), eq(s.users.emailVerified, false)))
            .get() !== undefined;
        const factorsRemoved = wasUnverified
          ? db.delete(s.totpFactors).where(eq(s.totpFactors.userId, token.userId)).run().changes +
            db.delete(s.recoveryCodes).where(eq(s.recoveryCodes.userId, token.userId)).run().changes
          : 0;
        db.update(s.users)
          .set({ passwordHash, updatedAt: now, ...(proven ? { emailVerified: true } : {}) })
          .where(eq(s.users.id, token.userId))
          .run();
        // Any other link of the user dies with this change (the one just spent is used already).
        voidAccountLinks(cx, token.userId, now);
        const sessions = endUserSessions(cx, token.userId, now);
        const grants = revokeUserGrants(cx, token.userId, now);
        writeEvent(cx, {
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
      })(),
  } satisfies PasswordTokenStore;
}
