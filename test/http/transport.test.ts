import assert from 'node:assert/strict';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { formSource } from '../../src/http/security.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { type Agent, actionOf, csrfOf } from '../helpers/agent.js';
import { browser, expectOAuthError, signIn } from '../helpers/oauth.js';
import { basic, form, startTestServer, type TestApp, tempDir, testApp } from '../helpers/server.js';

describe('a database locked by another process (SQLITE_BUSY)', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'latchkey.db');
  let t: TestApp;
  let other: SqliteStore;
  let client: { id: string; secret?: string };
  before(async () => {
    t = await testApp({ LATCHKEY_DB: file });
    client = await t.addClient({ grants: ['client_credentials'], tokenFormat: 'opaque' });
    other = createSqliteStore(file);
  });
  after(async () => {
    if (other.raw.inTransaction) other.raw.exec('ROLLBACK');
    await other.close();
    await t.close();
    tmp.cleanup();
  });

  const locked = async <T>(run: () => Promise<T>): Promise<T> => {
    other.raw.exec('BEGIN IMMEDIATE');
    try {
      return await run();
    } finally {
      other.raw.exec('ROLLBACK');
    }
  };

  it('a write answers 503 temporarily_unavailable with Retry-After at once, not after 5 s and not 500', async () => {
    const started = performance.now();
    const res = await locked(() =>
      t.request(
        '/token',
        form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
      ),
    );
    const elapsed = performance.now() - started;
    assert.equal(res.headers.get('retry-after'), '1');
    await expectOAuthError(res, 'temporarily_unavailable', 503);
    assert.ok(elapsed < 2_000, `answered after ${Math.round(elapsed)} ms`);
  });

  it('a page answers the hosted error page with 503', async () => {
    const app = await t.addClient({ redirectUris: ['https://app.example.test/cb'] });
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.id,
      redirect_uri: 'https://app.example.test/cb',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await locked(() => t.request(`/authorize?${query}`));
    const html = await res.text();
    assert.equal(res.status, 503, html);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('location'), null, 'nothing is sent to the redirect URI');
    assert.match(html, /Something went wrong/);
    assert.match(html, /temporarily_unavailable/);
  });

  it('answers normally once the lock is released', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200, await res.clone().text());
  });
});

describe('shutdown drains requests in flight (SIGTERM)', () => {
  it('finishes a request whose body is still arriving, sends Connection: close, and refuses new connections', async () => {
    const t = await startTestServer();
    try {
      const client = await t.addClient({ grants: ['client_credentials'] });
      const body = 'grant_type=client_credentials';
      const url = new URL('/token', t.url);
      const answer = new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            url,
            {
              method: 'POST',
              agent: new HttpAgent({ keepAlive: true }),
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(body.length),
                authorization: basic(client.id, client.secret!),
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                text += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.write(body.slice(0, 10));
          setTimeout(() => req.end(body.slice(10)), 400);
        },
      );
      await sleep(100);
      const closed = t.server.close();
      await assert.rejects(
        fetch(new URL('/healthz', t.url)),
        'a new connection is refused once shutdown has started',
      );
      const res = await answer;
      assert.equal(res.status, 200, res.text);
      assert.ok((JSON.parse(res.text) as { access_token?: string }).access_token);
      assert.equal(res.headers.connection, 'close', 'not kept alive for another request');
      await closed;
    } finally {
      await t.close();
    }
  });
});

