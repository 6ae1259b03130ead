import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Clock } from '../clock.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import type { Client, NewAuditEvent, OpaqueAccessToken, RequestedClaims, Store } from '../store/types.js';
import { signJws } from './jws.js';
import type { KeyRing } from './keys.js';

export interface AccessTokenRequest {
  client: Client;
  /** The user id, or the client id for client credentials. */
  sub: string;
  userId: string | null;
  scope: string;
  aud: string;
  grantId: string | null;
  authTime?: number | null;
  amr?: string[];
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: number;
  /** Set for opaque tokens: the caller writes it with the rest of the response. */
  record?: OpaqueAccessToken;
}

/** What a valid access token says, whichever its format. */
export interface AccessTokenInfo {
  jti: string;
  sub: string;
  clientId: string;
  userId: string | null;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
  grantId: string | null;
  format: 'jwt' | 'opaque';
  authTime?: number;
  /** OIDC Core §5.5: the claims the grant's authorization request named (set by `verify`, when it named any). */
  requestedClaims?: RequestedClaims;
}

/** `jti` carries the grant id (`<grant>.<random>`) so revoking a family needs no write per token. */
const makeJti = (grantId: string | null) => (grantId ? `${grantId}.${randomToken(12)}` : randomToken(16));
const grantOfJti = (jti: string): string | null => {
  const dot = jti.indexOf('.');
  return dot > 0 ? jti.slice(0, dot) : null;
};

export class AccessTokens {
  constructor(
    private readonly issuer: string,
    private readonly keys: KeyRing,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** @see https://www.rfc-editor.org/rfc/rfc9068 */
  async issue(req: AccessTokenRequest): Promise<IssuedAccessToken> {
    const now = this.clock.now();
    const expiresAt = now + req.client.accessTokenTtlSeconds;
    const jti = makeJti(req.grantId);
    if (req.client.tokenFormat === 'opaque') {
      const token = randomToken();
      return {
        token,
        jti,
        expiresAt,
        record: {
          hash: sha256(token),
          jti,
          grantId: req.grantId,
          clientId: req.client.id,
          userId: req.userId,
          scope: req.scope,
          aud: req.aud,
          createdAt: now,
          expiresAt,
          revokedAt: null,
        },
      };
    }
    const { kid, key } = await this.keys.signingKey(req.client.signingAlg);
    // RFC 9068 §2.2
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: req.sub,
      aud: req.aud,
      iat: now,
      exp: expiresAt,
      jti,
      client_id: req.client.id,
      scope: req.scope,
    };
    if (req.authTime) claims['auth_time'] = req.authTime;
    if (req.amr?.length) claims['amr'] = req.amr;
    const token = signJws(req.client.signingAlg, key, { typ: 'at+jwt', kid }, claims);
    return { token, jti, expiresAt };
  }

  /**
   * Verifies a token and looks it up server-side: a revoked token, one of a revoked family or one of a
   * removed client is refused before its `exp`.
   */
  async verify(token: string): Promise<AccessTokenInfo | undefined> {
    if (token.length > 8192) return undefined;
    const info = token.split('.').length === 3 ? await this.verifyJwt(token) : await this.verifyOpaque(token);
    if (!info) return undefined;
    let requestedClaims: RequestedClaims | null | undefined;
    if (info.grantId) {
      const grant = await this.store.grants.find(info.grantId);
      if (!grant || grant.revokedAt !== null) return undefined;
      requestedClaims = grant.claims;
    }
    // A client removed and registered again under the same id does not bring its old tokens back.
    const client = await this.store.clients.find(info.clientId);
    if (!client || info.iat < client.createdAt) return undefined;
    // A copy: `info` may be the signature cache's own object.
    return requestedClaims ? { ...info, requestedClaims } : info;
  }

  /** Signature checks are cached per token (tokens are immutable); expiry and revocation are checked every time. */
  private readonly verified = new Map<string, AccessTokenInfo>();
  private static readonly VERIFIED_MAX = 10_000;

  private async verifyJwt(token: string): Promise<AccessTokenInfo | undefined> {
    const info = this.verified.get(token) ?? (await this.verifySignature(token));
    if (!info || info.exp <= this.clock.now()) return undefined;
    if (await this.store.tokens.isJtiRevoked(info.jti)) return undefined;
    return info;
  }

  private async verifySignature(token: string): Promise<AccessTokenInfo | undefined> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    if (!kid) return undefined;
    const key = await this.keys.verificationKey(kid);
    if (!key) return undefined;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        issuer: this.issuer,
        typ: 'at+jwt',
        algorithms: [key.alg],
        currentDate: new Date(this.clock.nowMs()),
        clockTolerance: 0,
      }));
    } catch {
      return undefined;
    }
    const { jti, sub, client_id, scope, aud, iat, exp, auth_time } = payload;
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof client_id !== 'string') return undefined;
    if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    const grantId = grantOfJti(jti);
    const info: AccessTokenInfo = {
      jti,
      sub,
      clientId: client_id,
      userId: grantId ? sub : null,
      scope: typeof scope === 'string' ? scope : '',
      aud: Array.isArray(aud) ? String(aud[0]) : String(aud),
      iat,
      exp,
      grantId,
      format: 'jwt',
      ...(typeof auth_time === 'number' ? { authTime: auth_time } : {}),
    };
    if (this.verified.size >= AccessTokens.VERIFIED_MAX)
      this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, info);
    return info;
  }

  private async verifyOpaque(token: string): Promise<AccessTokenInfo | undefined> {
    const row = await this.store.tokens.findOpaqueAccess(sha256(token));
    if (!row || row.revokedAt !== null || row.expiresAt <= this.clock.now()) return undefined;
    return {
      jti: row.jti,
      sub: row.userId ?? row.clientId,
      clientId: row.clientId,
      userId: row.userId,
      scope: row.scope,
      aud: row.aud,
      iat: row.createdAt,
      exp: row.expiresAt,
      grantId: row.grantId,
      format: 'opaque',
    };
  }

  /** RFC 7009: revoke one access token; `event` is written with the revocation, when it revoked something. */
  async revoke(info: AccessTokenInfo, token: string, event?: NewAuditEvent): Promise<void> {
    if (info.format === 'opaque')
      await this.store.tokens.revokeOpaqueAccess(sha256(token), this.clock.now(), event);
    else await this.store.tokens.revokeJti(info.jti, info.exp, event);
  }
}
