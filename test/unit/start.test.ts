import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { jsonLog } from '../../src/log.js';
import { start } from '../../src/start.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';

const tmp = tempDir('latchkey-start-');
after(() => tmp.cleanup());

/** Rows in every table but drizzle's own migration journal. */
function rowCounts(path: string): Record<string, number> {
  const store = createSqliteStore(path);
  try {
    const tables = store.raw
      .prepare("select name from sqlite_master where type = 'table' and name not like '\\_\\_%' escape '\\'")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables
        .filter((t) => !t.startsWith('sqlite_'))
        .map((t) => [t, (store.raw.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n]),
    );
  } finally {
    void store.close();
  }
}

describe('the composition root only builds', () => {
  it('buildDeps writes no row to a fresh database; start() seeds scopes and makes the keys', async () => {
    const path = join(tmp.dir, 'fresh.db');
    const config = loadConfig({ LATCHKEY_DB: path, LATCHKEY_SECRET: 'start-test-secret-0123456789abcdef' });
    const deps = await buildDeps(config, { clock: new FakeClock(), log: jsonLog('silent') });
    const built = rowCounts(path);
    assert.ok(Object.keys(built).includes('signing_keys'), 'the schema is there');
    for (const [table, n] of Object.entries(built)) assert.equal(n, 0, `${table} is empty after buildDeps`);

    await start(deps);
    const started = rowCounts(path);
    assert.equal(started['signing_keys'], 2, 'an ES256 and an RS256 key');
    assert.ok((started['scopes'] ?? 0) >= 4, 'the built-in scopes');
    await deps.store.close();
  });
});
