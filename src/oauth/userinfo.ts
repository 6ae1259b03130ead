import type { Context } from 'hono';
import { Hono } from 'hono';
import { isDisabled } from '../auth/authenticate.js';
import type { Deps } from '../deps.js';
import { insufficientScope, invalidBearer, requireBearer } from '../http/bearer.js';
import { releasableByName, userClaims } from './claims.js';

/** OIDC Core §5.3: claims about the signed-in user, by scope. */
export function userinfoRoutes(deps: Deps): Hono {
  const app = new Hono();
  const handler = async (c: Context) => {
    c.header('Cache-Control', 'no-store');
    const info = await requireBearer(deps, c, true);
    if (!info.userId) throw invalidBearer();
    const scope = info.scope.split(' ');
    if (!scope.includes('openid'))
      throw insufficientScope('the access token lacks the "openid" scope', 'openid');
    const user = await deps.store.users.find(info.userId);
    if (!user || isDisabled(user)) throw invalidBearer();
    // OIDC Core §5.5: the `claims` request's userinfo member, kept with the grant the token came from.
    const named = info.requestedClaims?.userinfo ?? [];
    const client = named.length && info.clientId ? await deps.store.clients.find(info.clientId) : undefined;
    return c.json({
      sub: user.id,
      ...userClaims(user, scope, client ? releasableByName(client, scope, named) : []),
    });
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
  return app;
}
