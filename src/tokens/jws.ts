import { type KeyObject, sign } from 'node:crypto';
import type { SigningAlg } from '../store/types.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * JWS Compact Serialization (RFC 7515 §7.1) signed with node:crypto directly: jose v6 signs through
 * WebCrypto, about three times the CPU per token on the token endpoint. Everything else about JWTs
 * (verification, JWK import/export) stays with jose, and the tests verify every token kind with jose.
 * ES256 signatures are the raw r||s pair (RFC 7518 §3.4); RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (§3.3).
 */
export function signJws(
  alg: SigningAlg,
  key: KeyObject,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${b64({ ...header, alg })}.${b64(payload)}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
