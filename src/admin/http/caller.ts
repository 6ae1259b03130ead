import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { insufficientScope, invalidBearer, isForThisServer, requireBearer } from '../../http/bearer.js';
import { requestMeta } from '../../http/net.js';
import type { AdminContext } from '../context.js';
import { ADMIN_SCOPE, type Permission, permissionsOf } from '../permissions.js';

/** Who calls the admin API: the actor of its audit rows and what its roles allow. */
export interface AdminCaller {
  actor: string;
  permissions: ReadonlySet<Permission>;
}

/**
 * The caller of an admin route: a verified bearer token (looked up server-side, so a revoked one is refused)
 * for this API, with the `admin` scope; its roles are read now, not from the token, so a role taken away or a
 * user disabled loses access at once. A user token acts with the user's roles, a client-credentials token
 * with the client's.
 */
export async function adminCaller(deps: Deps, c: Context): Promise<AdminCaller> {
  const info = await requireBearer(deps, c);
  if (!isForThisServer(info, deps.config.issuer, [`${deps.config.issuer}/admin/v1`]))
    throw invalidBearer('the access token is for another audience');
  if (!info.scope.split(' ').includes(ADMIN_SCOPE))
    throw insufficientScope(`the access token lacks the ${ADMIN_SCOPE} scope`, ADMIN_SCOPE);
  // What the client may do now, not when the token was minted: a client that lost `admin`, or is no longer
  // first-party (for a person's token) or no longer has client credentials (for its own), cannot act here.
  const client = await deps.store.clients.find(info.clientId);
  if (!client) throw invalidBearer('the client of the access token is gone');
  if (!client.scopes.includes(ADMIN_SCOPE))
    throw insufficientScope(`the client is no longer allowed the ${ADMIN_SCOPE} scope`, ADMIN_SCOPE);
  if (info.userId !== null) {
    if (!client.firstParty)
      throw insufficientScope(
        `only a first-party client's tokens may use the ${ADMIN_SCOPE} scope`,
        ADMIN_SCOPE,
      );
    const user = await deps.store.users.find(info.userId);
    if (!user || user.disabledAt !== null) throw invalidBearer('the user of the access token cannot act');
    return { actor: `user:${user.id}`, permissions: permissionsOf(user.roles) };
  }
  if (!client.grants.includes('client_credentials'))
    throw insufficientScope('the client no longer has the client_credentials grant', ADMIN_SCOPE);
  return { actor: `client:${client.id}`, permissions: permissionsOf(client.roles) };
}

/** 403 `insufficient_scope` (RFC 6750 §3.1) when the caller's roles do not grant the route's permission. */
export function requirePermission(caller: AdminCaller, permission: Permission): void {
  if (!caller.permissions.has(permission))
    throw insufficientScope(`this needs the ${permission} permission, which the caller's roles do not grant`);
}

/** The audit context of a change made through the API: the caller, and the request's address and browser. */
export function adminContextOf(c: Context, caller: AdminCaller): AdminContext {
  return { actor: caller.actor, permissions: caller.permissions, ...requestMeta(c) };
}
