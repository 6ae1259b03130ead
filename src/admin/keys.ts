import type { Deps } from '../deps.js';
import type { SigningKey } from '../store/types.js';
import { ID_TOKEN_TTL_SECONDS } from '../tokens/id-token.js';
import { type AdminContext, adminEvent, CLI } from './context.js';

/**
 * `keys rotate`: new keys become active; the old ones stay in the JWKS until every token they signed
 * has expired (the longest access-token TTL of any client, or the ID-token TTL, plus a minute of skew).
 */
export async function rotateKeys(
  deps: Pick<Deps, 'store' | 'keys' | 'clock'>,
  ctx: AdminContext = CLI,
): Promise<SigningKey[]> {
  const clients = await deps.store.clients.list();
  const longest = Math.max(ID_TOKEN_TTL_SECONDS, ...clients.map((c) => c.accessTokenTtlSeconds));
  // The row names the new kids: the key insert and its audit row are one unit of work.
  return deps.keys.rotate(longest + 60, (kids) =>
    adminEvent(ctx, 'keys_rotated', deps.clock.now(), { detail: { kids } }),
  );
}

/** The signing keys, newest first, without their private parts (`describeKey`). */
export async function listKeys(deps: Pick<Deps, 'store'>): Promise<SigningKey[]> {
  return (await deps.store.keys.list()).sort((a, b) => b.createdAt - a.createdAt);
}

/** What the API and the CLI print of a key: never its private part, sealed or not. */
export function describeKey(k: SigningKey): Record<string, unknown> {
  return {
    kid: k.kid,
    alg: k.alg,
    active: k.active,
    created_at: k.createdAt,
    retired_at: k.retiredAt,
    publish_until: k.publishUntil,
  };
}