describe('a method a path does not support: 405 with Allow (RFC 9110 §15.5.6)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  for (const [method, path, allow] of [
    ['PUT', '/token', 'POST'],
    ['GET', '/token', 'POST'],
    ['DELETE', '/introspect', 'POST'],
    ['PATCH', '/userinfo', 'GET, HEAD, POST'],
    ['POST', '/jwks', 'GET, HEAD'],
    ['OPTIONS', '/.well-known/openid-configuration', 'GET, HEAD'],
  ] as const) {
    it(`${method} ${path}: 405, Allow: ${allow}, invalid_request`, async () => {
      const res = await t.request(path, { method });
      assert.deepEqual(res.headers.get('allow')?.split(', ').sort(), allow.split(', ').sort());
      await expectOAuthError(res, 'invalid_request', 405);
    });
  }

  for (const [method, path] of [
    ['DELETE', '/authorize'],
    ['PUT', '/login'],
    ['PUT', '/consent'],
  ] as const) {
    it(`${method} ${path} (a page): 405 with Allow and the hosted error page`, async () => {
      const res = await t.request(path, { method });
      const html = await res.text();
      assert.equal(res.status, 405, html);
      assert.deepEqual(res.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(html, /Something went wrong/);
    });
  }

  it('a path that does not exist is still 404', async () => {
    await expectOAuthError(await t.request('/nowhere', { method: 'PUT' }), 'invalid_request', 404);
    await expectOAuthError(await t.request('/token/extra', { method: 'POST' }), 'invalid_request', 404);
  });
});

