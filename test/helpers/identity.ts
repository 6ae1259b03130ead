import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/store/types.js';

/**
 * Links a user to an upstream identity straight through the store, as linking from `/account` does: the
 * password goes and the user's other sessions (all but `keepSessionHash`) end. For tests of what follows a
 * link (an admin unlink) without an upstream provider.
 */
export async function linkUpstream(
  store: Pick<Store, 'identities'>,
  userId: string,
  now: number,
  keepSessionHash: string | null = null,
): Promise<void> {
  const linked = await store.identities.link(
    {
      userId,
      providerSlug: 'google',
      issuer: 'https://accounts.example.test',
      subject: randomBytes(8).toString('hex'),
      createdAt: now,
    },
    keepSessionHash,
    now,
    { at: now, type: 'provider_linked', userId, clientId: null, ip: null, detail: null },
  );
  if (!linked) throw new Error(`user ${userId} is linked already`);
}
