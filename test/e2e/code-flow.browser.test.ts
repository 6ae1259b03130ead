import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { type Callback, startCallback } from '../helpers/rp.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

async function signIn(page: Page, email: string, password: string) {
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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

  it('signs in, consents and redeems the code for a confidential client', async () => {
    const client = await t.addClient({ name: 'Partner App', redirectUris: [cb.url] });
    const config = await oidc.discovery(new URL(t.issuer), client.id, client.secret!, oidc.ClientSecretBasic(client.secret!), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: cb.url,
      scope: 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    await signIn(page, user.email, user.password);
    await page.getByRole('heading').first().waitFor();
    assert.ok(await page.getByText('Partner App').first().isVisible());
    for (const d of ['Confirm your identity', 'Your name', 'Your email address', 'Stay signed in']) {
      assert.ok(await page.getByRole('listitem').filter({ hasText: d }).isVisible(), d);
    }
    const arrived = cb.next();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    const callbackUrl = (await arrived) as URL;
    assert.equal(callbackUrl.searchParams.get('iss'), t.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.id);
    assert.equal(claims['email'], user.email);
    assert.deepEqual(claims['amr'], ['pwd']);
    assert.ok(tokens.refresh_token);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
    assert.equal(info['name'], 'Ada Lovelace');
    await context.close();
  });
});
