import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { form, type TestApp, tempDir, testApp } from '../helpers/server.js';

const ISSUER = 'https://id.example.test';
const DOCS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
type Doc = Record<string, unknown>;

async function getDoc(t: TestApp, path: string): Promise<Doc> {
  const res = await t.request(path);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return (await res.json()) as Doc;
}

describe('discovery (OIDC Discovery 1.0, RFC 8414)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER });
  });
  after(() => t.close());

  for (const path of DOCS) {
    it(`${path}: issuer and every URL built from ISSUER`, async () => {
      const doc = await getDoc(t, path);
      assert.equal(doc['issuer'], ISSUER);
      assert.equal(doc['token_endpoint'], `${ISSUER}/token`);
      assert.equal(doc['jwks_uri'], `${ISSUER}/jwks`);
      assert.equal(doc['introspection_endpoint'], `${ISSUER}/introspect`);
      assert.equal(doc['revocation_endpoint'], `${ISSUER}/revoke`);
      for (const [key, value] of Object.entries(doc)) {
        if (typeof value === 'string' && /^https?:/.test(value))
          assert.ok(value === ISSUER || value.startsWith(`${ISSUER}/`), `${key} = ${value}`);
      }
    });
  }

  it('both documents say the same', async () => {
    assert.deepEqual(await getDoc(t, DOCS[0]!), await getDoc(t, DOCS[1]!));
  });

  it('advertises the implemented grants, auth methods, algorithms and the built-in scopes', async () => {
    const doc = await getDoc(t, DOCS[0]!);
    assert.ok((doc['grant_types_supported'] as string[]).includes('client_credentials'));
    for (const key of [
      'token_endpoint_auth_methods_supported',
      'introspection_endpoint_auth_methods_supported',
      'revocation_endpoint_auth_methods_supported',
    ]) {
      const methods = doc[key] as string[];
      assert.ok(methods.includes('client_secret_basic') && methods.includes('client_secret_post'), key);
      assert.equal(methods.includes('private_key_jwt'), false, key);
    }
    assert.deepEqual([...(doc['id_token_signing_alg_values_supported'] as string[])].sort(), [
      'ES256',
      'RS256',
    ]);
    const scopes = doc['scopes_supported'] as string[];
    for (const s of ['openid', 'profile', 'email', 'offline_access']) assert.ok(scopes.includes(s), s);
    if (doc['code_challenge_methods_supported'] !== undefined)
      assert.deepEqual(doc['code_challenge_methods_supported'], ['S256']);
    if (doc['authorization_endpoint'] !== undefined)
      assert.equal(doc['authorization_response_iss_parameter_supported'], true);
  });

  it('advertises only endpoints that exist', async () => {
    const doc = await getDoc(t, DOCS[0]!);
    const post = new Set([
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'device_authorization_endpoint',
    ]);
    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    assert.ok(endpoints.length >= 4);
    for (const [key, url] of endpoints) {
      const path = new URL(url as string).pathname;
      const res = await t.request(path, post.has(key) ? form({}) : {});
      assert.notEqual(res.status, 404, `${key} ${path}`);
      assert.ok(res.status < 500, `${key} ${path} answered ${res.status}`);
    }
  });

  it('is cacheable', async () => {
    const res = await t.request(DOCS[0]!);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
  });
});

describe('discovery: a scope added later (by the CLI, another connection) appears at once', () => {
  const tmp = tempDir('latchkey-discovery-');
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER, LATCHKEY_DB: join(tmp.dir, 'latchkey.db') });
  });
  after(async () => {
    await t.close();
    tmp.cleanup();
  });

  it('lists the new scope in both documents', async () => {
    for (const path of DOCS)
      assert.equal(((await getDoc(t, path))['scopes_supported'] as string[]).includes('api:write'), false);
    const cli = createSqliteStore(join(tmp.dir, 'latchkey.db'));
    try {
      await cli.scopes.upsert({ name: 'api:write', description: 'Change things', builtin: false }, 1);
    } finally {
      await cli.close();
    }
    for (const path of DOCS)
      assert.ok(((await getDoc(t, path))['scopes_supported'] as string[]).includes('api:write'), path);
  });
});
