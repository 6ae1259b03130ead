import { and, eq, isNull, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { AuthorizationCode, CodeStore } from '../types.js';
import {
  allPlaceholders,
  lazily,
  p,
  revokeGrantNow,
  type SqliteContext,
  selectBy,
  writeEvent,
  writeIssued,
} from './shared.js';

export function codeStore(cx: SqliteContext) {
  const { raw, db } = cx;
  const q = lazily({
    code: () => selectBy(db, s.codes, s.codes.hash, 'hash'),
    insertCode: () => db.insert(s.codes).values(allPlaceholders(s.codes)).prepare(),
    consume: () =>
      db
        .update(s.codes)
        .set({ consumedAt: sql`${p('now')}` })
        .where(and(eq(s.codes.hash, p('hash')), isNull(s.codes.consumedAt)))
        .prepare(),
  });
  return {
    save: async (grant, code, event) => {
      raw.transaction(() => {
        cx.q.insertGrant.run({ claims: null, ...grant });
        q.insertCode.run({ ...code });
        if (event) writeEvent(cx, event);
      })();
    },
    find: async (hash) => q.code.get({ hash }) as AuthorizationCode | undefined,
    redeem: async (hash, now, issued, replayEvent) =>
      raw.transaction(() => {
        if (q.consume.run({ hash, now }).changes === 0) {
          const code = q.code.get({ hash });
          if (code) {
            revokeGrantNow(cx, code.grantId, now);
            if (replayEvent) writeEvent(cx, replayEvent);
          }
          return 'replayed' as const;
        }
        writeIssued(cx, issued);
        return 'ok' as const;
      })(),
    consume: async (hash, now) => q.consume.run({ hash, now }).changes > 0,
  } satisfies CodeStore;
}
