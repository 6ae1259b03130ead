import { and, eq, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { TokenStore } from '../types.js';
import { lazily, p, type SqliteContext, selectBy, writeEvent, writeIssued } from './shared.js';

/** Access-token ids remembered as not revoked: at most this many (the whole memo is dropped when full). */
const NOT_REVOKED_MAX = 10_000;

export function tokenStore(cx: SqliteContext) {
  const { raw, db, generation } = cx;
  // JWT access tokens are checked against revoked_jtis on every use (userinfo, introspection, the account API):
  // a jti found absent is remembered with the database's generation, so the next use of the same token costs
  // no query until another connection commits (the CLI, another server) or this one revokes it (below).
  // Only ids of tokens whose signature verified reach here, never arbitrary request input.
  const notRevoked = new Map<string, number>();
  const q = lazily({
    refresh: () => selectBy(db, s.refreshTokens, s.refreshTokens.hash, 'hash'),
    opaque: () => selectBy(db, s.accessTokens, s.accessTokens.hash, 'hash'),
    jti: () =>
      db
        .select({ jti: s.revokedJtis.jti })
        .from(s.revokedJtis)
        .where(eq(s.revokedJtis.jti, p('jti')))
        .prepare(),
    rotate: () =>
      db
        .update(s.refreshTokens)
        .set({ rotatedAt: sql`${p('now')}`, retrySealed: sql`${p('sealed')}` })
        .where(and(eq(s.refreshTokens.hash, p('hash')), isNull(s.refreshTokens.rotatedAt)))
        .prepare(),
  });
  return {
    issue: async (issued) => {
      raw.transaction(() => writeIssued(cx, issued))();
    },
    findOpaqueAccess: async (hash) => q.opaque.get({ hash }),
    revokeOpaqueAccess: async (hash, now, event) =>
      raw.transaction(() => {
        const revoked = db
          .update(s.accessTokens)
          .set({ revokedAt: now })
          .where(and(eq(s.accessTokens.hash, hash), isNull(s.accessTokens.revokedAt)))
          .run().changes;
        if (revoked > 0 && event) writeEvent(cx, event);
      })(),
    revokeJti: async (jti, expiresAt, event) =>
      raw.transaction(() => {
        const revoked = db
          .insert(s.revokedJtis)
          .values({ jti, expiresAt })
          .onConflictDoNothing()
          .run().changes;
        notRevoked.delete(jti);
        if (revoked > 0 && event) writeEvent(cx, event);
      })(),
    isJtiRevoked: async (jti) => {
      const gen = generation();
      if (notRevoked.get(jti) === gen) return false;
      const revoked = q.jti.get({ jti }) !== undefined;
      if (!revoked) {
        if (notRevoked.size >= NOT_REVOKED_MAX) notRevoked.clear();
        notRevoked.set(jti, gen);
      }
      return revoked;
    },
    findRefresh: async (hash) => q.refresh.get({ hash }),
    rotateRefresh: async (oldHash, now, retrySealed, successor) =>
      raw.transaction(() => {
        if (q.rotate.run({ hash: oldHash, now, sealed: retrySealed }).changes === 0)
          return 'already_rotated' as const;
        writeIssued(cx, successor);
        return 'rotated' as const;
      })(),
  } satisfies TokenStore;
}
