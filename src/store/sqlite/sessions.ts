import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import { sessionSid } from '../../crypto/hash.js';
import type { Session, SessionStore } from '../types.js';
import {
  allPlaceholders,
  endUserSessions,
  lazily,
  p,
  revokeSessionGrants,
  revokeUserGrants,
  type SqliteContext,
  selectBy,
  writeEvent,
} from './shared.js';

export function sessionStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    session: () => selectBy(db, s.sessions, s.sessions.idHash, 'hash'),
    insertSession: () => db.insert(s.sessions).values(allPlaceholders(s.sessions)).prepare(),
    touchSession: () =>
      db
        .update(s.sessions)
        .set({ lastSeenAt: sql`${p('now')}`, expiresAt: sql`${p('expires')}` })
        .where(and(eq(s.sessions.idHash, p('hash')), isNull(s.sessions.endedAt)))
        .prepare(),
    // Sign-in is a hot path: its statements are prepared once.
    endSession: () =>
      db
        .update(s.sessions)
        .set({ endedAt: sql`${p('now')}` })
        .where(and(eq(s.sessions.idHash, p('hash')), isNull(s.sessions.endedAt)))
        .prepare(),
    // A new sign-in of the same user in the same browser (a step-up, prompt=login) carries on its session:
    // the grants issued through the old one move along, so a logout of the new one revokes them too, and its
    // back-channel logout reaches every client that took part (a revoked grant's client holds the same sid).
    rebindGrants: () =>
      db
        .update(s.grants)
        .set({ sessionHash: sql`${p('to')}` })
        .where(eq(s.grants.sessionHash, p('from')))
        .prepare(),
    moveInteraction: () =>
      db
        .update(s.interactions)
        .set({ browserHash: sql`${p('to')}`, data: sql`${p('data')}` })
        .where(and(eq(s.interactions.id, p('id')), eq(s.interactions.browserHash, p('from'))))
        .prepare(),
  });
  const row = (session: Session, sid: string | null) => ({
    ...session,
    sid,
    remember: session.remember ?? false,
  });
  const end = (idHash: string, now: number): void => {
    q.endSession.run({ hash: idHash, now });
  };
  return {
    create: async (session) => {
      q.insertSession.run(row(session, session.sid ?? null));
    },
    start: async (session, previousHash, interaction, event) =>
      raw.transaction(() => {
        let sid = session.sid ?? null;
        let endedOther: string | null = null;
        if (previousHash) {
          const previous = q.session.get({ hash: previousHash });
          const live = previous !== undefined && previous.endedAt === null;
          if (live && previous.userId === session.userId) {
            q.rebindGrants.run({ from: previousHash, to: session.idHash });
            sid = previous.sid ?? sessionSid(previousHash);
          } else if (live) endedOther = previousHash;
          end(previousHash, session.createdAt);
        }
        q.insertSession.run(row(session, sid));
        if (interaction)
          q.moveInteraction.run({
            id: interaction.id,
            from: interaction.fromBrowserHash,
            to: interaction.toBrowserHash,
            data: JSON.stringify(interaction.data),
          });
        writeEvent(cx, event);
        return endedOther;
      })(),
    find: async (idHash) => q.session.get({ hash: idHash }),
    touch: async (idHash, now, expiresAt) => {
      q.touchSession.run({ hash: idHash, now, expires: expiresAt });
    },
    end: async (idHash, now) => end(idHash, now),
    logout: async (idHash, now, event) =>
      raw.transaction(() => {
        end(idHash, now);
        const revoked = revokeSessionGrants(cx, idHash, now);
        writeEvent(cx, { ...event, detail: { ...event.detail, revoked_grants: revoked } });
        return revoked;
      })(),
    signOutEverywhere: async (userId, now, event) =>
      raw.transaction(() => {
        const sessions = endUserSessions(cx, userId, now);
        const grants = revokeUserGrants(cx, userId, now);
        writeEvent(cx, { ...event, detail: { ...event.detail, sessions, grants } });
        return { sessions, grants };
      })(),
    listActiveForUser: async (userId, now) =>
      db
        .select()
        .from(s.sessions)
        .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt), gt(s.sessions.expiresAt, now)))
        // The id breaks ties (two sessions seen in one second): one order on every dialect and every call.
        .orderBy(desc(s.sessions.lastSeenAt), desc(s.sessions.idHash))
        .all(),
  } satisfies SessionStore;
}
