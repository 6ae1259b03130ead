import type { ManagedBy, NewAuditEvent } from '../store/types.js';

/**
 * Who makes an admin change, for its audit row: `actor` is `cli`, `config` (the `LATCHKEY_CONFIG` file at
 * start), `user:<id>` (an admin's token) or `client:<id>` (a client-credentials token); `ip` and `userAgent`
 * of the HTTP request when there is one.
 */
export interface AdminContext {
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
}

/** The CLI acts from no address and no browser. */
export const CLI: AdminContext = { actor: 'cli' };
/** The config file, applied at start. */
export const CONFIG_FILE: AdminContext = { actor: 'config' };

/** Entries the config file creates are its own to update and prune; the CLI's and the API's are not. */
export const managedByOf = (ctx: AdminContext): ManagedBy => (ctx.actor === 'config' ? 'config' : null);

/** The audit row of an admin change, written in the same unit of work as the change. */
export function adminEvent(
  ctx: AdminContext,
  type: string,
  at: number,
  about: { userId?: string | null; clientId?: string | null; detail?: Record<string, unknown> | null },
): NewAuditEvent {
  return {
    at,
    type,
    userId: about.userId ?? null,
    clientId: about.clientId ?? null,
    ip: ctx.ip ?? null,
    actor: ctx.actor,
    userAgent: ctx.userAgent ?? null,
    detail: about.detail ?? null,
  };
}

/** A page of a list: `nextCursor` (opaque) fetches the next one; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  /** From a previous page's `nextCursor`; a cursor that does not decode is `invalid_input` on `cursor`. */
  cursor?: string;
  /** 1-200, default 50. */
  limit?: number;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;
