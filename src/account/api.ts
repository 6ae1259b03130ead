import type { Context } from 'hono';
import { Hono } from 'hono';
import { ACR_2FA, secondFactorDone } from '../auth/factors.js';
import { secondFactorMethods } from '../auth/second-factor.js';
import type { Deps } from '../deps.js';
import {
  bearerChallenge,
  insufficientScope,
  invalidBearer,
  isForThisServer,
  requireBearer,
} from '../http/bearer.js';
import { requestMeta } from '../http/net.js';
import { noStore } from '../http/security.js';
import { queueBackchannelLogout } from '../oauth/backchannel.js';
import { OAuthError } from '../oauth/errors.js';
import type { Client, Grant, User } from '../store/types.js';
import type { AccessTokenInfo } from '../tokens/access.js';

/** The self-service API's paths (SPEC §3). */
export const ACCOUNT_API_PREFIX = '/account/v1';
export const SESSION_PATH = '/session';

/** The most authorizations one answer lists (newest first): a bound on the answer, far above any real user's. */
export const MAX_AUTHORIZATIONS = 500;

/** Who calls: a user's access token, the grant (token family) it belongs to, the user and the client. */
interface Caller {
  token: AccessTokenInfo;
  grant: Grant;
  user: User;
  client: Client;
}

/**
 * The caller's token, which must act for a user. A client-credentials token is valid but lacks what these
 * routes need: 403 `insufficient_scope` (RFC 6750 §3.1), not 401, since a new token of the same kind would
 * not do better. A token minted for another resource (RFC 8707 `aud`) is not for this server: 401.
 */
async function userCaller(deps: Deps, c: Context): Promise<Caller> {
  const token = await requireBearer(deps, c);
  if (!token.userId || !token.grantId)
    throw insufficientScope('this endpoint needs an access token issued to a user, not to a client alone');
  // RFC 9068 §4: the audience must be this server (no `resource`: the client id; or the issuer itself).
  if (!isForThisServer(token, deps.config.issuer))
    throw invalidBearer('the access token was issued for another resource');
  const [grant, user, client] = await Promise.all([
    deps.store.grants.find(token.grantId),
    deps.store.users.find(token.userId),
    deps.store.clients.find(token.clientId),
  ]);
  if (!grant || grant.revokedAt !== null || !user || user.disabledAt !== null || !client)
    throw invalidBearer();
  return { token, grant, user, client };
}

/**
 * RFC 9470 §3: for a user with a second factor, a token whose sign-in did not pass it answers the step-up
 * challenge, so the app signs the user in again with `acr_values=urn:latchkey:acr:2fa`.
 */
async function requireSecondFactor(deps: Deps, { grant, user }: Caller): Promise<void> {
  if (secondFactorDone(grant.amr)) return;
  if ((await secondFactorMethods(deps, user)).length === 0) return;
  const description = 'sign in again with your second factor';
  throw new OAuthError('insufficient_user_authentication', description, {
    headers: {
      'WWW-Authenticate': bearerChallenge('insufficient_user_authentication', description, {
        acr_values: ACR_2FA,
      }),
    },
  });
}

/**
 * Which grants the caller may see and revoke: a first-party client's token all of the user's; a third-party
 * client's only its own client's, so that one app cannot list the others or sign the user out of them.
 */
const visibleClient = ({ client }: Caller): string | undefined => (client.firstParty ? undefined : client.id);

const notFound = () => new OAuthError('not_found', 'no such authorization');

/**
 * The self-service API with the user's own access token (issue 12): the user's authorizations (list, revoke
 * one) and `DELETE /session`. JSON, never cached; errors are RFC 6749 §5.2 JSON with RFC 6750 challenges.
 */
export function accountApiRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.use(`${ACCOUNT_API_PREFIX}/*`, noStore());
  app.use(SESSION_PATH, noStore());

  app.get(`${ACCOUNT_API_PREFIX}/authorizations`, async (c) => {
    const caller = await userCaller(deps, c);
    await requireSecondFactor(deps, caller);
    const clientId = visibleClient(caller);
    const list = await deps.store.grants.listAuthorizations(caller.user.id, deps.clock.now(), {
      ...(clientId !== undefined ? { clientId } : {}),
      limit: MAX_AUTHORIZATIONS,
    });
    const names = new Map<string, string>();
    for (const id of new Set(list.map((a) => a.clientId)))
      names.set(id, (await deps.store.clients.find(id))?.name ?? id);
    return c.json({
      authorizations: list.map((a) => ({
        id: a.id,
        client_id: a.clientId,
        client_name: names.get(a.clientId) ?? a.clientId,
        scopes: a.scope.split(' ').filter(Boolean),
        created_at: a.createdAt,
        last_used_at: a.lastUsedAt,
      })),
    });
  });

  /**
   * Revokes one authorization: its token family (refresh and access tokens; JWT ones are refused by the
   * server-side lookup once the grant is revoked) and the user's consent for its client, with its audit row.
   * Unknown, another user's, already revoked, or not visible to this client: the same 404.
   */
  app.delete(`${ACCOUNT_API_PREFIX}/authorizations/:id`, async (c) => {
    const caller = await userCaller(deps, c);
    await requireSecondFactor(deps, caller);
    const id = c.req.param('id');
    const now = deps.clock.now();
    const grant = id.length <= 64 ? await deps.store.grants.find(id) : undefined;
    const visible = visibleClient(caller);
    if (!grant || (visible !== undefined && grant.clientId !== visible)) throw notFound();
    // The store checks again, atomically, that it is still this user's live grant.
    const revoked = await deps.store.grants.revokeAuthorization(id, caller.user.id, now, {
      at: now,
      type: 'app_revoked',
      userId: caller.user.id,
      clientId: grant.clientId,
      ...requestMeta(c),
      detail: { grant: id, by_client: caller.client.id },
    });
    if (!revoked) throw notFound();
    return c.body(null, 204);
  });

  /**
   * Ends the browser session that issued the token, as RP-initiated logout does (SPEC §3: its grants revoked
   * except `offline_access` ones), and revokes the token's own grant; a grant without a browser session (the
   * password grant) only has itself revoked. No step-up: signing out never needs one.
   */
  app.delete(SESSION_PATH, async (c) => {
    const { user, grant, client } = await userCaller(deps, c);
    const now = deps.clock.now();
    const ended = await deps.store.grants.endSessionOf(grant.id, now, {
      at: now,
      type: 'logout',
      userId: user.id,
      clientId: client.id,
      ...requestMeta(c),
      detail: { via: 'session_api', grant: grant.id },
    });
    if (!ended) throw invalidBearer();
    if (ended.sessionEnded && grant.sessionHash) await queueBackchannelLogout(deps, [grant.sessionHash]);
    return c.body(null, 204);
  });

  return app;
}
