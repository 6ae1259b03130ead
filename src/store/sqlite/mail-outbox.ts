import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { MailOutboxStore, OutboxMail } from '../types.js';
import type { SqliteContext } from './shared.js';

export function mailOutboxStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const t = s.mailOutbox;
  const claimDue = (now: number, limit: number, leaseUntil: number): OutboxMail[] =>
    raw.transaction(() => {
      const rows = db
        .select()
        .from(t)
        .where(and(isNull(t.sentAt), isNull(t.failedAt), lte(t.nextAttemptAt, now)))
        .orderBy(asc(t.attempts), asc(t.nextAttemptAt), asc(t.id))
        .limit(limit)
        .all();
      for (const row of rows)
        db.update(t)
          .set({ nextAttemptAt: leaseUntil, attempts: row.attempts + 1 })
          .where(eq(t.id, row.id))
          .run();
      return rows.map((r) => ({ ...r, attempts: r.attempts + 1, nextAttemptAt: leaseUntil }));
    })();
  return {
    enqueue: async (mail, now) =>
      db
        .insert(t)
        .values({
          recipient: mail.recipient,
          subject: mail.subject,
          bodySealed: mail.bodySealed,
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        })
        .returning({ id: t.id })
        .get().id,
    claimDue: async (now, limit, leaseUntil) => claimDue(now, limit, leaseUntil),
    sent: async (id, now) => {
      // The body (its single-use link) is needed no more: the row keeps only who, what and when.
      db.update(t).set({ sentAt: now, lastError: null, bodySealed: '' }).where(eq(t.id, id)).run();
    },
    retry: async (id, nextAttemptAt, error) => {
      db.update(t).set({ nextAttemptAt, lastError: error }).where(eq(t.id, id)).run();
    },
    failed: async (id, now, error) => {
      db.update(t).set({ failedAt: now, lastError: error, bodySealed: '' }).where(eq(t.id, id)).run();
    },
    prune: async (before, limit) =>
      raw
        .prepare(
          `delete from mail_outbox where id in (select id from mail_outbox
             where coalesce(sent_at, failed_at) < ? limit ?)`,
        )
        .run(before, limit).changes,
    find: async (id) => db.select().from(t).where(eq(t.id, id)).get(),
    list: async () => db.select().from(t).orderBy(asc(t.id)).all(),
  } satisfies MailOutboxStore;
}
