import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { bearerChallenge, insufficientScope, requireBearer } from '../../http/bearer.js';
import { clientIp } from '../../http/net.js';
import { OAuthError } from '../../oauth/errors.js';
import type { AccessTokenInfo } from '../../tokens/access.js';
import type { AdminContext } from '../context.js';
import { ADMIN_SCOPE, type Permission, permissionsOf } from '../permissions.js';

/** Who calls the admin API: the actor of its audit rows and what its roles allow. */
export interface AdminCaller {
  actor: string;
  permissions: ReadonlySet<Permission>;
}

/** RFC 6750 §3.1 `invalid_token` with a reason of our own (the challenge must not carry `"` or `\`). */
function refused(description: string): OAuthError {
  return new OAuthError('invalid_token', description, {
    status: 401,
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', description) },
  });
}

/**
 * RFC 9068 §4 / RFC 8707: a token is for this API when its audience is the client itself (asked without a
 * `resource`) or the issuer (or the API's own URL). A token minted for another resource server must not be
 * replayed here by whoever received it.
 */
function isForThisApi(info: AccessTokenInfo, issuer: string): boolean {
  return info.aud === info.clientId || info.aud === issuer || info.aud === `${issuer}/admin/v1`;
}

/**
 * The caller of an admin route: a verified bearer token (looked up server-side, so a revoked one is refused)
 * for this API, with the `admin` scope; its roles are read now, not from the token, so a role taken away or a
 * user disabled loses access at once. A user token acts with the user's roles, a client-credentials token
 * with the client's.
 */
export async function adminCaller(deps: Deps, c: Context): Promise<AdminCaller> {
  const info = await requireBearer(deps, c);
  if (!isForThisApi(info, deps.config.issuer)) throw refused('the access token is for another audience');
  if (!info.scope.split(' ').includes(ADMIN_SCOPE))
    throw insufficientScope(`the access token lacks the ${ADMIN_SCOPE} scope`, ADMIN_SCOPE);
  // What the client may do now, not when the token was minted: a client that lost `admin`, or is no longer
  // first-party (for a person's token) or no longer has client credentials (for its own), cannot act here.
  const client = await deps.store.clients.find(info.clientId);
  if (!client) throw refused('the client of the access token is gone');
  if (!client.scopes.includes(ADMIN_SCOPE))
    throw insufficientScope(`the client is no longer allowed the ${ADMIN_SCOPE} scope`, ADMIN_SCOPE);
  if (info.userId !== null) {
    if (!client.firstParty)
      throw insufficientScope(
        `only a first-party client's tokens may use the ${ADMIN_SCOPE} scope`,
        ADMIN_SCOPE,
      );
    const user = await deps.store.users.find(info.userId);
    if (!user || user.disabledAt !== null) throw refused('the user of the access token cannot act');
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

/** The longest User-Agent an audit row keeps. */
export const MAX_USER_AGENT = 512;

/** The audit context of a change made through the API. */
export function adminContextOf(c: Context, caller: AdminCaller): AdminContext {
  const userAgent = c.req.header('user-agent');
  return {
    actor: caller.actor,
    permissions: caller.permissions,
    ip: clientIp(c),
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
  };
}
