import assert from 'node:assert/strict';
import { it } from 'node:test';
import { testApp } from '../helpers/server.js';

/** For the `*.postgres.test.ts` files that re-run HTTP tests: proves their test apps really are on PostgreSQL. */
export function onPostgresCheck(): void {
  it('these test apps run on PostgreSQL (LATCHKEY_TEST_PG=1)', async () => {
    const t = await testApp();
    try {
      assert.match(t.deps.config.dbPath, /^postgres:\/\//);
      assert.ok('cx' in t.deps.store, 'the PostgreSQL store');
    } finally {
      await t.close();
    }
  });
}
