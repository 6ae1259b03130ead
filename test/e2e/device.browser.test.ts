import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { DEVICE_CODE_GRANT } from '../../src/oauth/token/index.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { pendingDevice } from '../helpers/device.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The `/device` page in Chromium. The first test is the whole RFC 8628 flow with openid-client as the device
 * (it asks `/device_authorization` and polls `/token`); the others write the pending authorization to the store.
 */
describe('connecting a device through /device (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let user: { email: string; password: string; id: string };
  let clientId: string;

  before(async () => {
    t = await startTestServer();
    browser = await launchBrowser();
    user = await t.addUser({});
    clientId = (await t.addClient({ name: 'Living Room TV' })).id;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens `verification_uri_complete`: the code is filled in, and nothing happens until "Continue". */
  async function openComplete(page: Page, code: string): Promise<void> {
    await page.goto(`${t.url}/device?user_code=${encodeURIComponent(code)}`);
    const box = page.getByRole('textbox', { name: 'Code', exact: true });
    assert.equal(await box.inputValue(), code);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
  }

  it('the whole flow: openid-client asks for a code and polls while Chromium enters it', async () => {
    const cli = await t.addClient({
      name: 'Lab CLI',
      isPublic: true,
      grants: [DEVICE_CODE_GRANT, 'refresh_token'],
    });
    const config = await oidc.discovery(new URL(t.issuer), cli.id, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(started.verification_uri, `${t.issuer}/device`);
    const polling = oidc.pollDeviceAuthorizationGrant(config, started);
    const context = await browser.newContext();
    const page = await context.newPage();
    // The user types the code (lower case, with a space) on the page the device shows.
    await page.goto(started.verification_uri);
    await page
      .getByRole('textbox', { name: 'Code', exact: true })
      .fill(started.user_code.toLowerCase().replace('-', ' '));
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    const tokens = await polling;
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token);
    assert.equal(tokens.claims()?.sub, user.id);
    assert.deepEqual(tokens.claims()?.['amr'], ['pwd']);
    await context.close();
  });

  it('pre-fills the code, signs in, asks consent and connects the device', async () => {
    const device = await pendingDevice(t, clientId);
    const context = await browser.newContext();
    const page = await context.newPage();
    await openComplete(page, device.code);
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    const row = await device.find();
    assert.equal(row?.status, 'approved');
    assert.equal(row?.userId, user.id);
    await context.close();
  });

  it('Deny on the consent page: "Request denied"', async () => {
    const device = await pendingDevice(t, clientId, { scope: 'openid email' });
    const context = await browser.newContext();
    const page = await context.newPage();
    await openComplete(page, device.code);
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.getByRole('heading', { name: 'Request denied' }).waitFor();
    assert.equal((await device.find())?.status, 'denied');
    await context.close();
  });

  it('an MFA user passes the MFA page before the device connects', async () => {
    const mfaUser = await t.addUser({});
    const record = (await t.deps.store.users.find(mfaUser.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const device = await pendingDevice(t, clientId);
    const context = await browser.newContext();
    const page = await context.newPage();
    await openComplete(page, device.code);
    await fillSignIn(page, mfaUser.email, mfaUser.password);
    await page
      .getByRole('textbox', { name: 'Authentication code', exact: true })
      .fill(generateSync({ secret }));
    assert.equal((await device.find())?.status, 'pending');
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    const row = await device.find();
    assert.equal(row?.userId, mfaUser.id);
    assert.ok(row?.amr.includes('otp'), String(row?.amr));
    await context.close();
  });

  it('a wrong code shows the alert and keeps the form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/device`);
    await page.getByRole('textbox', { name: 'Code', exact: true }).fill('BBBB-BBBB');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /That code isn’t valid/);
    assert.equal(await page.getByRole('textbox', { name: 'Code', exact: true }).inputValue(), 'BBBB-BBBB');
    await context.close();
  });
});
