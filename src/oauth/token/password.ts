import { authenticatePassword } from '../../auth/authenticate.js';
import { randomToken } from '../../crypto/hash.js';
import { clientIp } from '../../http/net.js';
import type { Grant } from '../../store/types.js';
import { invalidGrant, OAuthError, unauthorizedClient } from '../errors.js';
import { checkAllowedResource, checkAllowedScopes, parseScope } from '../scope.js';
import type { GrantHandler } from './grant.js';
import { buildTokens } from './issue.js';

/** RFC 6749 §4.3: for first-party apps allowed it per client. */
export const password: GrantHandler = {
  type: 'password',
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    // RFC 9700 §2.4: the password grant only for a client that can keep a secret (a public one registered
    // with it before `client add` refused that still cannot use it).
    if (client.isPublic) throw unauthorizedClient('a public client cannot use the password grant');
    const username = params.require('username');
    const pass = params.require('password');
    const requested = parseScope(params.get('scope'));
    checkAllowedScopes(client, requested);
    const scope = requested.length ? requested : client.scopes;
    const resource = checkAllowedResource(client, params.get('resource'));

    const result = await authenticatePassword(deps, username, pass, { ip: clientIp(c) });
    if (result.status === 'failed') {
      if (result.code === 'throttled') {
        throw new OAuthError('invalid_grant', 'too many failed attempts; try again later', {
          headers: { 'Retry-After': String(result.retryAfterSeconds ?? 1) },
        });
      }
      throw invalidGrant('the username or password is incorrect');
    }
    if (result.status === 'second_factor_required') {
      // SPEC §3 "MFA grant": the mfa_token and the mfa-otp grant arrive with TOTP (issue 9).
      throw new OAuthError('mfa_required', 'a second factor is required');
    }
    const { user, amr } = result;
    const now = deps.clock.now();
    const withRefresh = client.grants.includes('refresh_token');
    const grant: Grant = {
      id: randomToken(12),
      clientId: client.id,
      userId: user.id,
      sessionHash: null,
      scope: scope.join(' '),
      resource: resource ?? null,
      authTime: result.authTime,
      amr,
      nonce: null,
      createdAt: now,
      expiresAt: now + (withRefresh ? client.refreshTokenTtlSeconds : client.accessTokenTtlSeconds + 60),
      revokedAt: null,
    };
    const { response, issued } = await buildTokens(deps, {
      client,
      user,
      scope: grant.scope,
      aud: resource ?? client.id,
      grant,
      refresh: withRefresh,
      idToken: { nonce: null },
    });
    await deps.store.tokens.issue({
      ...issued,
      grant,
      event: {
        at: now,
        type: 'login',
        userId: user.id,
        clientId: client.id,
        ip: clientIp(c),
        detail: { grant_type: 'password', amr },
      },
    });
    return response;
  },
};
