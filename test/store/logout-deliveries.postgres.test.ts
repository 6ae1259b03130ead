import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { newClient } from './contract.js';
import { logoutDeliveryChecks } from './logout-deliveries-checks.js';

/** The back-channel logout outbox on a real PostgreSQL (issue 18): one server for the file, a new database per store. */
let server: Promise<TestPostgres> | undefined;
after(async () => (await server)?.stop());

async function newDatabase(): Promise<string> {
  server ??= startPostgres();
  return (await server).newDatabase();
}

async function open(): Promise<PostgresStore> {
  return createPostgresStore(await newDatabase(), { listen: false });
}

logoutDeliveryChecks('postgres', {
  open,
  removeClient: async (store: Store, clientId: string) => {
    await (store as PostgresStore).cx.pool.query('delete from clients where id = $1', [clientId]);
  },
});

describe('store: logout deliveries on two PostgreSQL nodes', () => {
  it('two nodes draining at once never claim the same delivery', async () => {
    const url = await newDatabase();
    const a = await createPostgresStore(url, { listen: false, poolMax: 4 });
    const b = await createPostgresStore(url, { listen: false, migrate: false, poolMax: 4 });
    try {
      const NOW = 1_800_000_000;
      const client = await a.clients.create(newClient({ backchannelLogoutUri: 'https://rp.example/bc' }));
      // Queued rows, written directly: what `enqueueForSessions` writes for ended sessions.
      await a.cx.pool.query(
        `insert into logout_deliveries (client_id, uri, claims, attempts, next_attempt_at, created_at)
         select $1, 'https://rp.example/bc', '{}'::jsonb, 0, $2, $2 from generate_series(1, 60)`,
        [client.id, NOW],
      );
      const drains = Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? a : b).logoutDeliveries.claimDue(NOW, 5, NOW + 60),
      );
      const claimed = (await Promise.all(drains)).flat().map((d) => d.id);
      assert.equal(new Set(claimed).size, claimed.length, 'no delivery claimed twice');
      assert.equal(claimed.length, 60, 'every due delivery claimed once');
      assert.deepEqual(await b.logoutDeliveries.claimDue(NOW + 59, 100, NOW + 120), [], 'all leased');
      for (const row of await a.logoutDeliveries.list()) assert.equal(row.attempts, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
