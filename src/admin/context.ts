import type { ManagedBy, NewAuditEvent } from '../store/types.js';
import { ADMIN_SCOPE, PERMISSIONS, type Permission, permissionsOf } from './permissions.js';
import { AdminError } from './validate.js';

/**
 * Who makes an admin change, for its audit row: `actor` is `cli`, `config` (the `LATCHKEY_CONFIG` file at
 * start), `user:<id>` (an admin's token) or `client:<id>` (a client-credentials token); `ip` and `userAgent`
 * of the HTTP request when there is one.
 */
export interface AdminContext {
  actor: string;
  ip?: string | null;
  userAgent?: string | null;
  /**
   * What the caller holds (an admin API token's roles); absent for the CLI and the config file, which act with
   * the server's own rights. Nobody hands out, or takes over, more than they hold (`requireReach`).
   */
  permissions?: ReadonlySet<Permission>;
}

/**
 * Refuses (`forbidden`) unless the caller holds every permission in `reach`: roles granted to a user or a
 * client, or the rights of a user or client acted on (resetting an admin's password, rotating the secret of a
 * client with roles, changing where a first-party admin console sends its codes). Without it, `users:write`
 * would give itself `admin`.
 */
export function requireReach(ctx: AdminContext, reach: Iterable<Permission>, what: string): void {
  const held = ctx.permissions;
  if (!held) return;
  const missing = [...new Set(reach)].filter((p) => !held.has(p));
  if (missing.length)
    throw new AdminError(
      `${what} needs ${missing.join(', ')}, which the caller's roles do not grant`,
      'forbidden',
    );
}

/** What a user can do with the admin API: their roles' permissions. */
export const userReach = (user: { roles: readonly string[] }): Set<Permission> => permissionsOf(user.roles);

/**
 * What a client can reach with the admin API: nothing unless it may get the `admin` scope; a first-party one
 * carries any user's roles (so, potentially, everything: whoever controls its redirect URIs or secret can
 * obtain an admin's token); a third-party one only its own roles, through client credentials.
 */
export function clientReach(client: {
  scopes: readonly string[];
  firstParty: boolean;
  roles: readonly string[];
}): readonly Permission[] {
  if (!client.scopes.includes(ADMIN_SCOPE)) return [];
  return client.firstParty ? PERMISSIONS : [...permissionsOf(client.roles)];
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

/** `limit` of a page request: a whole number from 1 to `MAX_PAGE_LIMIT`, `DEFAULT_PAGE_LIMIT` when left out. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT)
    throw new AdminError(`must be a whole number from 1 to ${MAX_PAGE_LIMIT}`, 'invalid_input', 'limit');
  return limit;
}

/** Longer than any cursor `encodeCursor` makes: the rest is not even decoded. */
const MAX_CURSOR_LENGTH = 1024;

/**
 * A keyset cursor: the last row's sort key, tagged with the list it belongs to, as base64url JSON. Opaque to
 * callers; it carries only what the row's listing shows anyway.
 */
export function encodeCursor(list: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

/**
 * The sort key in a cursor of `list`, checked against `shape` (`'n'` a safe integer, `'s'` a string);
 * anything else is `invalid_input` on `cursor`.
 */
export function decodeCursor<const S extends readonly ('n' | 's')[]>(
  list: string,
  cursor: string,
  shape: S,
): { [K in keyof S]: S[K] extends 'n' ? number : string } {
  const bad = () => new AdminError('is not a cursor this list gave out', 'invalid_input', 'cursor');
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== list) throw bad();
  const key = parsed.slice(1);
  shape.forEach((kind, i) => {
    const v = key[i];
    if (kind === 'n' ? !Number.isSafeInteger(v) : typeof v !== 'string') throw bad();
  });
  return key as never;
}

/** A page from `limit + 1` rows: the extra row only says that another page follows. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (last: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: keyOf(items[items.length - 1]!) };
}
