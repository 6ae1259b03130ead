import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { Agent, actionOf, csrfOf } from '../helpers/agent.js';
import { reverseProxy } from '../helpers/net.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

/** The address the proxy says the browser has. */
const BROWSER_IP = '198.51.100.7';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

describe('behind a reverse proxy, under /auth (openid-client v6)', () => {
  let s: TestServer;
  let proxy: Server;
  let issuer: string;
  let user: { id: string; email: string; password: string };
  let app: { id: string; secret?: string };

  before(async () => {
    const proxyPort = await freePort();
    let serverPort = 0;
    proxy = reverseProxy(
      () => serverPort,
      () => BROWSER_IP,
    );
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${proxyPort}/auth`;
    s = await startTestServer({ ISSUER: issuer, LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    serverPort = s.server.port;
    user = await s.addUser({});
    app = await s.addClient({
      redirectUris: [REDIRECT_URI],
      grants: ['authorization_code', 'refresh_token'],
    });
  });
  after(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await s.close();
  });

  const configure = (algorithm: 'oidc' | 'oauth2') =>
    client.discovery(new URL(issuer), app.id, app.secret, client.ClientSecretBasic(app.secret ?? ''), {
      execute: [client.allowInsecureRequests],
      algorithm,
    });

  it('discovery under the path (OIDC) and RFC 8414 metadata at the root with the path appended', async () => {
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const meta = (await configure(algorithm)).serverMetadata();
      assert.equal(meta.issuer, issuer);
      assert.equal(meta.token_endpoint, `${issuer}/token`);
      assert.equal(meta.authorization_endpoint, `${issuer}/authorize`);
      assert.equal(meta.jwks_uri, `${issuer}/jwks`);
    }
    const origin = new URL(issuer).origin;
    for (const path of [
      '/auth/.well-known/oauth-authorization-server',
      '/auth/.well-known/openid-configuration',
    ]) {
      const res = await fetch(`${origin}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(((await res.json()) as { issuer: string }).issuer, issuer);
    }
    // Nothing is served outside the path.
    for (const path of ['/.well-known/openid-configuration', '/token', '/jwks', '/assets/latchkey.css']) {
      const res = await fetch(`${origin}${path}`);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
  });

  it('the code flow: pages, assets, form actions, redirects and cookies under the path', async () => {
    const config = await configure('oidc');
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const setCookies: string[] = [];
    const fetcher = async (input: string, init?: RequestInit) => {
      const res = await fetch(input, init);
      setCookies.push(...res.headers.getSetCookie());
      return res;
    };
    const browser = new Agent(fetcher, issuer);
    let step = await browser.go(url.toString());
    const login = step.html ?? '';
    // The page's own CSP (its form may end at the client) reaches the browser through the path.
    assert.match(
      step.res?.headers.get('content-security-policy') ?? '',
      /form-action 'self' http:\/\/127\.0\.0\.1:9/,
    );
    assert.match(login, /href="\/auth\/assets\/latchkey\.css"/);
    assert.match(actionOf(login), /^\/auth\/login/);
    const css = await fetch(`${new URL(issuer).origin}/auth/assets/latchkey.css`);
    assert.equal(css.status, 200);
    await css.body?.cancel();
    step = await browser.submit(login, { email: user.email, password: user.password }, issuer);
    if (!step.external) {
      const consent = step.html ?? '';
      assert.match(actionOf(consent), /^\/auth\/consent/);
      step = await browser.post(actionOf(consent), { csrf: csrfOf(consent), decision: 'allow' });
    }
    assert.ok(step.external, 'the flow reaches the callback');
    assert.ok(setCookies.length > 0);
    for (const cookie of setCookies) assert.match(cookie, /; Path=\/auth(;|$)/i, cookie);

    const tokens = await client.authorizationCodeGrant(config, step.external, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    assert.equal(claims?.iss, issuer);
    assert.equal(claims?.sub, user.id);
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    assert.equal(info.email, user.email);

    // The session's account page, under the path too.
    const account = await browser.go('/auth/account');
    assert.equal(account.res?.status, 200);
    assert.match(account.html ?? '', /action="\/auth\/account\//);
  });

  it('the client IP is what the trusted proxy says; a peer that is no proxy is not believed', async () => {
    const events = await s.deps.store.events.list(50);
    const login = events.find((e) => e.type === 'login' && e.userId === user.id);
    assert.ok(login, 'the sign-in is in the audit trail');
    assert.equal(login.ip, BROWSER_IP);

    // Straight to the server from 127.0.0.2 (not a trusted proxy), claiming another address.
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.server.port,
          localAddress: '127.0.0.2',
          method: 'POST',
          path: '/auth/token',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${app.id}:wrong-secret`).toString('base64')}`,
            'x-forwarded-for': '203.0.113.99',
          },
        },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('grant_type=client_credentials');
    });
    assert.equal(res, 401);
    const failed = (await s.deps.store.events.list(50)).find(
      (e) => e.clientId === app.id && e.type !== 'login' && e.ip !== null && e.ip !== BROWSER_IP,
    );
    assert.ok(failed, 'the failed client authentication is in the audit trail');
    assert.equal(failed.ip, '127.0.0.2');
  });
});
