import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminEvent, CLI } from '../../src/admin/context.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

const SPA = 'https://spa.example.test';
const WEB = 'https://web.example.test';
const EVIL = 'https://evil.example.test';

const preflight = (t: TestApp, path: string, origin: string, method = 'POST') =>
  t.request(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS (browser apps)', () => {
  let t: TestApp;
  let client: { id: string; secret?: string };
  before(async () => {
    t = await testApp();
    client = await t.addClient({
      redirectUris: [`${SPA}/callback`, 'com.example.app:/cb'],
      grants: ['client_credentials', 'authorization_code'],
    });
    // A web origin (set through the store: the client option is another change's).
    const record = await t.deps.store.clients.find(client.id);
    assert.ok(record);
    await t.deps.store.clients.update(
      { ...record, webOrigins: [WEB] },
      adminEvent(CLI, 'client_updated', t.clock.now(), { clientId: client.id }),
    );
  });
  after(() => t.close());

  for (const path of [
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
    '/jwks',
  ]) {
    it(`${path} is readable from any origin`, async () => {
      const res = await t.request(path, { headers: { origin: EVIL } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      const pre = await preflight(t, path, EVIL, 'GET');
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    });
  }

  for (const origin of [SPA, WEB]) {
    it(`/token: a preflight and the request from a registered origin (${origin})`, async () => {
      const pre = await preflight(t, '/token', origin);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
      assert.equal(pre.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
      assert.match(pre.headers.get('vary') ?? '', /Origin/);
      assert.equal(pre.headers.get('access-control-allow-credentials'), null);

      const res = await t.request(
        '/token',
        form(
          { grant_type: 'client_credentials' },
          { authorization: basic(client.id, client.secret ?? ''), origin },
        ),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.match(res.headers.get('vary') ?? '', /Origin/);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
    });
  }

  it('/userinfo and /revoke answer a registered origin, errors included', async () => {
    const pre = await preflight(t, '/userinfo', SPA, 'GET');
    assert.equal(pre.headers.get('access-control-allow-origin'), SPA);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET.*POST|POST.*GET/);
    const res = await t.request('/userinfo', { headers: { origin: SPA } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('access-control-allow-origin'), SPA);
    // The app may read the bearer challenge.
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
    const revoke = await preflight(t, '/revoke', SPA);
    assert.equal(revoke.headers.get('access-control-allow-origin'), SPA);
  });

  it('the self-service API and DELETE /session answer a registered origin', async () => {
    const api = await preflight(t, '/account/v1/sessions', SPA, 'GET');
    assert.equal(api.status, 204);
    assert.equal(api.headers.get('access-control-allow-origin'), SPA);
    const session = await preflight(t, '/session', SPA, 'DELETE');
    assert.equal(session.headers.get('access-control-allow-origin'), SPA);
    assert.match(session.headers.get('access-control-allow-methods') ?? '', /\bDELETE\b/);
  });

  it('an unknown origin gets no CORS header, on the preflight and on the request', async () => {
    for (const origin of [EVIL, 'null', `${SPA}:8443`, 'http://spa.example.test', 'x'.repeat(5000)]) {
      const pre = await preflight(t, '/token', origin);
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(pre.headers.get('access-control-allow-methods'), null);
      const res = await t.request(
        '/token',
        form(
          { grant_type: 'client_credentials' },
          { authorization: basic(client.id, client.secret ?? ''), origin },
        ),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('pages and the admin API answer no origin', async () => {
    for (const path of ['/login', '/account', '/admin/v1/users']) {
      const res = await t.request(path, { headers: { origin: SPA } });
      assert.equal(res.headers.get('access-control-allow-origin'), null, path);
    }
  });

  it('a new client origin is allowed at once, a removed one no longer', async () => {
    const other = 'https://other.example.test';
    assert.equal((await preflight(t, '/token', other)).headers.get('access-control-allow-origin'), null);
    const added = await t.addClient({ redirectUris: [`${other}/cb`], isPublic: true });
    // Read again on a miss, at most once a second (the admin API's write does not change the generation).
    assert.equal((await preflight(t, '/token', other)).headers.get('access-control-allow-origin'), null);
    t.clock.advance(1);
    assert.equal((await preflight(t, '/token', other)).headers.get('access-control-allow-origin'), other);
    await t.deps.store.clients.remove(added.id, adminEvent(CLI, 'client_removed', t.clock.now(), {}));
    t.clock.advance(30);
    assert.equal((await preflight(t, '/token', other)).headers.get('access-control-allow-origin'), null);
  });
});
