import type { Context } from 'hono';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import type { ActiveSession } from '../../http/browser.js';
import { requestMeta } from '../../http/net.js';
import type { Client, Grant, NewAuditEvent } from '../../store/types.js';
import { OAuthError } from '../errors.js';
import { buildTokens } from '../token/issue.js';
import type { AuthorizationRequest } from './request.js';
import { type RedirectTarget, respond, respondError } from './respond.js';

export const CODE_TTL_SECONDS = 60;

export function redirectTarget(deps: Deps, request: AuthorizationRequest): RedirectTarget {
  return {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    state: request.state,
    issuer: deps.config.issuer,
  };
}

/**
 * How an authorization request ends once the interaction is done: the authorization response at the
 * verified redirect URI, or the error there. The interaction layer plugs this in as the ending of its
 * `authorize` kind (app.ts); this module knows nothing of interactions.
 */
export interface AuthorizationEnding {
  complete(c: Context, request: AuthorizationRequest, active: ActiveSession): Promise<Response>;
  fail(c: Context, request: AuthorizationRequest, err: OAuthError): Response;
}

export function authorizationEnding(deps: Deps): AuthorizationEnding {
  return {
    async complete(c, request, active) {
      const client = await deps.store.clients.find(request.clientId);
      if (!client) throw new OAuthError('invalid_client', 'the client no longer exists');
      return issueAuthorizationResponse(c, deps, client, request, active);
    },
    fail: (c, request, err) => respondError(c, redirectTarget(deps, request), err),
  };
}

async function issueAuthorizationResponse(
  c: Context,
  deps: Deps,
  client: Client,
  request: AuthorizationRequest,
  { session, user }: ActiveSession,
): Promise<Response> {
  const now = deps.clock.now();
  const withRefresh = request.responseType === 'code' && client.grants.includes('refresh_token');
  const grant: Grant = {
    id: randomToken(12),
    clientId: client.id,
    userId: user.id,
    sessionHash: session.idHash,
    scope: request.scope.join(' '),
    resource: request.resource,
    authTime: session.authTime,
    amr: session.amr,
    nonce: request.nonce,
    claims: request.claims ?? null,
    createdAt: now,
    expiresAt:
      now +
      (withRefresh ? client.refreshTokenTtlSeconds : CODE_TTL_SECONDS + client.accessTokenTtlSeconds + 60),
    revokedAt: null,
  };
  // Written with the code (or the implicit tokens) in one unit of work: the row never claims an authorization
  // that was not stored.
  const authorized: NewAuditEvent = {
    at: now,
    type: 'authorized',
    userId: user.id,
    clientId: client.id,
    ...requestMeta(c),
    detail: { scope: grant.scope, response_type: request.responseType },
  };
  const target = redirectTarget(deps, request);
  if (request.responseType === 'code') {
    const code = randomToken();
    await deps.store.codes.save(
      grant,
      {
        hash: sha256(code),
        grantId: grant.id,
        clientId: client.id,
        userId: user.id,
        redirectUri: request.redirectUriSent ? request.redirectUri : null,
        codeChallenge: request.codeChallenge,
        createdAt: now,
        expiresAt: now + CODE_TTL_SECONDS,
        consumedAt: null,
      },
      authorized,
    );
    return respond(c, target, { code });
  }
  // Implicit (OIDC Core §3.2): tokens in the fragment, never a refresh token.
  const { response, issued } = await buildTokens(deps, {
    client,
    user,
    scope: grant.scope,
    aud: request.resource ?? client.id,
    grant,
    ...(request.responseType === 'id_token token' ? { idToken: { nonce: request.nonce } } : {}),
  });
  await deps.store.tokens.issue({ ...issued, grant, event: authorized });
  const params: Record<string, string> = {
    access_token: response.access_token,
    token_type: 'Bearer',
    expires_in: String(response.expires_in),
  };
  if (response.scope) params['scope'] = response.scope;
  if (response.id_token) params['id_token'] = response.id_token;
  return respond(c, target, params);
}
