import { and, eq, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { TokenStore } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, selectBy, writeEvent, writeIssued } from './shared.js';

/**
 * The twin of `../sqlite/tokens.ts`, without its in-memory "not revoked" memo: revocations do not bump the
 * change counter, so a memo keyed on `generation()` would miss another node's revocation. Every check queries.
 */
export function tokenStore(cx: PostgresContext) {
  const { db } = cx;
  // Introspection, userinfo and refresh run these on every request: prepared once (see `selectBy`).
  const q = {
    opaque: selectBy(db, s.accessTokens, s.accessTokens.hash, 'latchkey_tokens_find_opaque'),
    refresh: selectBy(db, s.refreshTokens, s.refreshTokens.hash, 'latchkey_tokens_find_refresh'),
    jti: db
      .select({ jti: s.revokedJtis.jti })
      .from(s.revokedJtis)
      .where(eq(s.revokedJtis.jti, sql.placeholder('jti')))
      .limit(1)
      .prepare('latchkey_tokens_jti_revoked'),
    insertAccess: db
      .insert(s.accessTokens)
      .values({
        hash: sql.placeholder('hash'),
        jti: sql.placeholder('jti'),
        grantId: sql.placeholder('grantId'),
        clientId: sql.placeholder('clientId'),
        userId: sql.placeholder('userId'),
        scope: sql.placeholder('scope'),
        aud: sql.placeholder('aud'),
        createdAt: sql.placeholder('createdAt'),
        expiresAt: sql.placeholder('expiresAt'),
        revokedAt: sql.placeholder('revokedAt'),
      })
      .prepare('latchkey_tokens_insert_access'),
  };
  return {
    issue: async (issued) => {
      // An opaque access token alone (client credentials): one insert is already atomic, so it runs prepared on
      // the pool, without the BEGIN and COMMIT round trips of a transaction.
      if (issued.access && !issued.grant && !issued.refresh && !issued.event) {
        await q.insertAccess.execute({ ...issued.access });
        return;
      }
      await cx.tx((tx) => writeIssued(tx, issued));
    },
    findOpaqueAccess: async (hash) => (await q.opaque.execute({ key: hash }))[0],
    revokeOpaqueAccess: async (hash, now, event) => {
      // Conditional update (`revoked_at is null`): of two concurrent revocations one changes the row and
      // writes the audit row; the other waits for its lock, then matches nothing.
      await cx.tx(async (tx) => {
        const result = await tx
          .update(s.accessTokens)
          .set({ revokedAt: now })
          .where(and(eq(s.accessTokens.hash, hash), isNull(s.accessTokens.revokedAt)));
        if (changed(result) > 0 && event) await writeEvent(tx, event);
      });
    },
    revokeJti: async (jti, expiresAt, event) => {
      // `insert … on conflict do nothing`: only the first revocation inserts, so only it writes the audit row.
      await cx.tx(async (tx) => {
        const result = await tx.insert(s.revokedJtis).values({ jti, expiresAt }).onConflictDoNothing();
        if (changed(result) > 0 && event) await writeEvent(tx, event);
      });
    },
    isJtiRevoked: async (jti) => (await q.jti.execute({ jti })).length > 0,
    findRefresh: async (hash) => (await q.refresh.execute({ key: hash }))[0],
    rotateRefresh: async (oldHash, now, retrySealed, successor) =>
      cx.tx(async (tx) => {
        // Conditional update (`rotated_at is null`): a concurrent rotation on any node waits for this row's
        // lock, then re-checks the condition on the committed row and answers already_rotated, writing no
        // successor: the family never forks, and the sealed retry it finds is the winner's.
        const result = await tx
          .update(s.refreshTokens)
          .set({ rotatedAt: now, retrySealed })
          .where(and(eq(s.refreshTokens.hash, oldHash), isNull(s.refreshTokens.rotatedAt)));
        if (changed(result) === 0) return 'already_rotated' as const;
        await writeIssued(tx, successor);
        return 'rotated' as const;
      }),
  } satisfies TokenStore;
}
