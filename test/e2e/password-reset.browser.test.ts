import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { FakeClock } from '../../src/clock.js';
import { resetMailsSettled } from '../../src/interaction/reset.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';
import { linkIn, type Smtp, smtpEnv, startSmtp } from '../helpers/smtp.js';

describe('password reset (Chromium, real SMTP server)', () => {
  let smtp: Smtp;
  let t: TestServer;
  let browser: Browser;
  const clock = new FakeClock();
  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer(smtpEnv(smtp.port), { clock });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  /** The password grant of a first-party client: the status, and the refresh token when it worked. */
  const passwordGrant = async (
    client: { id: string; secret?: string },
    username: string,
    password: string,
  ) => {
    const res = await fetch(
      `${t.issuer}/token`,
      form(
        { grant_type: 'password', username, password, scope: 'openid offline_access' },
        { authorization: basic(client.id, client.secret!) },
      ),
    );
    const body = (await res.json()) as { refresh_token?: string; error?: string };
    return { status: res.status, ...body };
  };

  /** Login page → "Forgot password?" → Email → "Send reset link": the page it answers. */
  async function askReset(page: Page, email: string): Promise<void> {
    await page.goto(`${t.url}/login`);
    await page.getByRole('link', { name: 'Forgot password?', exact: true }).click();
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send reset link', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email', exact: true }).waitFor();
    await resetMailsSettled(t.server.deps);
  }

  async function expectInvalidLink(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Something went wrong', exact: true }).waitFor();
    assert.match(await page.locator('code').innerText(), /^reset_link_invalid$/);
  }

  it('forgot → mail → link → new password: signed in with it; the old password, sessions and refresh tokens are dead', async () => {
    const user = await t.addUser({ name: 'Ada Lovelace' });
    const client = await t.addClient({ grants: ['password', 'refresh_token'], firstParty: true });
    const before = await passwordGrant(client, user.email, user.password);
    assert.equal(before.status, 200);

    // A browser signed in before the reset.
    const old = await browser.newContext();
    const oldPage = await old.newPage();
    await oldPage.goto(`${t.url}/account`);
    await fillSignIn(oldPage, user.email, user.password);
    await oldPage.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();

    const context = await browser.newContext();
    const page = await context.newPage();
    await askReset(page, user.email);
    const mail = await smtp.waitFor(user.email);
    assert.match(mail.text, /^Hello Ada Lovelace,/);
    const link = linkIn(mail, '/login/reset').toString();

    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password', exact: true }).waitFor();
    await page.getByRole('textbox', { name: 'New password', exact: true }).fill('a-brand-new-passphrase');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByRole('heading', { name: 'Your password is set', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();

    // The old password fails, the new one signs in.
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Incorrect email or password/);
    await fillSignIn(page, user.email, 'a-brand-new-passphrase');
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');

    // The browser signed in before is signed out, and the refresh token from before is dead.
    await oldPage.goto(`${t.url}/account`);
    assert.equal(new URL(oldPage.url()).pathname, '/login');
    const refreshed = await fetch(
      `${t.issuer}/token`,
      form(
        { grant_type: 'refresh_token', refresh_token: before.refresh_token! },
        { authorization: basic(client.id, client.secret!) },
      ),
    );
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');

    // The link a second time.
    await expectInvalidLink(page, link);
    await old.close();
    await context.close();
  });

  it('an expired link (30 minutes) is the invalid-link page', async () => {
    const user = await t.addUser({});
    const context = await browser.newContext();
    const page = await context.newPage();
    await askReset(page, user.email);
    const link = linkIn(await smtp.waitFor(user.email), '/login/reset').toString();
    clock.advance(30 * 60 + 1);
    await expectInvalidLink(page, link);
    await context.close();
  });

  it('an unknown address gets the very same page, and no mail', async () => {
    const known = await t.addUser({});
    const context = await browser.newContext();
    const page = await context.newPage();
    await askReset(page, known.email);
    const knownPage = await page.locator('main, body').first().innerText();
    await askReset(page, 'nobody-here@example.test');
    assert.equal(await page.locator('main, body').first().innerText(), knownPage);
    await t.server.mailSender.drainNow();
    await smtp.waitFor(known.email);
    assert.deepEqual(smtp.to('nobody-here@example.test'), []);
    await context.close();
  });
});
