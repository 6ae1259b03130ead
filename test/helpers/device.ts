import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import type { Deps } from '../../src/deps.js';
import { userCodeHash } from '../../src/oauth/device.js';
import type { DeviceAuthorization } from '../../src/store/types.js';

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export interface PendingDevice {
  /** As a device shows it: `BCDF-GHJK`. */
  code: string;
  hash: string;
  find(): Promise<DeviceAuthorization | undefined>;
}

/**
 * A pending device authorization written straight to the store, at the app's clock, as
 * `POST /device_authorization` would leave it (that endpoint is built apart and joins these tests at the merge).
 */
export async function pendingDevice(
  t: { deps: Deps },
  clientId: string,
  o: { scope?: string; ttlSeconds?: number } = {},
): Promise<PendingDevice> {
  const raw = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const hash = userCodeHash(raw);
  const now = t.deps.clock.now();
  const created = await t.deps.store.devices.create(
    {
      deviceCodeHash: sha256(randomToken()),
      userCodeHash: hash,
      clientId,
      scope: o.scope ?? 'openid profile',
      status: 'pending',
      userId: null,
      sessionHash: null,
      authTime: null,
      amr: [],
      interval: 5,
      lastPollMs: 0,
      createdAt: now,
      expiresAt: now + (o.ttlSeconds ?? 600),
    },
    { at: now, type: 'device_authorization', userId: null, clientId, ip: null, detail: null },
  );
  assert.ok(created, 'the user code was taken');
  return {
    code: `${raw.slice(0, 4)}-${raw.slice(4)}`,
    hash,
    find: () => t.deps.store.devices.findByUserCode(hash),
  };
}
