import type { Store } from '../types.js';
import type { SqliteContext } from './shared.js';

// Bounded: at most `limit` rows per table per call, so the event loop is never blocked for long.
const EXPIRING: [table: string, column: string][] = [
  ['codes', 'expires_at'],
  ['refresh_tokens', 'expires_at'],
  ['access_tokens', 'expires_at'],
  ['revoked_jtis', 'expires_at'],
  ['interactions', 'expires_at'],
  ['sessions', 'expires_at'],
  ['grants', 'expires_at'],
  ['mfa_tokens', 'expires_at'],
  ['password_tokens', 'expires_at'],
  ['email_tokens', 'expires_at'],
  ['device_codes', 'expires_at'],
  ['console_sessions', 'expires_at'],
];

export function sweeper({ raw }: SqliteContext): Store['sweep'] {
  return async (now, limit, eventRetentionSeconds) => {
    let deleted = 0;
    let more = false;
    raw.transaction(() => {
      // A rotated refresh token's sealed retry response is useless once its grace window has gone by.
      for (const [table, column] of EXPIRING) {
        const n = raw
          .prepare(
            `delete from ${table} where rowid in (select rowid from ${table} where ${column} <= ? limit ?)`,
          )
          .run(now, limit).changes;
        deleted += n;
        if (n === limit) more = true;
      }
      // Audit events have no expiry of their own: they are kept for the retention period (`events_at`).
      const n = raw
        .prepare('delete from events where rowid in (select rowid from events where at <= ? limit ?)')
        .run(now - eventRetentionSeconds, limit).changes;
      deleted += n;
      if (n === limit) more = true;
    })();
    return { deleted, more };
  };
}
