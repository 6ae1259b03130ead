import type { Deps } from '../deps.js';
import type { AuditEvent } from '../store/types.js';
import type { Page, PageRequest } from './context.js';

export interface EventFilter extends PageRequest {
  userId?: string;
  clientId?: string;
  type?: string;
  /** Epoch seconds, inclusive. */
  since?: number;
  /** Epoch seconds, exclusive. */
  until?: number;
}

/** The audit trail, newest first, paged (`latchkey events`, `/admin/v1/events`). H1 implements. */
export async function queryEvents(
  _deps: Pick<Deps, 'store'>,
  _filter: EventFilter = {},
): Promise<Page<AuditEvent>> {
  throw new Error('not implemented yet');
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
