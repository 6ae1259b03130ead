import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { secondFactorMethods } from '../../src/auth/second-factor.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('account page: two-factor authentication (Chromium)', () => {
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

  /** Signs in on the login page, which then lands on /account. */
  async function signIn(page: Page, user: { email: string; password: string }) {
    await page.goto(`${t.issuer}/login`);
    await fillSignIn(page, user.email, user.password);
    await page.waitForURL(`${t.issuer}/account`);
  }

  it('sets up TOTP from the secret key, shows ten recovery codes once, and turns it off with one', async () => {
    const user = await t.addUser({});
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, user);
    await page.getByRole('heading', { name: 'Two-factor authentication', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Set up two-factor authentication', exact: true }).click();
    const secret = (await page.getByLabel('Secret key', { exact: true }).textContent())?.trim() ?? '';
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    assert.ok(await page.getByRole('img', { name: /QR code/ }).isVisible());
    await page
      .getByRole('textbox', { name: 'Authentication code', exact: true })
      .fill(generateSync({ secret }));
    await page.getByRole('button', { name: 'Enable', exact: true }).click();

    await page.getByRole('heading', { name: 'Recovery codes', exact: true }).waitFor();
    const codes = await page.locator('.recovery-codes li').allTextContents();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    await page.getByText('Two-factor authentication is now on.').waitFor();
    const stored = await t.deps.store.users.find(user.id);
    assert.equal((await secondFactorMethods(t.deps, stored!)).length, 1);

    await page.reload();
    await page.getByRole('button', { name: 'Turn off two-factor authentication', exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Recovery codes', exact: true }).count(), 0);

    // The second button of the one form posts elsewhere (formaction): no script involved.
    await page.getByLabel('Password or authentication code', { exact: true }).fill(codes[0]!);
    await page.getByRole('button', { name: 'Turn off two-factor authentication', exact: true }).click();
    await page.getByText('Two-factor authentication is now off.').waitFor();
    await page.getByRole('button', { name: 'Set up two-factor authentication', exact: true }).waitFor();
    assert.equal((await secondFactorMethods(t.deps, stored!)).length, 0);
    await context.close();
  });

  it('a wrong code keeps the set-up and says why in an alert', async () => {
    const user = await t.addUser({});
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, user);
    await page.getByRole('button', { name: 'Set up two-factor authentication', exact: true }).click();
    const secret = await page.getByLabel('Secret key', { exact: true }).textContent();
    await page.getByRole('textbox', { name: 'Authentication code', exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('alert').getByText('That code didn’t work', { exact: false }).waitFor();
    assert.equal(await page.getByLabel('Secret key', { exact: true }).textContent(), secret);
    await context.close();
  });
});
