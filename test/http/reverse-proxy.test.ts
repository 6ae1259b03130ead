import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { ConfigError, loadConfig } from '../../src/config.js';
import { clientIp, trustedProxies } from '../../src/http/net.js';
import { attemptSignIn } from '../helpers/agent.js';
import { browser } from '../helpers/oauth.js';
import { startTestServer, type TestApp, testApp } from '../helpers/server.js';

const ipOf = (proxies: string[]) => {
  const app = new Hono();
  app.use('*', trustedProxies(proxies));
  app.get('/', (c) => c.text(clientIp(c)));
  return async (peer: string, headers: Record<string, string> = {}) =>
    (await app.request('http://x/', { headers }, { incoming: { socket: { remoteAddress: peer } } })).text();
};

describe('trusted proxies (LATCHKEY_TRUSTED_PROXIES)', () => {
  it('a Forwarded header the browser sent through an X-Forwarded-For proxy is not believed', async () => {
    const ip = ipOf(['10.0.0.1']);
    // nginx appends to X-Forwarded-For and passes `Forwarded` through as the browser wrote it.
    assert.equal(
      await ip('10.0.0.1', { forwarded: 'for=192.0.2.1', 'x-forwarded-for': '198.51.100.4' }),
      '198.51.100.4',
    );
  });

  it('an untrusted peer is the client whatever it says', async () => {
    const ip = ipOf(['10.0.0.1']);
    assert.equal(await ip('192.0.2.50', { forwarded: 'for=198.51.100.4' }), '192.0.2.50');
    assert.equal(await ip('192.0.2.50', { 'x-forwarded-for': '198.51.100.4' }), '192.0.2.50');
  });

  it('a header that names no address leaves the proxy as the client', async () => {
    const ip = ipOf(['10.0.0.1']);
    for (const headers of [
      {},
      { 'x-forwarded-for': '' },
      { 'x-forwarded-for': 'unknown' },
      { 'x-forwarded-for': 'x'.repeat(10_000) },
      { forwarded: 'for=_hidden' },
      { forwarded: 'for=unknown;proto=https' },
      { forwarded: '=;;,,' },
    ])
      assert.equal(await ip('10.0.0.1', headers), '10.0.0.1', JSON.stringify(headers).slice(0, 80));
  });

  it('refuses an entry that is no address or CIDR, naming the variable', () => {
    for (const value of ['10.0.0.0/33', 'proxy.example.test', '10.0.0.1/8/1', '::1/129', 'fe80::1%eth0'])
      assert.throws(
        () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_TRUSTED_PROXIES: value }),
        (err: Error) => err instanceof ConfigError && err.message.includes('LATCHKEY_TRUSTED_PROXIES'),
        value,
      );
    const config = loadConfig({
      LATCHKEY_DB: ':memory:',
      LATCHKEY_TRUSTED_PROXIES: '10.0.0.0/8, ::1 127.0.0.1',
    });
    assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '::1', '127.0.0.1']);
  });
});

describe('a trusted-proxy list that trusts every address', () => {
  it('is taken, with a warning at start', async () => {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (message: string) => warnings.push(message), error: () => {} };
    const s = await startTestServer({ LATCHKEY_TRUSTED_PROXIES: '0.0.0.0/0' }, { log });
    await s.close();
    assert.ok(
      warnings.some((w) => w.includes('LATCHKEY_TRUSTED_PROXIES trusts every address')),
      warnings.join('; '),
    );
  });
});

