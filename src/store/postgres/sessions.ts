import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import { sessionSid } from '../../crypto/hash.js';
import type { Session, SessionStore } from '../types.js';
import type { PostgresContext } from './open.js';
import {
  type Exec,
  endUserSessions,
  revokeSessionGrants,
  revokeUserGrants,
  selectBy,
  writeEvent,
} from './shared.js';

/** The twin of `../sqlite/sessions.ts` (issue 18). */
export function sessionStore(cx: PostgresContext) {
  const { db } = cx;
  const t = s.sessions;
  // Every signed-in browser request reads its session: prepared once (see `selectBy`).
  const byHash = selectBy(db, t, t.idHash, 'latchkey_sessions_find');
  const row = (session: Session, sid: string | null) => ({
    ...session,
    sid,
    remember: session.remember ?? false,
  });
  const end = async (ex: Exec, idHash: string, now: number): Promise<void> => {
    await ex
      .update(t)
      .set({ endedAt: now })
      .where(and(eq(t.idHash, idHash), isNull(t.endedAt)));
  };
  return {
    create: async (session) => {
      await db.insert(t).values(row(session, session.sid ?? null));
    },
    /**
     * One transaction. The previous session is read `for update`: two sign-ins carrying on the same session at
     * once (a double submit, two nodes) take turns, so the second sees it ended, as SQLite's serial writes would.
     */
    start: async (session, previousHash, interaction, event) =>
      cx.tx(async (tx) => {
        let sid = session.sid ?? null;
        let endedOther: string | null = null;
        if (previousHash) {
          const [previous] = await tx.select().from(t).where(eq(t.idHash, previousHash)).for('update');
          const live = previous !== undefined && previous.endedAt === null;
          if (live && previous.userId === session.userId) {
            // A new sign-in of the same user in the same browser (a step-up, prompt=login) carries on its
            // session: the grants issued through the old one move along, so a logout of the new one revokes
            // them too, and its back-channel logout reaches every client that took part.
            await tx
              .update(s.grants)
              .set({ sessionHash: session.idHash })
              .where(eq(s.grants.sessionHash, previousHash));
            sid = previous.sid ?? sessionSid(previousHash);
          } else if (live) endedOther = previousHash;
          await end(tx, previousHash, session.createdAt);
        }
        await tx.insert(t).values(row(session, sid));
        if (interaction)
          await tx
            .update(s.interactions)
            .set({ browserHash: interaction.toBrowserHash, data: interaction.data })
            .where(
              and(
                eq(s.interactions.id, interaction.id),
                eq(s.interactions.browserHash, interaction.fromBrowserHash),
              ),
            );
        await writeEvent(tx, event);
        return endedOther;
      }),
    find: async (idHash) => (await byHash.execute({ key: idHash }))[0],
    touch: async (idHash, now, expiresAt) => {
      await db
        .update(t)
        .set({ lastSeenAt: now, expiresAt })
        .where(and(eq(t.idHash, idHash), isNull(t.endedAt)));
    },
    end: async (idHash, now) => end(db, idHash, now),
    logout: async (idHash, now, event) =>
      cx.tx(async (tx) => {
        await end(tx, idHash, now);
        const revoked = await revokeSessionGrants(tx, idHash, now);
        await writeEvent(tx, { ...event, detail: { ...event.detail, revoked_grants: revoked } });
        return revoked;
      }),
    signOutEverywhere: async (userId, now, event) =>
      cx.tx(async (tx) => {
        const sessions = await endUserSessions(tx, userId, now);
        const grants = await revokeUserGrants(tx, userId, now);
        await writeEvent(tx, { ...event, detail: { ...event.detail, sessions, grants } });
        return { sessions, grants };
      }),
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(t)
        .where(and(eq(t.userId, userId), isNull(t.endedAt), gt(t.expiresAt, now)))
        // The id breaks ties (two sessions seen in one second): one order on every dialect and every call.
        .orderBy(desc(t.lastSeenAt), desc(sql`${t.idHash} collate "C"`)),
  } satisfies SessionStore;
}