describe('browser security headers and CSRF (issue 8 #11)', () => {
  const CB = 'https://app.example.test:8443/cb';
  const AFTER_LOGOUT = 'https://rp.example.test/signed-out';
  let t: TestApp;
  let user: { email: string; password: string };
  let client: { id: string };
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    user = await t.addUser({});
    client = await t.addClient({ redirectUris: [CB], postLogoutRedirectUris: [AFTER_LOGOUT] });
  });
  after(() => t.close());

  const authorizeQuery = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: CB,
      scope: 'openid',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      ...extra,
    });

  const postLogin = (agent: Agent, html: string, headers: Record<string, string>) =>
    agent.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        csrf: csrfOf(html),
        email: user.email,
        password: user.password,
      }).toString(),
    });

  for (const headers of [
    { origin: 'null' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  ]) {
    it(`refuses a form with a valid CSRF token but ${JSON.stringify(headers)}`, async () => {
      const agent = browser(t);
      const page = await agent.go('/login');
      const res = await postLogin(agent, page.html!, headers);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<code>csrf<\/code>/);
      assert.equal(agent.cookies.has('lk_session'), false);
    });
  }

  for (const headers of [
    {},
    { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:3000' },
    { 'sec-fetch-site': 'none' },
  ]) {
    it(`accepts a form with a valid CSRF token and ${JSON.stringify(headers)}`, async () => {
      const agent = browser(t);
      const page = await agent.go('/login');
      const res = await postLogin(agent, page.html!, headers);
      assert.equal(res.status, 303, await res.text());
      assert.ok(agent.cookies.has('lk_session'));
    });
  }

  it('sends Referrer-Policy same-origin, so that a browser sends the real Origin with the pages’ forms', async () => {
    const res = await t.request('/login');
    assert.equal(res.headers.get('referrer-policy'), 'same-origin');
  });

  it('rotates the browser id at sign-in; the interaction goes on, the old id opens nothing', async () => {
    const agent = browser(t);
    const login = await agent.go(`/authorize?${authorizeQuery()}`);
    const before = agent.cookies.get('lk_browser');
    assert.ok(before);
    const consent = await agent.submit(login.html!, { email: user.email, password: user.password });
    const after = agent.cookies.get('lk_browser');
    assert.ok(after);
    assert.notEqual(after, before, 'a new browser id at sign-in');
    // The interaction moved to the new id: its consent page shows and its Allow reaches the client.
    assert.match(consent.html ?? '', /name="decision"/);
    const done = await agent.post(actionOf(consent.html!), {
      csrf: csrfOf(consent.html!),
      decision: 'allow',
    });
    assert.equal(`${done.external?.origin}${done.external?.pathname}`, CB);
    assert.ok(done.external?.searchParams.get('code'));

    // Whoever knew the old id (planted it, read a CSRF token made from it) has nothing any more.
    const planted = browser(t);
    planted.cookies.set('lk_browser', before);
    const second = await agent.go(`/authorize?${authorizeQuery({ prompt: 'login' })}`);
    const stolen = await planted.request(actionOf(second.html!));
    assert.equal(stolen.status, 400);
    assert.match(await stolen.text(), /interaction_expired/);
    const oldToken = csrfOf(login.html!);
    const replay = await agent.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: oldToken, email: user.email, password: user.password }).toString(),
    });
    assert.equal(replay.status, 403, 'a CSRF token of the old id is refused');
  });

  it('CSP: form-action self on every page, plus the client’s origin where a form ends at the client', async () => {
    const plain = await t.request('/login');
    assert.match(plain.headers.get('content-security-policy') ?? '', /form-action 'self'(;|$)/);
    const json = await t.request('/token', { method: 'POST' });
    assert.match(json.headers.get('content-security-policy') ?? '', /form-action 'self'(;|$)/);

    const agent = browser(t);
    const fresh = await t.addClient({ redirectUris: [CB] }); // not consented to yet
    const login = await agent.go(`/authorize?${authorizeQuery({ client_id: fresh.id })}`);
    assert.match(
      login.res!.headers.get('content-security-policy') ?? '',
      /form-action 'self' https:\/\/app\.example\.test:8443;/,
      'the sign-in ends with a redirect to the client: Chromium checks form-action on it',
    );
    const consent = await agent.submit(login.html!, { email: user.email, password: user.password });
    assert.match(
      consent.res!.headers.get('content-security-policy') ?? '',
      /form-action 'self' https:\/\/app\.example\.test:8443;/,
    );
    assert.match(consent.res!.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('CSP: the form_post page may post to its redirect URI’s origin', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const first = await agent.go(`/authorize?${authorizeQuery()}`);
    await agent.post(actionOf(first.html!), { csrf: csrfOf(first.html!), decision: 'allow' });
    const page = await agent.go(`/authorize?${authorizeQuery({ response_mode: 'form_post' })}`);
    assert.match(page.html ?? '', /id="form-post"/);
    const csp = page.res!.headers.get('content-security-policy') ?? '';
    assert.match(csp, /form-action 'self' https:\/\/app\.example\.test:8443;/);
    assert.match(csp, /frame-ancestors 'none'/);
  });

  it('CSP: the logout confirmation may lead to the post-logout redirect URI’s origin', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const q = new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: AFTER_LOGOUT });
    const page = await agent.go(`/logout?${q}`);
    assert.match(page.html ?? '', /name="csrf"/);
    assert.match(
      page.res!.headers.get('content-security-policy') ?? '',
      /form-action 'self' https:\/\/rp\.example\.test;/,
    );
  });

  it('a redirect URI that cannot be one clean CSP source adds none', () => {
    assert.equal(formSource('https://rp.example:8443/cb?x=1'), 'https://rp.example:8443');
    assert.equal(formSource('com.example.app:/cb'), 'com.example.app:');
    assert.equal(formSource('http://[::1]:5000/cb'), 'http:');
    assert.equal(formSource("http://a;script-src'unsafe-inline'/"), undefined);
    assert.equal(formSource('not a url'), undefined);
  });

  it('/healthz is never cached', async () => {
    const res = await t.request('/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('no Strict-Transport-Security over an http issuer', async () => {
    assert.equal((await t.request('/healthz')).headers.get('strict-transport-security'), null);
  });
});

describe('Strict-Transport-Security when the issuer is https (RFC 6797)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'https://id.example' });
  });
  after(() => t.close());

  for (const [what, path, init] of [
    ['a page', '/login', {}],
    ['discovery', '/.well-known/openid-configuration', {}],
    ['a JSON error', '/token', { method: 'POST' }],
    ['a 404', '/nowhere', {}],
    ['a 405', '/token', { method: 'PUT' }],
    ['a page error', '/authorize', {}],
  ] as const) {
    it(`on ${what}`, async () => {
      const res = await t.request(path, init);
      assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000');
    });
  }
});
