import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser, unlinkUser } from '../../src/admin/users.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { linkUpstream } from '../helpers/identity.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('set-password link after an admin unlink (Chromium)', () => {
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

  it('a provider-only user opens the link, sets a password and signs in with it', async () => {
    // As a first upstream sign-in leaves a user: no password, one link.
    const user = await createUser(t.deps, { email: 'linked-only@example.test', name: 'Linked Only' });
    await linkUpstream(t.deps.store, user.id, t.deps.clock.now());
    const { url } = await unlinkUser(t.deps, user.email);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const newPassword = page.getByRole('textbox', { name: 'New password', exact: true });
    const setPassword = page.getByRole('button', { name: 'Set password', exact: true });
    await newPassword.fill('password');
    await setPassword.click();
    await page.getByRole('alert').waitFor();
    await newPassword.fill('a-brand-new-passphrase');
    await setPassword.click();
    await page.getByRole('heading', { name: 'Your password is set', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await fillSignIn(page, user.email, 'a-brand-new-passphrase');
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');

    await page.goto(url);
    await page.getByRole('heading', { name: 'Something went wrong', exact: true }).waitFor();
    assert.match(await page.locator('code').innerText(), /^invalid_link$/);
    await context.close();
  });
});
