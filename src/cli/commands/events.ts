import { describeEvent, type EventFilter, queryEvents } from '../../admin/events.js';
import { findUser } from '../../admin/users.js';
import type { AuditEvent } from '../../store/types.js';
import { type Command, int, none, READ_ONLY, str, UsageError, type Values, withDeps } from '../command.js';

/** `--since` / `--until`: epoch seconds, or an ISO 8601 date or date-time (`2025-01-31`, `2025-01-31T12:00Z`). */
function time(v: Values, flag: string): number | undefined {
  const raw = str(v, flag);
  if (raw === undefined) return undefined;
  if (/^\d{1,12}$/.test(raw)) return Number(raw);
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN;
  if (!Number.isFinite(ms))
    throw new UsageError(
      `--${flag} must be epoch seconds or an ISO 8601 date-time (2025-01-31T12:00:00Z), got "${raw}"`,
    );
  return Math.floor(ms / 1000);
}

/** One line per event: when, what, and the fields it has. */
function eventLine(e: AuditEvent): string {
  const parts = [
    new Date(e.at * 1000).toISOString(),
    e.type,
    ...(e.userId ? [`user=${e.userId}`] : []),
    ...(e.clientId ? [`client=${e.clientId}`] : []),
    ...(e.actor ? [`actor=${e.actor}`] : []),
    ...(e.ip ? [`ip=${e.ip}`] : []),
    ...(e.userAgent ? [`user_agent=${JSON.stringify(e.userAgent)}`] : []),
    ...(e.detail ? [JSON.stringify(e.detail)] : []),
  ];
  return parts.join('  ');
}

const FILTER_FLAGS = ['limit', 'user', 'client', 'type', 'since', 'until'] as const;

/** The same command for the next page: the filters again, and the cursor. */
function nextCommand(v: Values, cursor: string): string {
  const given = FILTER_FLAGS.filter((f) => str(v, f) !== undefined).map(
    (f) => `--${f} ${JSON.stringify(str(v, f))}`,
  );
  return ['latchkey events', ...given, '--cursor', cursor].join(' ');
}

export const eventCommands: Record<string, Command> = {
  events: {
    usage:
      'events [--limit N] [--user <id|email>] [--client C] [--type T] [--since T] [--until T] [--cursor C]',
    summary:
      'the audit log, newest first, a page at a time (--limit 1-200, default 50); times are epoch seconds or ISO 8601, --since inclusive, --until exclusive',
    options: {
      limit: { type: 'string' },
      user: { type: 'string' },
      client: { type: 'string' },
      type: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      cursor: { type: 'string' },
    },
    async run(v, p, out) {
      none(p);
      const limit = int(v, 'limit');
      const since = time(v, 'since');
      const until = time(v, 'until');
      const user = str(v, 'user');
      const page = await withDeps(async (deps) => {
        // An id is taken as given (the events of a removed user stay readable); an email must be a user's.
        const userId = user?.includes('@') ? (await findUser(deps, user)).id : user;
        const filter: EventFilter = {
          ...(limit !== undefined ? { limit } : {}),
          ...(userId !== undefined ? { userId } : {}),
          ...(str(v, 'client') !== undefined ? { clientId: str(v, 'client')! } : {}),
          ...(str(v, 'type') !== undefined ? { type: str(v, 'type')! } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...(str(v, 'cursor') !== undefined ? { cursor: str(v, 'cursor')! } : {}),
        };
        return queryEvents(deps, filter);
      }, READ_ONLY);
      out.result({ items: page.items.map(describeEvent), next_cursor: page.nextCursor }, () =>
        [
          ...(page.items.length ? page.items.map(eventLine) : ['(none)']),
          ...(page.nextCursor ? [`(more: ${nextCommand(v, page.nextCursor)})`] : []),
        ].join('\n'),
      );
    },
  },
};
