import { Hono } from 'hono';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { authenticateClient } from '../http/client-auth.js';
import { readForm } from '../http/params.js';

/**
 * RFC 7009: revocation. Unknown tokens and tokens of other clients answer 200 and change nothing.
 * Revoking a refresh token revokes its family, access tokens included (§2.1).
 */
export function revokeRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.post('/revoke', async (c) => {
    const params = await readForm(c);
    const { client } = await authenticateClient(c, deps, params);
    const token = params.require('token');
    const now = deps.clock.now();

    const refresh = token.length <= 200 ? await deps.store.tokens.findRefresh(sha256(token)) : undefined;
    if (refresh) {
      if (refresh.clientId === client.id) {
        await deps.store.grants.revoke(refresh.grantId, now);
        await deps.store.events.add({
          at: now,
          type: 'refresh_revoked',
          userId: null,
          clientId: client.id,
          ip: null,
          detail: { grant: refresh.grantId },
        });
      }
      return c.body(null, 200);
    }
    const access = await deps.accessTokens.verify(token);
    if (access && access.clientId === client.id) await deps.accessTokens.revoke(access, token);
    return c.body(null, 200);
  });
  return app;
}
