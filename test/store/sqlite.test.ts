import assert from 'node:assert/strict';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { storeContract } from './contract.js';

const tmp = tempDir('latchkey-store-');
after(() => tmp.cleanup());
let n = 0;
const tempFile = () => join(tmp.dir, `store-${++n}.db`);

storeContract('sqlite :memory:', () => createSqliteStore(':memory:'));

storeContract('sqlite file', () => createSqliteStore(tempFile()), {
  pair: () => {
    const file = tempFile();
    const a = createSqliteStore(file);
    const b = createSqliteStore(file);
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  },
});

describe('sqlite specifics', () => {
  it('opens a file in WAL mode with foreign keys on', async () => {
    const store = createSqliteStore(tempFile());
    try {
      assert.equal(store.raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.raw.pragma('foreign_keys', { simple: true }), 1);
    } finally {
      await store.close();
    }
  });

  const mode = (file: string) => statSync(file).mode & 0o777;

  it('creates the database file and its -wal and -shm files 0600, like latchkey.secret', async () => {
    const file = tempFile();
    const store = createSqliteStore(file);
    try {
      await store.scopes.upsert({ name: 'written', description: 'Written', builtin: false }, 1);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        assert.ok(existsSync(f), `${f} exists`);
        assert.equal(mode(f).toString(8), '600', f);
      }
    } finally {
      await store.close();
    }
  });

  it('tightens a database file an earlier version left 0644', async () => {
    const file = tempFile();
    await createSqliteStore(file).close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    chmodSync(`${file}-wal`, 0o644);
    const store = createSqliteStore(file);
    try {
      assert.equal(mode(file).toString(8), '600');
      assert.equal(mode(`${file}-wal`).toString(8), '600');
    } finally {
      await store.close();
    }
  });

  it('migrating an up-to-date database again is a no-op', async () => {
    const file = tempFile();
    const first = createSqliteStore(file);
    await first.scopes.upsert({ name: 'kept', description: 'Kept', builtin: false }, 1);
    await first.close();
    const second = createSqliteStore(file);
    try {
      assert.deepEqual(await second.scopes.findMany(['kept']), [
        { name: 'kept', description: 'Kept', builtin: false, managedBy: null },
      ]);
    } finally {
      await second.close();
    }
  });

  it('close() twice does not throw', async () => {
    const store = createSqliteStore(':memory:');
    await store.close();
    await store.close();
    assert.equal(store.raw.open, false);
  });
});
