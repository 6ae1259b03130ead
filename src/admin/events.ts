import type { Deps } from '../deps.js';
import type { AuditEvent } from '../store/types.js';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, pageOf } from './context.js';
import { AdminError } from './validate.js';

export interface EventFilter extends PageRequest {
  userId?: string;
  clientId?: string;
  type?: string;
  /** Epoch seconds, inclusive. */
  since?: number;
  /** Epoch seconds, exclusive. */
  until?: number;
}

const EVENTS_CURSOR = 'events';

function epochSeconds(value: number | undefined, name: 'since' | 'until'): number | undefined {
  if (value !== undefined && !Number.isSafeInteger(value))
    throw new AdminError(`"${name}" must be a time in whole epoch seconds`);
  return value;
}

function text(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length > 256))
    throw new AdminError(`"${name}" must be a string of at most 256 characters`);
  return value;
}

/** The audit trail, newest first, paged (`latchkey events`, `/admin/v1/events`). */
export async function queryEvents(
  deps: Pick<Deps, 'store'>,
  filter: EventFilter = {},
): Promise<Page<AuditEvent>> {
  const limit = pageLimit(filter.limit);
  const before =
    filter.cursor !== undefined ? decodeCursor(EVENTS_CURSOR, filter.cursor, ['n'] as const)[0] : undefined;
  const userId = text(filter.userId, 'userId');
  const clientId = text(filter.clientId, 'clientId');
  const type = text(filter.type, 'type');
  const since = epochSeconds(filter.since, 'since');
  const until = epochSeconds(filter.until, 'until');
  const rows = await deps.store.events.query({
    limit: limit + 1,
    ...(before !== undefined ? { beforeId: before } : {}),
    ...(userId !== undefined ? { userId } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  });
  return pageOf(rows, limit, (e) => encodeCursor(EVENTS_CURSOR, [e.id]));
}

/** An event as the CLI and the API print it. */
export function describeEvent(e: AuditEvent): Record<string, unknown> {
  return {
    id: e.id,
    at: e.at,
    type: e.type,
    user_id: e.userId,
    client_id: e.clientId,
    actor: e.actor,
    ip: e.ip,
    user_agent: e.userAgent,
    detail: e.detail,
  };
}
