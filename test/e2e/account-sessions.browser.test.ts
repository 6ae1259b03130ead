import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('account page: one session signed out, password changed (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  before(async () => {
    // A minimum above the default, so the rules and the refusal show the configured one.
    t = await startTestServer({ LATCHKEY_PASSWORD_MIN_LENGTH: '12' });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  /** A new browser (its own cookies) signed in on /account. */
  async function signedIn(user: { email: string; password: string }): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${t.issuer}/account`);
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    return page;
  }

  it('a user with two sessions signs the other one out from this one', async () => {
    const user = await t.addUser({});
    const first = await signedIn(user);
    const second = await signedIn(user);
    await first.reload();
    const sessions = first
      .getByRole('listitem')
      .filter({ has: first.getByRole('button', { name: 'Sign out', exact: true }) });
    assert.equal(await sessions.count(), 2);
    const other = sessions.filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: 'Sign out', exact: true }).click();
    await first.getByText('That session is signed out.').waitFor();
    assert.equal(
      await first
        .getByRole('listitem')
        .filter({ has: first.getByRole('button', { name: 'Sign out', exact: true }) })
        .count(),
      1,
    );
    await second.goto(`${t.issuer}/account`);
    await second.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  });

  it('changes the password: this browser stays signed in, the other is signed out, the new one works', async () => {
    const user = await t.addUser({});
    const first = await signedIn(user);
    const second = await signedIn(user);
    await first.getByRole('heading', { name: 'Password', exact: true }).waitFor();
    // The rules, as configured, describe the field (aria-describedby).
    const newPassword = first.getByRole('textbox', { name: 'New password', exact: true });
    const rulesId = await newPassword.getAttribute('aria-describedby');
    assert.equal(rulesId, 'password-rules');
    const rules = await first.locator(`#${rulesId} li`).allInnerTexts();
    assert.deepEqual(rules, [
      'At least 12 characters',
      'Not a commonly used password',
      'Not your email address or the name latchkey',
    ]);
    // Under the minimum (the browser's own minlength check is off, as an old browser would not have it).
    await newPassword.evaluate((el) => el.removeAttribute('minlength'));
    await first.getByLabel('Current password', { exact: true }).fill(user.password);
    await newPassword.fill('x7#kQ2!mZ4$');
    await first.getByRole('button', { name: 'Change password', exact: true }).click();
    const alert = first.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Choose a password of 12 to 256 characters\./);
    await second.reload();
    await second.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    await first.getByLabel('Current password', { exact: true }).fill(user.password);
    await first.getByLabel('New password', { exact: true }).fill('a brand new passphrase 2026');
    await first.getByRole('button', { name: 'Change password', exact: true }).click();
    await first.getByText('Your password is changed.', { exact: false }).waitFor();
    await second.goto(`${t.issuer}/account`);
    await second.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await fillSignIn(second, user.email, 'a brand new passphrase 2026');
    await second.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
  });
});
