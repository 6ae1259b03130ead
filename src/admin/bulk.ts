import { randomUUID } from 'node:crypto';
import { randomToken, sha256 } from '../crypto/hash.js';
import { hashPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import type { Issued, NewUser } from '../store/types.js';
import { createClient } from './clients.js';

export const SEED_PASSWORD = 'seeded-user-password-1';
const CHUNK = 10_000;

/**
 * Benchmark data: N users (`seed-<i>@bench.test`, one shared password) and N refresh-token families of a
 * `bench-seed` client, in chunks of one transaction each.
 */
export async function bulkSeed(deps: Pick<Deps, 'store' | 'clock'>, users: number, tokens: number) {
  const now = deps.clock.now();
  const passwordHash = await hashPassword(SEED_PASSWORD);
  const base = (await deps.store.users.count()) + 1;
  let client = await deps.store.clients.find('bench-seed');
  if (!client)
    client = (
      await createClient(deps, {
        name: 'bench-seed',
        clientId: 'bench-seed',
        grants: ['refresh_token', 'client_credentials'],
      })
    ).client;
  const userIds: string[] = [];
  for (let start = 0; start < Math.max(users, tokens); start += CHUNK) {
    const batchUsers: NewUser[] = [];
    for (let i = start; i < Math.min(users, start + CHUNK); i++) {
      const id = randomUUID();
      if (userIds.length < 1000) userIds.push(id);
      batchUsers.push({
        id,
        email: `seed-${base + i}-${id.slice(0, 8)}@bench.test`,
        emailVerified: true,
        name: `Seed User ${base + i}`,
        givenName: 'Seed',
        familyName: `User ${base + i}`,
        roles: [],
        passwordHash,
        createdAt: now,
      });
    }
    const issued: Issued[] = [];
    for (let i = start; i < Math.min(tokens, start + CHUNK); i++) {
      const grantId = randomToken(12);
      issued.push({
        grant: {
          id: grantId,
          clientId: client.id,
          userId: userIds.length ? userIds[i % userIds.length]! : null,
          sessionHash: null,
          scope: 'openid offline_access',
          resource: null,
          authTime: now,
          amr: ['pwd'],
          nonce: null,
          createdAt: now,
          expiresAt: now + 30 * 86400,
          revokedAt: null,
        },
        refresh: {
          hash: sha256(randomToken()),
          grantId,
          clientId: client.id,
          createdAt: now,
          expiresAt: now + 30 * 86400,
          rotatedAt: null,
          retrySealed: null,
        },
      });
    }
    // Users first so grants can point at them.
    await deps.store.bulk.insert(batchUsers, []);
    await deps.store.bulk.insert([], issued);
  }
  await deps.store.bulk.settle();
  return { users, tokens, client_id: client.id, password: SEED_PASSWORD };
}
