import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('openStore', () => {
  let pg: TestPostgres | undefined;
  after(() => pg?.stop());

  it('opens a SQLite store for a path', async () => {
    const store = await openStore({ dbPath: ':memory:' });
    try {
      assert.equal(await store.ping(), true);
    } finally {
      await store.close();
    }
  });

  it('opens a PostgreSQL store for a postgres:// URL, migrated', async () => {
    pg = await startPostgres();
    const store = await openStore({ dbPath: pg.newDatabase() });
    try {
      assert.equal(await store.ping(), true);
      assert.equal(await store.unwritable(), undefined);
    } finally {
      await store.close();
    }
  });

  for (const dbPath of [
    'postgres://latchkey:pw-s3cret@127.0.0.1:1/latchkey',
    'POSTGRESQL://lk:pw-s3cret@127.0.0.1:1/lk',
  ])
    it(`refuses an unreachable ${dbPath.split(':')[0]}:// in one line, without the password`, async () => {
      await assert.rejects(openStore({ dbPath }), (err: Error) => {
        assert.ok(!err.message.includes('\n'), err.message);
        assert.ok(!err.message.includes('pw-s3cret'), err.message);
        return true;
      });
    });
});
