import type { Deps } from '../deps.js';
import type { SigningKey } from '../store/types.js';
import { ID_TOKEN_TTL_SECONDS } from '../tokens/id-token.js';

/**
 * `keys rotate`: new keys become active; the old ones stay in the JWKS until every token they signed
 * has expired (the longest access-token TTL of any client, or the ID-token TTL, plus a minute of skew).
 */
export async function rotateKeys(deps: Pick<Deps, 'store' | 'keys'>): Promise<SigningKey[]> {
  const clients = await deps.store.clients.list();
  const longest = Math.max(ID_TOKEN_TTL_SECONDS, ...clients.map((c) => c.accessTokenTtlSeconds));
  return deps.keys.rotate(longest + 60);
}
