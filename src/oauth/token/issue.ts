import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import type { Client, Grant, Issued } from '../../store/types.js';
import { signIdToken } from '../../tokens/id-token.js';
import type { TokenResponse } from './grant.js';

export interface TokenSpec {
  client: Client;
  userId: string | null;
  sub: string;
  scope: string;
  aud: string;
  /** The family the tokens belong to; null for client credentials. */
  grant: Grant | null;
  /** Issue a refresh token in the family. */
  refresh?: boolean;
  /** Issue an ID token (OIDC Core §3.1.3.3). */
  idToken?: { nonce: string | null; authTime: number | null; amr: string[]; claims: Record<string, unknown> };
}

/**
 * Signs everything one token response holds and returns the rows to write: the caller writes them in
 * the same transaction as its own change (consume a code, rotate a refresh token).
 */
export async function buildTokens(
  deps: Deps,
  spec: TokenSpec,
): Promise<{ response: TokenResponse; issued: Issued }> {
  const now = deps.clock.now();
  const grantId = spec.grant?.id ?? null;
  const access = await deps.accessTokens.issue({
    client: spec.client,
    sub: spec.sub,
    userId: spec.userId,
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
      expiresAt: Math.min(now + spec.client.refreshTokenTtl, spec.grant.expiresAt),
      rotatedAt: null,
      retrySealed: null,
    };
  }
  if (spec.idToken && spec.userId) {
    response.id_token = await signIdToken(deps, {
      client: spec.client,
      sub: spec.userId,
      nonce: spec.idToken.nonce,
      authTime: spec.idToken.authTime,
      amr: spec.idToken.amr,
      accessToken: access.token,
      claims: spec.idToken.claims,
    });
  }
  return { response, issued };
}
