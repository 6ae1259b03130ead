import { isDisabled } from '../../auth/authenticate.js';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import type { Client, Grant, Issued, User } from '../../store/types.js';
import { signIdToken } from '../../tokens/id-token.js';
import { sidOf } from '../backchannel.js';
import { releasableByName, userClaims } from '../claims.js';
import { invalidGrant } from '../errors.js';
import type { TokenResponse } from './grant.js';

export interface TokenSpec {
  client: Client;
  /** The user the tokens are about; null for client credentials (`sub` is then the client). */
  user: User | null;
  scope: string;
  aud: string;
  /** The family the tokens belong to; null for client credentials. */
  grant: Grant | null;
  /** Issue a refresh token in the family. */
  refresh?: boolean;
  /** Issue an ID token when the scope has `openid` (OIDC Core §3.1.3.3); auth_time and amr come from the grant. */
  idToken?: { nonce: string | null };
}

/**
 * Signs everything one token response holds and returns the rows to write: the caller writes them in
 * the same transaction as its own change (consume a code, rotate a refresh token).
 */
export async function buildTokens(
  deps: Deps,
  spec: TokenSpec,
): Promise<{ response: TokenResponse; issued: Issued }> {
  // Every grant that issues for a user passes here: a disabled one gets nothing, whatever survived (issue 12).
  if (isDisabled(spec.user)) throw invalidGrant('the account is disabled');
  const now = deps.clock.now();
  const grantId = spec.grant?.id ?? null;
  const access = await deps.accessTokens.issue({
    client: spec.client,
    sub: spec.user?.id ?? spec.client.id,
    userId: spec.user?.id ?? null,
    scope: spec.scope,
    aud: spec.aud,
    grantId,
    authTime: spec.grant?.authTime ?? null,
    amr: spec.grant?.amr ?? [],
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresAt - now,
    // RFC 6749 §5.1: scope is only sent when there is one.
    ...(spec.scope ? { scope: spec.scope } : {}),
  };
  const issued: Issued = {};
  if (access.record) issued.access = access.record;
  if (spec.refresh && spec.grant) {
    const token = randomToken();
    response.refresh_token = token;
    issued.refresh = {
      hash: sha256(token),
      grantId: spec.grant.id,
      clientId: spec.client.id,
      createdAt: now,
      expiresAt: Math.min(now + spec.client.refreshTokenTtlSeconds, spec.grant.expiresAt),
      rotatedAt: null,
      retrySealed: null,
    };
  }
  const scope = spec.scope.split(' ');
  if (spec.idToken && spec.user && scope.includes('openid')) {
    response.id_token = await signIdToken(deps, {
      client: spec.client,
      sub: spec.user.id,
      nonce: spec.idToken.nonce,
      authTime: spec.grant?.authTime ?? null,
      amr: spec.grant?.amr ?? [],
      accessToken: access.token,
      claims: userClaims(spec.user, scope),
      // OIDC Core §5.5: what the authorization request's `claims` named for the ID token (kept on refresh).
      requested: userClaims(
        spec.user,
        [],
        releasableByName(spec.client, scope, spec.grant?.claims?.idToken ?? []),
      ),
      // Back-Channel Logout §2.1: the session's `sid`, as its logout token will carry it.
      sid: spec.grant?.sessionHash ? await sidOf(deps, spec.grant.sessionHash) : null,
    });
  }
  return { response, issued };
}

/** A sign-in turned into tokens at `/token`: the password grant, the mfa-otp grant after it, or a device approval. */
export interface DirectSignIn {
  client: Client;
  user: User;
  /** Space-separated, already checked against the client. */
  scope: string;
  resource: string | null;
  amr: string[];
  authTime: number;
  /** The browser session the user signed in with (the device page), so logout revokes what it issued. */
  sessionHash?: string | null;
  /** The `grant_type` the audit row names. */
  grantType: string;
  /** The request's address and User-Agent, for the audit row (`requestMeta`). */
  ip: string;
  userAgent: string | null;
}

/**
 * A new family for a sign-in at `/token`, its tokens and the `login` audit row, ready to be written in one
 * unit of work (the device grant writes them with its redemption). Without the `refresh_token` grant, the
 * family lives only as long as its access token (plus a minute).
 */
export async function signInTokens(
  deps: Deps,
  s: DirectSignIn,
): Promise<{ response: TokenResponse; issued: Issued & { grant: Grant } }> {
  const { client, user, amr } = s;
  const now = deps.clock.now();
  const withRefresh = client.grants.includes('refresh_token');
  const grant: Grant = {
    id: randomToken(12),
    clientId: client.id,
    userId: user.id,
    sessionHash: s.sessionHash ?? null,
    scope: s.scope,
    resource: s.resource,
    authTime: s.authTime,
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
    aud: s.resource ?? client.id,
    grant,
    refresh: withRefresh,
    idToken: { nonce: null },
  });
  return {
    response,
    issued: {
      ...issued,
      grant,
      event: {
        at: now,
        type: 'login',
        userId: user.id,
        clientId: client.id,
        ip: s.ip,
        userAgent: s.userAgent,
        detail: { grant_type: s.grantType, amr },
      },
    },
  };
}

/** `signInTokens`, written at once. */
export async function issueSignIn(deps: Deps, s: DirectSignIn): Promise<TokenResponse> {
  const { response, issued } = await signInTokens(deps, s);
  await deps.store.tokens.issue(issued);
  return response;
}
