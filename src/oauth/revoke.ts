import { Hono } from 'hono';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { authenticateClient } from '../http/client-auth.js';
import { requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';

/**
 * RFC 7009: revocation. Unknown tokens and tokens of other clients answer 200 and change nothing.
 * Revoking a refresh token revokes its family, access tokens included (§2.1). What was revoked leaves a
 * `token_revoked` audit row; nothing revoked, no row.
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
        const grant = await deps.store.grants.find(refresh.grantId);
        // The family and its audit row in one unit of work, the row only when the family was still live.
        await deps.store.grants.revokeOnce(refresh.grantId, now, {
          at: now,
          type: 'token_revoked',
          userId: grant?.userId ?? null,
          clientId: client.id,
          ...requestMeta(c),
          detail: { token_type: 'refresh_token', grant: refresh.grantId },
        });
      }
      return c.body(null, 200);
    }
    const access = await deps.accessTokens.verify(token);
    if (access && access.clientId === client.id) {
      await deps.accessTokens.revoke(access, token);
      // A second write (the token store takes no audit row); `verify` just found the token live.
      await deps.store.events.add({
        at: now,
        type: 'token_revoked',
        userId: access.userId,
        clientId: client.id,
        ...requestMeta(c),
        detail: { token_type: 'access_token', ...(access.grantId ? { grant: access.grantId } : {}) },
      });
    }
    return c.body(null, 200);
  });
  return app;
}
