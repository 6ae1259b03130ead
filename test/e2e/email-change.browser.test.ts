import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { linkIn, type Smtp, smtpEnv, startSmtp } from '../helpers/smtp.js';

describe('changing the email on /account (Chromium, real SMTP)', () => {
  let t: TestServer;
  let smtp: Smtp;
  let browser: Browser;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer(smtpEnv(smtp.port));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('a link to the new address, a notice to the old; the link switches the address, verified', async () => {
    const user = await t.addUser({ email: 'old.address@example.test' });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.issuer}/account`);
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('heading', { name: 'Email', exact: true }).waitFor();
    assert.ok(await page.getByText('Verified', { exact: true }).isVisible(), 'admin-made users are verified');

    await page.getByRole('link', { name: 'Change email', exact: true }).click();
    await page.getByRole('textbox', { name: 'New email', exact: true }).fill('New.Address@Example.test');
    await page.getByLabel('Current password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Change email', exact: true }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Incorrect email or password/);

    await page.getByLabel('Current password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Change email', exact: true }).click();
    await page.getByText('We sent a confirmation link to your new address', { exact: false }).waitFor();
    assert.equal((await t.deps.store.users.find(user.id))?.email, user.email, 'nothing changes yet');

    const confirm = await smtp.waitFor('new.address@example.test');
    assert.match(confirm.subject, /Confirm your new email address/);
    const requested = await smtp.waitFor(user.email);
    assert.match(requested.subject, /Email change requested/);
    assert.match(requested.text, /new\.address@example\.test/);
    assert.match(requested.text, /change your password/);
    assert.throws(() => linkIn(requested, '/verify-email'), 'the old address gets no link');

    await page.goto(linkIn(confirm, '/verify-email').href);
    await page.getByText('Confirm new.address@example.test as the new address', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Verify email', exact: true }).click();
    await page.getByRole('heading', { name: 'Email verified', exact: true }).waitFor();
    const changed = await t.deps.store.users.find(user.id);
    assert.equal(changed?.email, 'new.address@example.test');
    assert.equal(changed?.emailVerified, true);

    const done = await smtp.waitFor(user.email, { skip: 1 });
    assert.match(done.subject, /email address was changed/);
    assert.match(done.text, /new\.address@example\.test/);

    // Sign-in with the new address works; the old one no longer names the account.
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(`${t.issuer}/login`);
    await fillSignIn(other, user.email, user.password);
    await other.getByRole('alert').waitFor();
    await fillSignIn(other, 'new.address@example.test', user.password);
    await other.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    assert.ok(await other.getByText('new.address@example.test').first().isVisible());
    await fresh.close();
    await context.close();
  });
});
