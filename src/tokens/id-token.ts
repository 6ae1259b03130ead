import { createHash } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { acrOf } from '../auth/factors.js';
import type { Deps } from '../deps.js';
import type { Client } from '../store/types.js';
import { signJws } from './jws.js';

export const ID_TOKEN_TTL_SECONDS = 3600;
/** The `typ` header of our ID tokens; access tokens say `at+jwt` (RFC 9068 §2.1). */
const ID_TOKEN_TYP = 'JWT';

/** OIDC Core §3.1.3.6: left half of the SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export interface IdTokenInput {
  client: Client;
  sub: string;
  nonce: string | null;
  authTime: number | null;
  amr: string[];
  accessToken?: string;
  claims: Record<string, unknown>;
  /** Claims asked for by name (the `claims` parameter, OIDC Core §5.5): carried even when `minimal`. */
  requested?: Record<string, unknown>;
  /** Back-Channel Logout §2.1: the session's `sid` (a protocol claim, so kept when `minimal`). */
  sid?: string | null;
}

/** OIDC Core §2. */
export async function signIdToken(deps: Deps, input: IdTokenInput): Promise<string> {
  const now = deps.clock.now();
  // The client's ID-token algorithm (RS256 unless registered otherwise); access tokens keep `signingAlg`.
  const alg = input.client.idTokenAlg;
  const { kid, key } = await deps.keys.signingKey(alg);
  // OIDC Core §2
  // `minimal`: only the protocol claims; the scope claims stay at userinfo (for apps that want it so).
  const payload: Record<string, unknown> = {
    ...(input.client.idTokenClaims === 'minimal' ? {} : input.claims),
    ...input.requested,
    iss: deps.config.issuer,
    sub: input.sub,
    aud: input.client.id,
    iat: now,
    exp: now + ID_TOKEN_TTL_SECONDS,
  };
  if (input.nonce) payload['nonce'] = input.nonce;
  if (input.authTime) payload['auth_time'] = input.authTime;
  if (input.amr.length) {
    payload['amr'] = input.amr;
    payload['acr'] = acrOf(input.amr);
  }
  if (input.sid) payload['sid'] = input.sid;
  if (input.accessToken) payload['at_hash'] = atHash(input.accessToken);
  return signJws(alg, key, { typ: ID_TOKEN_TYP, kid }, payload);
}

export interface IdTokenHint {
  sub: string;
  /** The client the ID token was issued to (its `aud`). */
  client: Client;
}

/**
 * An `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2): an ID token signed by one of our keys,
 * with our `iss`, issued to a client that exists. Expiry is ignored: a hint may be an old ID token. Any
 * other JWT we signed (an access token, `typ: at+jwt`) is refused, so a resource server cannot use one.
 * @returns the hint, or why it is refused (for the log only).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function verifyIdTokenHint(
  deps: Pick<Deps, 'config' | 'keys' | 'store'>,
  hint: string,
): Promise<IdTokenHint | { problem: string }> {
  if (hint.length > 8192) return { problem: 'longer than 8192 characters' };
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(hint).kid;
  } catch {
    return { problem: 'not a JWS' };
  }
  const key = kid ? await deps.keys.verificationKey(kid) : undefined;
  if (!key) return { problem: 'no key of ours signed it' };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(hint, key.key, {
      issuer: deps.config.issuer,
      typ: ID_TOKEN_TYP,
      algorithms: [key.alg],
      // Expiry is not checked: a hint outlives its ID token.
      currentDate: new Date(0),
    }));
  } catch (err) {
    return { problem: err instanceof Error ? err.message : 'verification failed' };
  }
  const { sub, aud } = payload;
  // OIDC Core §2: our ID tokens have one audience, the client.
  const clientId = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (typeof sub !== 'string' || !sub || typeof clientId !== 'string')
    return { problem: 'no "sub" or a single "aud"' };
  const client = await deps.store.clients.find(clientId);
  if (!client) return { problem: 'its client no longer exists' };
  return { sub, client };
}
