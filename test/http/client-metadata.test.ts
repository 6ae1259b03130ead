import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { start } from '../../src/start.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { json as cli, fails } from '../cli/run.js';
import { type Json, json } from '../helpers/oauth.js';
import { tempDir } from '../helpers/server.js';
import { type AdminFixture, adminFixture, expectApiError } from './admin-fixture.js';

const METADATA = {
  logo_uri: 'https://shop.example.test/logo.png',
  client_uri: 'https://shop.example.test/',
  policy_uri: 'https://shop.example.test/privacy',
  tos_uri: 'https://shop.example.test/terms',
};

/** Issue 14: RFC 7591 §2 client metadata (logo, home page, policy, terms) through every door, with one rule. */
describe('client metadata: logo_uri, client_uri, policy_uri, tos_uri', () => {
  let f: AdminFixture;
  let token: string;
  const call = (method: string, path: string, body?: unknown) => f.call(token, method, path, body);
  const tmp = tempDir('latchkey-i14-metadata-');

  before(async () => {
    f = await adminFixture();
    token = (await f.caller(['admin'])).token;
  });
  after(async () => {
    await f.t.close();
    tmp.cleanup();
  });

  it('the admin API takes and answers them; none by default; PATCH null removes one', async () => {
    const plain = await json(await call('POST', '/clients', { name: 'Plain' }));
    for (const key of Object.keys(METADATA)) assert.equal(plain[key], null, key);

    const res = await call('POST', '/clients', { name: 'Shop', ...METADATA });
    const shop: Json = await json(res);
    assert.equal(res.status, 201, JSON.stringify(shop));
    for (const [key, value] of Object.entries(METADATA)) assert.equal(shop[key], value, key);
    const stored = await f.t.deps.store.clients.find(shop['client_id'] as string);
    assert.equal(stored?.logoUri, METADATA.logo_uri);
    assert.equal(stored?.clientUri, METADATA.client_uri);
    assert.equal(stored?.policyUri, METADATA.policy_uri);
    assert.equal(stored?.tosUri, METADATA.tos_uri);

    const patched = await json(
      await call('PATCH', `/clients/${shop['client_id']}`, {
        tos_uri: null,
        logo_uri: 'http://127.0.0.1:8080/logo.svg',
      }),
    );
    assert.equal(patched['tos_uri'], null);
    assert.equal(patched['logo_uri'], 'http://127.0.0.1:8080/logo.svg', 'plain http to loopback is fine');
    assert.equal(patched['policy_uri'], METADATA.policy_uri, 'what PATCH leaves out stays');
  });

  it('an http:// logo URL off loopback is refused at registration, and so is anything not a clean https URI', async () => {
    const cases: [Json, string][] = [
      [{ logo_uri: 'http://cdn.example.test/logo.png' }, 'logo_uri'],
      [{ client_uri: 'http://shop.example.test/' }, 'client_uri'],
      [{ policy_uri: 'https://shop.example.test/privacy#top' }, 'policy_uri'],
      [{ tos_uri: 'https://user:pw@shop.example.test/terms' }, 'tos_uri'],
      [{ logo_uri: 'javascript:alert(1)' }, 'logo_uri'],
      [{ logo_uri: 'data:image/png;base64,AAAA' }, 'logo_uri'],
      [{ client_uri: 'not a uri' }, 'client_uri'],
      [{ client_uri: `https://shop.example.test/${'a'.repeat(2048)}` }, 'client_uri'],
    ];
    for (const [body, field] of cases) {
      const err = await expectApiError(
        await call('POST', '/clients', { name: 'Bad', ...body }),
        400,
        'invalid_request',
        field,
      );
      assert.equal(typeof err['error_description'], 'string');
    }
    const err = await expectApiError(
      await call('POST', '/clients', { name: 'Bad', logo_uri: 'http://cdn.example.test/logo.png' }),
      400,
      'invalid_request',
      'logo_uri',
    );
    assert.match(String(err['error_description']), /https \(plain http only to a loopback address\)/);
  });

  it('the config file takes the same keys and refuses the same values', async () => {
    const dir = join(tmp.dir, 'config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'latchkey.yaml');
    const yaml = (logo: string) => `
clients:
  - client_id: shop
    name: Shop
    public: true
    redirect_uris: [https://shop.example.test/cb]
    logo_uri: ${logo}
    client_uri: ${METADATA.client_uri}
    policy_uri: ${METADATA.policy_uri}
    tos_uri: ${METADATA.tos_uri}
`;
    writeFileSync(file, yaml(METADATA.logo_uri));
    const env = {
      LATCHKEY_DB: join(dir, 'latchkey.db'),
      LATCHKEY_CONFIG: file,
      LATCHKEY_SECRET: 'config-file-test-secret-0123456789abcdef',
    };
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const clock = new FakeClock();
    let deps = await buildDeps(loadConfig(env), { clock, log: quiet });
    try {
      await start(deps);
      const shop = await deps.store.clients.find('shop');
      assert.equal(shop?.logoUri, METADATA.logo_uri);
      assert.equal(shop?.clientUri, METADATA.client_uri);
      assert.equal(shop?.policyUri, METADATA.policy_uri);
      assert.equal(shop?.tosUri, METADATA.tos_uri);
    } finally {
      await deps.store.close();
    }
    writeFileSync(file, yaml('http://cdn.example.test/logo.png'));
    deps = await buildDeps(loadConfig(env), { clock, log: quiet });
    try {
      await assert.rejects(start(deps), (err: Error) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /logo_uri/);
        return true;
      });
    } finally {
      await deps.store.close();
    }
  });

  it('the CLI: --logo-uri --client-uri --policy-uri --tos-uri, and --no-… on update', async () => {
    const dbPath = join(tmp.dir, 'cli.db');
    const env = { LATCHKEY_DB: dbPath, LATCHKEY_SECRET: 'cli-test-secret-0123456789abcdef' };
    const added = await cli(
      [
        'client',
        'add',
        '--name',
        'Shop',
        '--redirect-uri',
        'https://shop.example.test/cb',
        '--logo-uri',
        METADATA.logo_uri,
        '--client-uri',
        METADATA.client_uri,
        '--policy-uri',
        METADATA.policy_uri,
        '--tos-uri',
        METADATA.tos_uri,
      ],
      env,
    );
    for (const [key, value] of Object.entries(METADATA)) assert.equal(added[key], value, key);
    const id = added['client_id'] as string;

    const updated = await cli(
      ['client', 'update', id, '--no-logo-uri', '--tos-uri', 'https://x.test/t'],
      env,
    );
    assert.equal(updated['logo_uri'], null);
    assert.equal(updated['tos_uri'], 'https://x.test/t');
    assert.deepEqual(updated['changed'], ['logo_uri', 'tos_uri']);
    const store = createSqliteStore(dbPath);
    try {
      const c = await store.clients.find(id);
      assert.equal(c?.logoUri, null);
      assert.equal(c?.clientUri, METADATA.client_uri);
    } finally {
      await store.close();
    }

    const refused = await fails(
      ['client', 'add', '--name', 'Bad', '--logo-uri', 'http://cdn.example.test/logo.png'],
      env,
    );
    assert.match(refused.message, /--logo-uri/);
    assert.match(refused.message, /plain http only to a loopback address/);
    const both = await fails(
      ['client', 'update', id, '--policy-uri', METADATA.policy_uri, '--no-policy-uri'],
      env,
      2,
    );
    assert.match(both.message, /contradict/);
  });
});
