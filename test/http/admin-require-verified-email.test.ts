import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { start } from '../../src/start.js';
import { type Json, json } from '../helpers/oauth.js';
import { tempDir } from '../helpers/server.js';
import { type AdminFixture, adminFixture } from './admin-fixture.js';

/** Issue 15: `require_verified_email` through the admin API (and its OpenAPI) and the config file. */
describe('require_verified_email: admin API and config file', () => {
  let f: AdminFixture;
  let token: string;
  const call = (method: string, path: string, body?: unknown) => f.call(token, method, path, body);
  const tmp = tempDir('latchkey-verified-options-');

  before(async () => {
    f = await adminFixture();
    token = (await f.caller(['admin'])).token;
  });
  after(async () => {
    await f.t.close();
    tmp.cleanup();
  });

  it('POST, PATCH, PUT and GET carry it; off by default', async () => {
    const plain = await json(await call('POST', '/clients', { name: 'Plain' }));
    assert.equal(plain['require_verified_email'], false);

    const res = await call('POST', '/clients', { name: 'Strict', require_verified_email: true });
    const strict: Json = await json(res);
    assert.equal(res.status, 201, JSON.stringify(strict));
    assert.equal(strict['require_verified_email'], true);
    const id = strict['client_id'] as string;
    assert.equal((await f.t.deps.store.clients.find(id))?.requireVerifiedEmail, true);

    const patched = await json(await call('PATCH', `/clients/${id}`, { require_verified_email: false }));
    assert.equal(patched['require_verified_email'], false);
    assert.equal((await f.t.deps.store.clients.find(id))?.requireVerifiedEmail, false);

    const put = await call('PUT', '/clients/declared', { name: 'Declared', require_verified_email: true });
    assert.equal(put.status, 201);
    const got = await json(await call('GET', '/clients/declared'));
    assert.equal(got['require_verified_email'], true);
  });

  it('refuses a value that is not a boolean, naming the member', async () => {
    const res = await call('POST', '/clients', { name: 'x', require_verified_email: 'yes' });
    const body = await json(res);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(body), /require_verified_email/);
  });

  it('the OpenAPI document describes it on the Client', async () => {
    const doc = await json(await call('GET', '/openapi.json'));
    const client = doc['components']['schemas']['Client'];
    assert.equal(client['properties']['require_verified_email']['type'], 'boolean');
    assert.ok(client['required'].includes('require_verified_email'));
  });

  it('the config file takes require_verified_email, and a repeated start changes nothing', async () => {
    const dir = join(tmp.dir, 'config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'latchkey.yaml');
    writeFileSync(
      file,
      `
clients:
  - client_id: strict
    name: Strict
    public: true
    redirect_uris: [https://strict.example.test/cb]
    require_verified_email: true
  - client_id: plain
    name: Plain
    public: true
    redirect_uris: [https://plain.example.test/cb]
`,
    );
    const env = {
      LATCHKEY_DB: join(dir, 'latchkey.db'),
      LATCHKEY_CONFIG: file,
      LATCHKEY_SECRET: 'config-file-test-secret-0123456789abcdef',
    };
    const clock = new FakeClock();
    const lines: string[] = [];
    const log = { info: (m: string) => void lines.push(m), warn: () => {}, error: () => {} };
    for (let round = 0; round < 2; round++) {
      const deps = await buildDeps(loadConfig(env), { clock, log });
      try {
        lines.length = 0;
        await start(deps);
        assert.equal((await deps.store.clients.find('strict'))?.requireVerifiedEmail, true);
        assert.equal((await deps.store.clients.find('plain'))?.requireVerifiedEmail, false);
        if (round === 1)
          assert.deepEqual(
            lines.filter((l) => l.includes('client')),
            [],
            'nothing changed',
          );
      } finally {
        await deps.store.close();
      }
    }
    writeFileSync(
      file,
      `clients:\n  - client_id: strict\n    name: Strict\n    public: true\n    redirect_uris: [https://strict.example.test/cb]\n`,
    );
    const deps = await buildDeps(loadConfig(env), { clock, log });
    try {
      await start(deps);
      assert.equal(
        (await deps.store.clients.find('strict'))?.requireVerifiedEmail,
        false,
        'declarative: left out is off',
      );
    } finally {
      await deps.store.close();
    }
  });
});
