import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { mailOutboxChecks } from './mail-outbox-checks.js';

/** The mail outbox on a real PostgreSQL (issue 18): one server for the file, a new database per store. */
let server: Promise<TestPostgres> | undefined;
after(async () => (await server)?.stop());

async function newDatabase(): Promise<string> {
  server ??= startPostgres();
  return (await server).newDatabase();
}

async function open(): Promise<PostgresStore> {
  return createPostgresStore(await newDatabase(), { listen: false });
}

mailOutboxChecks('postgres', open);

describe('store: mail outbox on two PostgreSQL nodes', () => {
  it('two nodes draining at once never claim the same mail', async () => {
    const url = await newDatabase();
    const a = await createPostgresStore(url, { listen: false, poolMax: 4 });
    const b = await createPostgresStore(url, { listen: false, migrate: false, poolMax: 4 });
    try {
      const NOW = 1_800_000_000;
      const ids: number[] = [];
      for (let i = 0; i < 60; i++)
        ids.push(
          await a.mailOutbox.enqueue({ recipient: `u${i}@example.test`, subject: 's', bodySealed: 'x' }, NOW),
        );
      const drains = Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? a : b).mailOutbox.claimDue(NOW, 5, NOW + 60),
      );
      const claimed = (await Promise.all(drains)).flat().map((m) => m.id);
      assert.equal(new Set(claimed).size, claimed.length, 'no mail claimed twice');
      assert.equal(claimed.length, 60, 'every due mail claimed once');
      assert.deepEqual(await b.mailOutbox.claimDue(NOW + 59, 100, NOW + 120), [], 'all leased');
      for (const mail of await a.mailOutbox.list()) assert.equal(mail.attempts, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
