import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { reverseProxy } from '../helpers/net.js';
import { type Callback, startAuthorization, startCallback } from '../helpers/rp.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Chromium against latchkey under `/auth` behind a reverse proxy: the hosted pages, their assets, forms,
 * redirects and cookies work under the path, and a single-page app redeems its code from its own origin
 * (CORS) while a page of another origin cannot read the answer.
 */
describe('Chromium under /auth behind a reverse proxy, and CORS', () => {
  let s: TestServer;
  let proxy: Server;
  let issuer: string;
  let browser: Browser;
  let spa: Callback;
  let other: Callback;

  before(async () => {
    const proxyPort = await freePort();
    let serverPort = 0;
    proxy = reverseProxy(() => serverPort);
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${proxyPort}/auth`;
    s = await startTestServer({ ISSUER: issuer, LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    serverPort = s.server.port;
    browser = await launchBrowser();
    spa = await startCallback();
    other = await startCallback();
  });
  after(async () => {
    await browser?.close();
    await spa?.close();
    await other?.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await s?.close();
  });

  it('signs in through the pages under the path; the app redeems its code from the browser', async () => {
    const user = await s.addUser({});
    const app = await s.addClient({ name: 'Browser App', redirectUris: [spa.url], isPublic: true });
    const config = await oidc.discovery(new URL(issuer), app.id, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const flow = await startAuthorization(config, spa.url, 'openid email');

    const context = await browser.newContext();
    const page = await context.newPage();
    const issuerOrigin = new URL(issuer).origin;
    const outside: string[] = [];
    const assets: number[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin === issuerOrigin && !url.pathname.startsWith('/auth/')) outside.push(url.pathname);
    });
    page.on('response', (r) => {
      if (r.url().endsWith('/auth/assets/latchkey.css')) assets.push(r.status());
    });
    const arrived = spa.next();
    await page.goto(flow.url.href);
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const callback = (await arrived) as URL;
    assert.deepEqual(outside, [], 'nothing asked outside the path');
    assert.ok(assets.length > 0 && assets.every((status) => status === 200 || status === 304), `${assets}`);
    const cookies = await context.cookies();
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) assert.equal(cookie.path, '/auth', cookie.name);

    // The page is now on the app's origin: it redeems the code with fetch, as oidc-client-ts does.
    const token = `${issuer}/token`;
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: spa.url,
      client_id: app.id,
      code_verifier: flow.verifier,
    }).toString();
    const redeemed = await page.evaluate(
      async ({ token, body }) => {
        const res = await fetch(token, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        return {
          status: res.status,
          json: (await res.json()) as { access_token?: string; id_token?: string },
        };
      },
      { token, body },
    );
    assert.equal(redeemed.status, 200);
    assert.ok(redeemed.json.access_token && redeemed.json.id_token);
    // With the `Authorization` header: a preflight first.
    const info = await page.evaluate(
      async ({ url, at }) => {
        const res = await fetch(url, { headers: { authorization: `Bearer ${at}` } });
        return { status: res.status, json: (await res.json()) as { email?: string } };
      },
      { url: `${issuer}/userinfo`, at: redeemed.json.access_token ?? '' },
    );
    assert.equal(info.status, 200);
    assert.equal(info.json.email, user.email);

    // A page of another origin can read the JWKS, but no answer of /userinfo.
    await page.goto(other.url);
    const fromOther = await page.evaluate(
      async ({ issuer, at }) => {
        const jwks = await fetch(`${issuer}/jwks`).then((r) => r.status);
        const userinfo = await fetch(`${issuer}/userinfo`, {
          headers: { authorization: `Bearer ${at}` },
        }).then(
          (r) => `read ${r.status}`,
          (err: Error) => `blocked: ${err.name}`,
        );
        return { jwks, userinfo };
      },
      { issuer, at: redeemed.json.access_token ?? '' },
    );
    assert.deepEqual(fromOther, { jwks: 200, userinfo: 'blocked: TypeError' });
    await context.close();
  });
});