describe('an issuer with a path', () => {
  it('refuses a path to decode or resolve', () => {
    for (const issuer of [
      'https://id.example.test/a%2fb',
      'https://id.example.test/a/../b',
      'https://id.example.test/a/%2e%2e/b',
      'https://id.example.test/a b',
    ])
      assert.throws(
        () => loadConfig({ LATCHKEY_DB: ':memory:', ISSUER: issuer }),
        (err: Error) => err instanceof ConfigError && err.message.includes('ISSUER'),
        issuer,
      );
    assert.equal(
      loadConfig({ LATCHKEY_DB: ':memory:', ISSUER: 'https://id.example.test/sso/auth/' }).issuer,
      'https://id.example.test/sso/auth',
    );
  });

  describe('served under it (https)', () => {
    const ISSUER = 'https://id.example.test/sso/auth';
    let t: TestApp;
    before(async () => {
      t = await testApp({ ISSUER });
    });
    after(() => t.close());

    it('every route is under the path, and nothing outside it', async () => {
      const doc = await t.request('/sso/auth/.well-known/openid-configuration');
      assert.equal(doc.status, 200);
      const meta = (await doc.json()) as Record<string, string>;
      assert.equal(meta['issuer'], ISSUER);
      assert.equal(meta['token_endpoint'], `${ISSUER}/token`);
      const rfc8414 = await t.request('/.well-known/oauth-authorization-server/sso/auth');
      assert.equal(rfc8414.status, 200);
      assert.equal(((await rfc8414.json()) as { issuer: string }).issuer, ISSUER);
      assert.equal((await t.request('/sso/auth/jwks')).status, 200);
      for (const path of ['/jwks', '/.well-known/openid-configuration', '/sso/jwks', '/sso/authx/jwks']) {
        const res = await t.request(path);
        assert.equal(res.status, 404, path);
        // The answer of the server, with its security headers.
        assert.equal(res.headers.get('x-frame-options'), 'DENY');
      }
      assert.equal(
        (await t.request('/.well-known/oauth-authorization-server/sso/auth', { method: 'POST' })).status,
        404,
      );
    });

    it('CORS under the path: the public documents for any origin, /token for a registered one', async () => {
      const spa = 'https://spa.example.test';
      await t.addClient({ redirectUris: [`${spa}/cb`], isPublic: true });
      const jwks = await t.request('/sso/auth/jwks', { headers: { origin: 'https://any.example.test' } });
      assert.equal(jwks.headers.get('access-control-allow-origin'), '*');
      const preflight = (origin: string) =>
        t.request('/sso/auth/token', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      assert.equal((await preflight(spa)).headers.get('access-control-allow-origin'), spa);
      assert.equal(
        (await preflight('https://any.example.test')).headers.get('access-control-allow-origin'),
        null,
      );
    });

    it('a return_to that climbs out of the path with dot segments lands under it', async () => {
      const user = await t.addUser({});
      for (const target of ['/../../grafana/x', '/%2e%2e/%2e%2e/grafana/x', '/a/./../../../grafana']) {
        const res = await attemptSignIn(
          browser(t),
          user.email,
          user.password,
          `/sso/auth/login?return_to=${encodeURIComponent(target)}`,
        );
        assert.equal(res.status, 303, target);
        const landed = new URL(res.headers.get('location') ?? '', ISSUER).pathname;
        assert.ok(landed.startsWith('/sso/auth/'), `${target} → ${landed}`);
      }
      const plain = await attemptSignIn(
        browser(t),
        user.email,
        user.password,
        '/sso/auth/login?return_to=%2Faccount%3Ftab%3D1',
      );
      assert.equal(plain.headers.get('location'), '/sso/auth/account?tab=1');
    });

    it('redirects, pages and a 405 under the path; __Host- cookies keep Path=/', async () => {
      const account = await t.request('/sso/auth/account');
      assert.equal(account.status, 303);
      assert.match(account.headers.get('location') ?? '', /^\/sso\/auth\/login\?/);
      const login = await t.request(account.headers.get('location') ?? '');
      assert.equal(login.status, 200);
      const html = await login.text();
      assert.match(html, /<link rel="stylesheet" href="\/sso\/auth\/assets\/latchkey\.css"/);
      assert.doesNotMatch(html, /(href|action|src)="\/(?!sso\/auth\/)/);
      const cookies = login.headers.getSetCookie();
      assert.ok(cookies.length > 0);
      // The prefix requires Path=/: rewritten, the browser would drop the cookie.
      for (const cookie of cookies) {
        assert.match(cookie, /^__Host-/);
        assert.match(cookie, /; Path=\/(;|$)/i);
      }
      const put = await t.request('/sso/auth/token', { method: 'PUT' });
      assert.equal(put.status, 405);
      assert.match(put.headers.get('allow') ?? '', /POST/);
    });
  });
});
