import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { type Callback, startAuthorization, startCallback } from '../helpers/rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { linkIn, type Smtp, smtpEnv, startSmtp } from '../helpers/smtp.js';

const PASSWORD = 'a long and fresh passphrase';

describe('self-registration with email verification (Chromium, real SMTP)', () => {
  let t: TestServer;
  let smtp: Smtp;
  let browser: Browser;
  let cb: Callback;
  let rp: oidc.Configuration;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ ...smtpEnv(smtp.port), LATCHKEY_SIGNUP: 'on' });
    browser = await launchBrowser();
    cb = await startCallback();
    const client = await t.addClient({ name: 'Partner App', redirectUris: [cb.url], firstParty: true });
    rp = await oidc.discovery(
      new URL(t.issuer),
      client.id,
      client.secret,
      oidc.ClientSecretBasic(client.secret!),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
  });
  after(async () => {
    await browser?.close();
    await cb?.close();
    await t?.close();
    await smtp?.close();
  });

  /** An authorization through `page` (signing in when asked): the ID token's and userinfo's `email_verified`. */
  async function emailVerifiedClaims(
    page: Page,
    email: string,
  ): Promise<{ idToken: unknown; userinfo: unknown }> {
    const flow = await startAuthorization(rp, cb.url, 'openid email');
    const arrived = cb.next();
    await page.goto(flow.url.href);
    const signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
    const outcome = await Promise.race([
      arrived.then(() => 'callback'),
      signInButton.waitFor().then(() => 'login'),
    ]);
    if (outcome === 'login') await fillSignIn(page, email, PASSWORD);
    const tokens = await oidc.authorizationCodeGrant(rp, (await arrived) as URL, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims['email'], email);
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
    return { idToken: claims['email_verified'], userinfo: info['email_verified'] };
  }

  it('Create account → check your email → the mail’s link → Verify email → email_verified in the tokens', async () => {
    const email = 'new.person@example.test';
    const context = await browser.newContext();
    const page = await context.newPage();
    // From an app's sign-in: "Create account" keeps the interaction.
    const flow = await startAuthorization(rp, cb.url, 'openid email');
    await page.goto(flow.url.href);
    await page.getByRole('link', { name: 'Create account', exact: true }).click();
    assert.match(page.url(), /\/signup\?interaction=/);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('New Person');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email', exact: true }).waitFor();

    const user = await t.deps.store.users.findByEmail(email);
    assert.equal(user?.name, 'New Person');
    assert.equal(user?.emailVerified, false, 'unverified until the link is followed');

    // Not verified yet, and the sign-in works all the same (enforcing it is a per-client option).
    assert.deepEqual(await emailVerifiedClaims(page, email), { idToken: false, userinfo: false });
    await page.goto(`${t.issuer}/account`);
    await page.getByRole('heading', { name: 'Email', exact: true }).waitFor();
    assert.ok(await page.getByText('Not verified', { exact: true }).isVisible());

    const mail = await smtp.waitFor(email);
    assert.match(mail.subject, /Verify your email address/);
    const link = linkIn(mail, '/verify-email');
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Verify your email', exact: true }).waitFor();
    assert.equal(
      (await t.deps.store.users.findByEmail(email))?.emailVerified,
      false,
      'opening the link is not enough',
    );
    await page.getByRole('button', { name: 'Verify email', exact: true }).click();
    await page.getByRole('heading', { name: 'Email verified', exact: true }).waitFor();
    assert.equal((await t.deps.store.users.findByEmail(email))?.emailVerified, true);

    assert.deepEqual(await emailVerifiedClaims(page, email), { idToken: true, userinfo: true });
    await page.goto(`${t.issuer}/account`);
    assert.ok(await page.getByText('Verified', { exact: true }).isVisible());

    // The link works once.
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Something went wrong', exact: true }).waitFor();
    assert.match(await page.locator('code').innerText(), /^email_link_invalid$/);
    await context.close();
  });

  it('an address that has an account: the very same page, a mail to its owner, no second account', async () => {
    const owner = await t.addUser({ email: 'taken@example.test' });
    const before = await t.deps.store.users.count();
    const pages: string[] = [];
    for (const email of ['taken@example.test', 'fresh@example.test']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${t.issuer}/signup`);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Someone');
      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account', exact: true }).click();
      await page.getByRole('heading', { name: 'Check your email', exact: true }).waitFor();
      pages.push((await page.locator('main, body').first().innerText()).replaceAll(email, '<email>'));
      await context.close();
    }
    assert.equal(pages[0], pages[1], 'the same answer for a taken and a new address');

    const notice = await smtp.waitFor(owner.email);
    assert.match(notice.subject, /tried to create/);
    assert.ok(linkIn(notice, '/login/forgot'));
    assert.ok(linkIn(notice, '/login'));
    assert.throws(() => linkIn(notice, '/verify-email'), 'no verification link for an existing account');
    assert.equal(await t.deps.store.users.count(), before + 1, 'only the new address got an account');
    const unchanged = await t.deps.store.users.findByEmail(owner.email);
    assert.equal(unchanged?.name, null, 'the existing account is untouched');
    // The owner's password still works.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.issuer}/login`);
    await fillSignIn(page, owner.email, owner.password);
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    await context.close();
  });
});

describe('self-registration off (the default)', () => {
  let t: TestServer;
  let browser: Browser;
  before(async () => {
    t = await startTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('no "Create account" link, and /signup is not found', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.issuer}/login`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Create account' }).count(), 0);
    const res = await page.goto(`${t.issuer}/signup`);
    assert.equal(res?.status(), 404);
    await page.getByRole('heading', { name: 'Something went wrong', exact: true }).waitFor();
    assert.match(await page.locator('code').innerText(), /^not_found$/);
    await context.close();
  });
});
