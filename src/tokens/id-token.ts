import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { Client } from '../store/types.js';
import { signJws } from './jws.js';

export const ID_TOKEN_TTL_SECONDS = 3600;

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
}

/** OIDC Core §2. */
export async function signIdToken(deps: Deps, input: IdTokenInput): Promise<string> {
  const now = deps.clock.now();
  const { kid, key } = await deps.keys.signingKey(input.client.signingAlg);
  // OIDC Core §2
  const payload: Record<string, unknown> = {
    ...input.claims,
    iss: deps.config.issuer,
    sub: input.sub,
    aud: input.client.id,
    iat: now,
    exp: now + ID_TOKEN_TTL_SECONDS,
  };
  if (input.nonce) payload['nonce'] = input.nonce;
  if (input.authTime) payload['auth_time'] = input.authTime;
  if (input.amr.length) payload['amr'] = input.amr;
  if (input.accessToken) payload['at_hash'] = atHash(input.accessToken);
  return signJws(input.client.signingAlg, key, { typ: 'JWT', kid }, payload);
}
