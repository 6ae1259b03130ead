import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { type Callback, startAuthorization, startCallback } from '../helpers/rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

const signIn = fillSignIn;

interface Rp {
  config: oidc.Configuration;
  start(
    extra?: Record<string, string>,
  ): Promise<{ url: URL; verifier: string; state: string; nonce: string }>;
}

async function relyingParty(
  t: TestServer,
  cb: Callback,
  client: { id: string; secret?: string },
): Promise<Rp> {
  const auth = client.secret ? oidc.ClientSecretBasic(client.secret) : oidc.None();
  const config = await oidc.discovery(new URL(t.issuer), client.id, client.secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  return {
    config,
    start: (extra = {}) => startAuthorization(config, cb.url, 'openid profile email offline_access', extra),
  };
}

describe('code flow through the hosted pages (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let cb: Callback;
  let user: { email: string; password: string; id: string };

  before(async () => {
    t = await startTestServer();
    browser = await launchBrowser();
    cb = await startCallback();
    user = await t.addUser({ name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
  });
  after(async () => {
    await browser?.close();
    await cb?.close();
    await t?.close();
  });

  /** Signs in on a fresh browser context and approves consent; returns the context (signed in). */
  async function signedInContext(
    rp: Rp,
  ): Promise<{ context: BrowserContext; callback: URL; flow: Awaited<ReturnType<Rp['start']>> }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await rp.start();
    await page.goto(flow.url.href);
    const arrived = cb.next();
    await signIn(page, user.email, user.password);
    // First-party clients skip consent; others show it.
    const allow = page.getByRole('button', { name: 'Allow', exact: true });
    const outcome = await Promise.race([
      arrived.then(() => 'callback'),
      allow.waitFor().then(() => 'consent'),
    ]);
    if (outcome === 'consent') await allow.click();
    return { context, callback: (await arrived) as URL, flow };
  }

  it('signs in, consents and redeems the code for a confidential client', async () => {
    const client = await t.addClient({ name: 'Partner App', redirectUris: [cb.url] });
    const rp = await relyingParty(t, cb, client);
    const flow = await rp.start();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(flow.url.href);
    await signIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
    assert.ok(await page.getByText('Partner App').first().isVisible());
    for (const d of ['Confirm your identity', 'Your name', 'Your email address', 'Stay signed in']) {
      assert.ok(await page.getByRole('listitem').filter({ hasText: d }).isVisible(), d);
    }
    const arrived = cb.next();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const callbackUrl = (await arrived) as URL;
    assert.equal(callbackUrl.searchParams.get('iss'), t.issuer);
    const tokens = await oidc.authorizationCodeGrant(rp.config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.id);
    assert.equal(claims['email'], user.email);
    assert.deepEqual(claims['amr'], ['pwd']);
    assert.ok(tokens.refresh_token);
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, user.id);
    assert.equal(info['name'], 'Ada Lovelace');

    // Consent is remembered: the next sign-in for the same scopes goes straight back to the app.
    const again = await rp.start();
    const next = cb.next();
    await page.goto(again.url.href);
    const url = (await next) as URL;
    assert.ok(url.searchParams.get('code'));
    await context.close();
  });

  it('serves a public client with PKCE and no secret', async () => {
    const client = await t.addClient({ name: 'Mobile App', isPublic: true, redirectUris: [cb.url] });
    assert.equal(client.secret, undefined);
    const rp = await relyingParty(t, cb, client);
    const { context, callback, flow } = await signedInContext(rp);
    const tokens = await oidc.authorizationCodeGrant(rp.config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()!.sub, user.id);
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    await context.close();
  });

  it('returns access_denied to the app when the user denies', async () => {
    const client = await t.addClient({ name: 'Nosy App', redirectUris: [cb.url] });
    const rp = await relyingParty(t, cb, client);
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await rp.start();
    await page.goto(flow.url.href);
    await signIn(page, user.email, user.password);
    const arrived = cb.next();
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    const url = (await arrived) as URL;
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), flow.state);
    assert.equal(url.searchParams.get('iss'), t.issuer);
    await context.close();
  });

  it('shows the same alert for a wrong password and an unknown email', async () => {
    const client = await t.addClient({ name: 'Alert App', redirectUris: [cb.url] });
    const rp = await relyingParty(t, cb, client);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto((await rp.start()).url.href);
    await signIn(page, user.email, 'not-the-password');
    const wrong = await page.getByRole('alert').textContent();
    await signIn(page, 'nobody@example.test', 'not-the-password');
    const unknown = await page.getByRole('alert').textContent();
    assert.ok(wrong?.includes('Incorrect email or password'));
    assert.equal(wrong, unknown);
    await context.close();
  });

  it('answers prompt=none with a code when signed in and login_required when not', async () => {
    const client = await t.addClient({ name: 'Silent App', redirectUris: [cb.url], firstParty: true });
    const rp = await relyingParty(t, cb, client);
    const { context } = await signedInContext(rp);
    const page = await context.newPage();
    const silent = await rp.start({ prompt: 'none' });
    let arrived = cb.next();
    await page.goto(silent.url.href);
    assert.ok(((await arrived) as URL).searchParams.get('code'));

    const anonymous = await browser.newContext();
    const anonPage = await anonymous.newPage();
    arrived = cb.next();
    await anonPage.goto((await rp.start({ prompt: 'none' })).url.href);
    assert.equal(((await arrived) as URL).searchParams.get('error'), 'login_required');
    await anonymous.close();
    await context.close();
  });

  it('asks for the password again when max_age has passed', async () => {
    const client = await t.addClient({ name: 'Strict App', redirectUris: [cb.url], firstParty: true });
    const rp = await relyingParty(t, cb, client);
    const { context } = await signedInContext(rp);
    const page = await context.newPage();
    await new Promise((r) => setTimeout(r, 1100));
    await page.goto((await rp.start({ max_age: '0' })).url.href);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const arrived = cb.next();
    await signIn(page, user.email, user.password);
    const url = (await arrived) as URL;
    assert.ok(url.searchParams.get('code'));
    await context.close();
  });

  it('signs out through RP-initiated logout and ends the session', async () => {
    const client = await t.addClient({
      name: 'Logout App',
      redirectUris: [cb.url],
      postLogoutRedirectUris: [cb.url],
      firstParty: true,
    });
    const rp = await relyingParty(t, cb, client);
    const { context, callback, flow } = await signedInContext(rp);
    const tokens = await oidc.authorizationCodeGrant(rp.config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    const page = await context.newPage();
    const logoutUrl = oidc.buildEndSessionUrl(rp.config, {
      post_logout_redirect_uri: cb.url,
      state: 'bye',
      id_token_hint: tokens.id_token!,
    });
    let arrived = cb.next();
    await page.goto(logoutUrl.href);
    assert.equal(((await arrived) as URL).searchParams.get('state'), 'bye');
    // The session is gone: prompt=none now needs a sign-in.
    arrived = cb.next();
    await page.goto((await rp.start({ prompt: 'none' })).url.href);
    assert.equal(((await arrived) as URL).searchParams.get('error'), 'login_required');

    // Without a hint the user is asked first.
    const second = await signedInContext(rp);
    const confirm = await second.context.newPage();
    await confirm.goto(`${t.issuer}/logout`);
    await confirm.getByRole('button', { name: 'Sign out', exact: true }).click();
    await confirm.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await second.context.close();
    await context.close();
  });

  it('renders login and consent pages that look like a product (screenshots)', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const client = await t.addClient({ name: 'Acme Dashboard', redirectUris: [cb.url] });
    const rp = await relyingParty(t, cb, client);
    for (const [label, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 375, height: 740 }],
    ] as const) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto((await rp.start()).url.href);
      const login = join(SCREENSHOTS, `login-${label}.png`);
      await page.screenshot({ path: login, fullPage: true });
      // The stylesheet loaded (CSP allows it): the primary button is styled, not the browser default.
      const background = await page
        .getByRole('button', { name: 'Sign in', exact: true })
        .evaluate('(b) => getComputedStyle(b).backgroundColor');
      assert.notEqual(background, 'rgb(239, 239, 239)');
      const box = await page.getByRole('button', { name: 'Sign in', exact: true }).boundingBox();
      assert.ok(box && box.width <= viewport.width, 'the form fits the viewport');
      await signIn(page, user.email, user.password);
      await page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `consent-${label}.png`), fullPage: true });
      await context.close();
    }
  });
});
