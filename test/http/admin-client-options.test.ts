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
import { type AdminFixture, adminFixture, expectApiError } from './admin-fixture.js';

/** Issue 13's client options through the admin API and the config file: the same names, the same rules. */
describe('client options of issue 13: admin API and config file', () => {
  let f: AdminFixture;
  let token: string;
  const call = (method: string, path: string, body?: unknown) => f.call(token, method, path, body);
  const tmp = tempDir('latchkey-i13-options-');

  before(async () => {
    f = await adminFixture();
    token = (await f.caller(['admin'])).token;
  });
  after(async () => {
    await f.t.close();
    tmp.cleanup();
  });

  it('POST takes every member and answers them; defaults: RS256 ID tokens, ES256 access tokens', async () => {
    const plain = await json(await call('POST', '/clients', { name: 'Plain' }));
    assert.equal(plain['id_token_alg'], 'RS256');
    assert.equal(plain['access_token_alg'], 'ES256');
    assert.equal(plain['id_token_claims'], 'full');
    assert.equal(plain['backchannel_logout_uri'], null);
    assert.equal(plain['backchannel_logout_session_required'], true);
    assert.deepEqual(plain['web_origins'], []);

    const res = await call('POST', '/clients', {
      name: 'Full',
      id_token_alg: 'ES256',
      access_token_alg: 'RS256',
      id_token_claims: 'minimal',
      backchannel_logout_uri: 'https://full.example.test/bc',
      backchannel_logout_session_required: false,
      web_origins: ['https://spa.example.test'],
    });
    const full: Json = await json(res);
    assert.equal(res.status, 201, JSON.stringify(full));
    assert.equal(full['id_token_alg'], 'ES256');
    assert.equal(full['access_token_alg'], 'RS256');
    assert.equal(full['id_token_claims'], 'minimal');
    assert.equal(full['backchannel_logout_uri'], 'https://full.example.test/bc');
    assert.equal(full['backchannel_logout_session_required'], false);
    assert.deepEqual(full['web_origins'], ['https://spa.example.test']);

    const patched = await json(
      await call('PATCH', `/clients/${full['client_id']}`, {
        backchannel_logout_uri: null,
        signing_alg: 'RS256',
      }),
    );
    assert.equal(patched['backchannel_logout_uri'], null);
    assert.equal(patched['id_token_alg'], 'RS256', 'signing_alg sets both');
    assert.equal(patched['access_token_alg'], 'RS256');
  });

  it('refuses bad values naming the member', async () => {
    const cases: [Json, string][] = [
      [{ name: 'x', web_origins: ['https://spa.example.test/path'] }, 'web_origins'],
      [{ name: 'x', backchannel_logout_uri: 'http://rp.example.test/bc' }, 'backchannel_logout_uri'],
      [{ name: 'x', backchannel_logout_uri: 'https://rp.example.test/bc#f' }, 'backchannel_logout_uri'],
      [{ name: 'x', id_token_alg: 'HS256' }, 'id_token_alg'],
      [{ name: 'x', id_token_claims: 'some' }, 'id_token_claims'],
    ];
    for (const [body, field] of cases) {
      const err = await expectApiError(await call('POST', '/clients', body), 400, 'invalid_request', field);
      assert.equal(typeof err['error_description'], 'string');
    }
  });

  it('a declarative PUT (as the config file) that names no ID-token algorithm keeps the client’s', async () => {
    const body = { name: 'Pinned', redirect_uris: ['https://pinned.example.test/cb'] };
    const created = await call('PUT', '/clients/pinned', { ...body, id_token_alg: 'ES256' });
    assert.equal(created.status, 201);
    const again = await call('PUT', '/clients/pinned', body);
    assert.equal(again.status, 200);
    assert.equal(
      ((await json(again)) as Json)['id_token_alg'],
      'ES256',
      'a relying party that pinned ES256 goes on',
    );
    assert.equal((await f.t.deps.store.clients.find('pinned'))?.idTokenAlg, 'ES256');
    const moved = await json(await call('PUT', '/clients/pinned', { ...body, id_token_alg: 'RS256' }));
    assert.equal(moved['id_token_alg'], 'RS256');
    const fresh = await json(await call('PUT', '/clients/fresh', body));
    assert.equal(fresh['id_token_alg'], 'RS256', 'a new client gets the default');
  });

  it('the config file takes the same keys, and a repeated start changes nothing', async () => {
    const dir = join(tmp.dir, 'config');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'latchkey.yaml');
    writeFileSync(
      file,
      `
clients:
  - client_id: spa
    name: SPA
    public: true
    redirect_uris: [https://spa.example.test/cb]
    id_token_alg: ES256
    id_token_claims: minimal
    backchannel_logout_uri: https://spa.example.test/bc
    backchannel_logout_session_required: false
    web_origins: [https://spa.example.test]
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
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    for (let round = 0; round < 2; round++) {
      const deps = await buildDeps(loadConfig(env), { clock, log: quiet });
      try {
        await start(deps);
        const spa = await deps.store.clients.find('spa');
        assert.equal(spa?.idTokenAlg, 'ES256');
        assert.equal(spa?.signingAlg, 'ES256');
        assert.equal(spa?.idTokenClaims, 'minimal');
        assert.equal(spa?.backchannelLogoutUri, 'https://spa.example.test/bc');
        assert.equal(spa?.backchannelLogoutSessionRequired, false);
        assert.deepEqual(spa?.webOrigins, ['https://spa.example.test']);
        const plain = await deps.store.clients.find('plain');
        assert.equal(plain?.idTokenAlg, 'RS256');
        assert.equal(plain?.backchannelLogoutUri, null);
        if (round === 1) {
          const updates = (await deps.store.events.list(100)).filter((e) => e.type === 'client_updated');
          assert.equal(updates.length, 0, 'the same file again changes nothing');
        }
      } finally {
        await deps.store.close();
      }
      clock.advance(60);
    }
  });
});
