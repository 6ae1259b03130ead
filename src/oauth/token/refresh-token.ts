import { EMAIL_NOT_VERIFIED_DESCRIPTION, refusesUnverified } from '../../auth/verified-email.js';
import { sha256 } from '../../crypto/hash.js';
import { Sealer } from '../../crypto/seal.js';
import type { Deps } from '../../deps.js';
import { type RequestMeta, requestMeta } from '../../http/net.js';
import type { Client, RefreshToken } from '../../store/types.js';
import { invalidGrant, invalidScope } from '../errors.js';
import { parseScope, stillAllowedScopes } from '../scope.js';
import type { GrantHandler, TokenResponse } from './grant.js';
import { buildTokens } from './issue.js';

interface SealedRetry {
  response: TokenResponse;
  accessExpiresAt: number;
}

/** The successor response, sealed with a key only the holder of the presented token can derive. */
const retrySealer = (presented: string) => new Sealer(presented, 'latchkey-refresh-retry-v1');

/**
 * Inside the grace window the same client gets the very same successor tokens back (a retry after a lost
 * response, two tabs); after it, reuse revokes the family (RFC 9700 §4.14.2).
 */
async function replay(
  deps: Deps,
  client: Client,
  row: RefreshToken,
  presented: string,
  meta: RequestMeta,
): Promise<TokenResponse> {
  const now = deps.clock.now();
  const inGrace =
    row.rotatedAt !== null &&
    client.refreshReuseGraceSeconds > 0 &&
    now - row.rotatedAt <= client.refreshReuseGraceSeconds;
  if (inGrace && row.retrySealed) {
    try {
      const { response, accessExpiresAt } = JSON.parse(
        retrySealer(presented).open(row.retrySealed),
      ) as SealedRetry;
      const grant = await deps.store.grants.find(row.grantId);
      if (grant && grant.revokedAt === null)
        return { ...response, expires_in: Math.max(0, accessExpiresAt - now) };
    } catch {
      // fall through: treat as reuse
    }
  }
  // RFC 9700 §4.14.2: the family and its audit row in one unit of work.
  await deps.store.grants.revoke(row.grantId, now, {
    at: now,
    type: 'refresh_reuse',
    userId: null,
    clientId: client.id,
    ...meta,
    detail: { grant: row.grantId },
  });
  throw invalidGrant('the refresh token was already used; the session is revoked');
}

/** RFC 6749 §6 with rotation (OAuth 2.1 §4.3.1). */
export const refreshToken: GrantHandler = {
  type: 'refresh_token',
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    const presented = params.require('refresh_token');
    const now = deps.clock.now();
    const hash = presented.length <= 200 ? sha256(presented) : '';
    const row = hash ? await deps.store.tokens.findRefresh(hash) : undefined;
    const invalid = 'the refresh token is invalid or was issued to another client';
    if (!row) throw invalidGrant(invalid);
    // RFC 6749 §10.4: bound to its client. Another client holding it means it leaked: the family goes.
    if (row.clientId !== client.id) {
      await deps.store.grants.revoke(row.grantId, now, {
        at: now,
        type: 'refresh_wrong_client',
        userId: null,
        clientId: client.id,
        ...requestMeta(c),
        detail: { grant: row.grantId, issued_to: row.clientId },
      });
      throw invalidGrant(invalid);
    }
    if (row.rotatedAt !== null) return replay(deps, client, row, presented, requestMeta(c));
    if (row.expiresAt <= now) throw invalidGrant('the refresh token has expired');
    const grant = await deps.store.grants.find(row.grantId);
    if (!grant || grant.revokedAt !== null || grant.expiresAt <= now)
      throw invalidGrant('the refresh token was revoked');
    const user = grant.userId ? await deps.store.users.find(grant.userId) : undefined;
    if (grant.userId && !user) throw invalidGrant('the user no longer exists');
    if (user) c.set('userId', user.id);
    // Issue 15: a user whose address became unverified (an email change) gets no new tokens for such a client
    // until it is verified again; the refresh token is neither spent nor revoked, so it works again then.
    if (user && refusesUnverified(client, user)) throw invalidGrant(EMAIL_NOT_VERIFIED_DESCRIPTION);
    // A family's resource must still be on the client's allow-list (a grant from before it existed).
    if (grant.resource !== null && !client.resources.includes(grant.resource))
      throw invalidGrant('the resource of this refresh token is not allowed for the client');

    // RFC 6749 §6: a narrower scope may be asked for; the family keeps its own, less what the client has
    // lost since (a narrowed allow-list; `admin` once the client is no longer first-party).
    const granted = stillAllowedScopes(client, grant.scope.split(' ').filter(Boolean));
    const requested = parseScope(params.get('scope'));
    const extra = requested.filter((s) => !granted.includes(s));
    if (extra.length)
      throw invalidScope(`the scope ${extra.map((s) => `"${s}"`).join(', ')} was not granted`);
    const scope = requested.length ? requested : granted;

    const { response, issued } = await buildTokens(deps, {
      client,
      user: user ?? null,
      scope: scope.join(' '),
      aud: grant.resource ?? client.id,
      grant,
      refresh: true,
      // OIDC Core §12.2: a refreshed ID token carries no nonce.
      idToken: { nonce: null },
    });
    const accessExpiresAt = now + response.expires_in;
    const sealed =
      client.refreshReuseGraceSeconds > 0
        ? retrySealer(presented).seal(JSON.stringify({ response, accessExpiresAt } satisfies SealedRetry))
        : null;
    const result = await deps.store.tokens.rotateRefresh(hash, now, sealed, issued);
    if (result === 'already_rotated') {
      // A concurrent request rotated it first: answer what it answered, never a second successor.
      const current = await deps.store.tokens.findRefresh(hash);
      if (!current) throw invalidGrant('the refresh token is invalid');
      return replay(deps, client, current, presented, requestMeta(c));
    }
    return response;
  },
};
