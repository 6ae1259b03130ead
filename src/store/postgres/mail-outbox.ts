import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import type { MailOutboxStore, OutboxMail } from '../types.js';
import type { PostgresContext } from './open.js';
import { changed, leaseDue } from './shared.js';

/** The outbox of outgoing mail (issue 18), the twin of `../sqlite/mail-outbox.ts`. */
export function mailOutboxStore(cx: PostgresContext) {
  const { db } = cx;
  const t = s.mailOutbox;
  return {
    enqueue: async (mail, now) => {
      const [row] = await db
        .insert(t)
        .values({
          recipient: mail.recipient,
          subject: mail.subject,
          bodySealed: mail.bodySealed,
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        })
        .returning({ id: t.id });
      return row!.id;
    },
    claimDue: (now, limit, leaseUntil) =>
      cx.tx(
        (tx): Promise<OutboxMail[]> =>
          leaseDue(
            tx,
            t,
            and(isNull(t.sentAt), isNull(t.failedAt), lte(t.nextAttemptAt, now)),
            limit,
            leaseUntil,
          ),
      ),
    sent: async (id, now) => {
      // The body (its single-use link) is needed no more: the row keeps only who, what and when.
      await db.update(t).set({ sentAt: now, lastError: null, bodySealed: '' }).where(eq(t.id, id));
    },
    retry: async (id, nextAttemptAt, error) => {
      await db.update(t).set({ nextAttemptAt, lastError: error }).where(eq(t.id, id));
    },
    failed: async (id, now, error) => {
      await db.update(t).set({ failedAt: now, lastError: error, bodySealed: '' }).where(eq(t.id, id));
    },
    prune: async (before, limit) =>
      changed(
        await db.execute(
          sql`delete from ${t} where ${t.id} in (select ${t.id} from ${t}
                where coalesce(${t.sentAt}, ${t.failedAt}) < ${before} limit ${limit})`,
        ),
      ),
    find: async (id) => (await db.select().from(t).where(eq(t.id, id)).limit(1))[0],
    list: async () => db.select().from(t).orderBy(asc(t.id)),
  } satisfies MailOutboxStore;
}
