import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const typeOf = (page: Page, selector: string) => page.locator(selector).getAttribute('type');

describe('"Show password" in Chromium: a courtesy of JavaScript, and the form without it', () => {
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

  it('shows and hides the password, keeps the field its one label, and signs in (English)', async () => {
    const user = await t.addUser({});
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${t.issuer}/login`);
      const toggle = page.getByRole('button', { name: 'Show password', exact: true });
      await toggle.waitFor();
      // SPEC §5: the field is still the only thing labelled "Password".
      assert.equal(await page.getByLabel('Password', { exact: true }).count(), 1);
      assert.equal(await page.getByLabel('Password').count(), 1, 'the button has no aria-label of its own');
      assert.equal(await toggle.getAttribute('aria-controls'), 'password');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');

      await page.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(user.password);
      await toggle.click();
      assert.equal(await typeOf(page, '#password'), 'text');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('#password').inputValue(), user.password);
      // The name stays; the state is aria-pressed.
      assert.equal(await page.getByRole('button', { name: 'Show password', pressed: true }).count(), 1);
      await toggle.click();
      assert.equal(await typeOf(page, '#password'), 'password');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');

      // Shown when the form is sent: it goes as a password field again, and the sign-in works.
      await toggle.click();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(/\/account$/);

      // The account page's password fields have theirs, each pointing at its own field.
      for (const [label, id] of [
        ['Current password', 'current-password'],
        ['New password', 'new-password'],
      ] as const) {
        assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
        const own = page.locator(`button[aria-controls="${id}"]`);
        assert.equal(await own.isVisible(), true, label);
        await own.click();
        assert.equal(await typeOf(page, `#${id}`), 'text', label);
      }
    } finally {
      await context.close();
    }
  });

  it('speaks the page language (German)', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    try {
      const page = await context.newPage();
      await page.goto(`${t.issuer}/login`);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      const toggle = page.getByRole('button', { name: 'Passwort anzeigen', exact: true });
      await toggle.click();
      assert.equal(await typeOf(page, '#password'), 'text');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      assert.equal(await typeOf(page, '#password'), 'password');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      assert.equal(await page.getByLabel('Passwort', { exact: true }).count(), 1);
    } finally {
      await context.close();
    }
  });

  it('without JavaScript the button stays hidden and the sign-in works as before', async () => {
    const user = await t.addUser({});
    const context = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${t.issuer}/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(await page.locator('button[data-password-toggle]').count(), 1, 'in the markup');
      assert.equal(await page.locator('button[data-password-toggle]').isHidden(), true);
      assert.equal(await page.getByRole('button', { name: 'Show password' }).count(), 0);
      await fillSignIn(page, user.email, user.password);
      await page.waitForURL(/\/account$/);
      assert.equal(await page.locator('button[data-password-toggle]').count(), 2);
      assert.equal(await page.getByRole('button', { name: 'Show password' }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
