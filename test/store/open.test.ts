import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';

describe('openStore', () => {
  it('opens a SQLite store for a path', async () => {
    const store = openStore({ dbPath: ':memory:' });
    try {
      assert.equal(await store.ping(), true);
    } finally {
      await store.close();
    }
  });

  for (const dbPath of ['postgres://latchkey:pw@db.example.test/latchkey', 'POSTGRESQL://db.example.test/lk'])
    it(`refuses ${dbPath.split(':')[0]}:// in one line, without echoing the URL`, () => {
      assert.throws(
        () => openStore({ dbPath }),
        (err: Error) =>
          err instanceof ConfigError &&
          /PostgreSQL dialect is not available yet/.test(err.message) &&
          !err.message.includes('\n') &&
          !err.message.includes('db.example.test'),
      );
    });
});
