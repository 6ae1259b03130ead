import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { type Json, json, run } from './run.js';

/** Issue 15: `--require-verified-email` on `client add` / `client update`, in `--json` and in `client list`. */
describe('latchkey CLI: --require-verified-email', () => {
  const tmp = tempDir('latchkey-cli-verified-');
  const dbPath = join(tmp.dir, 'latchkey.db');
  const env = { LATCHKEY_DB: dbPath, LATCHKEY_SECRET: 'cli-verified-test-secret-0123456789abcdef' };
  after(() => tmp.cleanup());
  const stored = async (id: string) => {
    const store = createSqliteStore(dbPath);
    try {
      return await store.clients.find(id);
    } finally {
      await store.close();
    }
  };

  it('the help of client add and client update names the option', async () => {
    assert.ok((await run(['client', 'add', '--help'], env)).stdout.includes('[--require-verified-email]'));
    assert.ok(
      (await run(['client', 'update', '--help'], env)).stdout.includes(
        '[--require-verified-email|--no-require-verified-email]',
      ),
    );
  });

  it('client add sets it, update turns it off and on, list shows it; off by default', async () => {
    const strict = await json(
      [
        'client',
        'add',
        '--name',
        'Strict',
        '--redirect-uri',
        'https://s.example.test/cb',
        '--require-verified-email',
      ],
      env,
    );
    assert.equal(strict['require_verified_email'], true);
    assert.equal((await stored(strict['client_id'] as string))?.requireVerifiedEmail, true);

    const plain = await json(
      ['client', 'add', '--name', 'Plain', '--redirect-uri', 'https://p.example.test/cb'],
      env,
    );
    assert.equal(plain['require_verified_email'], false, 'off unless asked for');

    const id = strict['client_id'] as string;
    const off = await json(['client', 'update', id, '--no-require-verified-email'], env);
    assert.equal(off['require_verified_email'], false);
    assert.deepEqual(off['changed'], ['require_verified_email']);
    assert.equal((await stored(id))?.requireVerifiedEmail, false);

    const text = await run(['client', 'update', id, '--require-verified-email'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /--require-verified-email/, 'the text names the flag it changed');
    assert.equal((await stored(id))?.requireVerifiedEmail, true);

    const list = await json<Json[]>(['client', 'list'], env);
    const byId = new Map(list.map((c) => [c['client_id'], c['require_verified_email']]));
    assert.equal(byId.get(id), true);
    assert.equal(byId.get(plain['client_id']), false);
  });
});
