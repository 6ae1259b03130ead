import { Hono } from 'hono';
import { isDisabled } from '../auth/authenticate.js';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { authenticateClient } from '../http/client-auth.js';
import { readForm } from '../http/params.js';
import type { User } from '../store/types.js';
import { claimValue } from './claims.js';

const INACTIVE = { active: false } as const;

/**
 * RFC 7662 §2.2 `username` (the username, else the email, as `preferred_username`), and `groups` when the
 * token was granted the `groups` scope (issue 13: resource servers authorize from it too).
 */
function userFields(user: User, scope: string): Record<string, unknown> {
  return {
    username: claimValue(user, 'preferred_username'),
    ...(scope.split(' ').includes('groups') ? { groups: claimValue(user, 'groups') } : {}),
  };
}

/** RFC 7662: token introspection. A client sees its own tokens; `--introspect-any` clients see all. */
export function introspectRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.post('/introspect', async (c) => {
    const params = await readForm(c);
    const { client } = await authenticateClient(c, deps, params);
    const token = params.require('token');
    const hint = params.get('token_type_hint');
    const maySee = (clientId: string) => client.introspectAny || clientId === client.id;

    const asAccess = async () => {
      const info = await deps.accessTokens.verify(token);
      if (!info || !maySee(info.clientId)) return undefined;
      const user = info.userId ? await deps.store.users.find(info.userId) : undefined;
      // A disabled user's tokens are not active (disabling revokes them; this covers a sign-in racing it).
      if (isDisabled(user)) return undefined;
      return {
        active: true,
        scope: info.scope,
        client_id: info.clientId,
        ...(user ? userFields(user, info.scope) : {}),
        token_type: 'Bearer',
        exp: info.exp,
        iat: info.iat,
        sub: info.sub,
        aud: info.aud,
        iss: deps.config.issuer,
        jti: info.jti,
        ...(info.authTime ? { auth_time: info.authTime } : {}),
      };
    };
    const asRefresh = async () => {
      if (token.length > 200) return undefined;
      const row = await deps.store.tokens.findRefresh(sha256(token));
      if (!row || row.rotatedAt !== null || row.expiresAt <= deps.clock.now() || !maySee(row.clientId))
        return undefined;
      const grant = await deps.store.grants.find(row.grantId);
      if (!grant || grant.revokedAt !== null) return undefined;
      const user = grant.userId ? await deps.store.users.find(grant.userId) : undefined;
      if (isDisabled(user)) return undefined;
      return {
        active: true,
        scope: grant.scope,
        client_id: row.clientId,
        ...(user ? userFields(user, grant.scope) : {}),
        token_type: 'refresh_token',
        exp: row.expiresAt,
        iat: row.createdAt,
        sub: grant.userId ?? row.clientId,
        iss: deps.config.issuer,
      };
    };
    // RFC 7662 §2.1: the hint only orders the search.
    const order = hint === 'refresh_token' ? [asRefresh, asAccess] : [asAccess, asRefresh];
    for (const lookup of order) {
      const found = await lookup();
      if (found) return c.json(found);
    }
    return c.json(INACTIVE);
  });
  return app;
}
