import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { generateSync } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { type Callback, startCallback } from '../helpers/rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const signIn = fillSignIn;

async function enterCode(page: Page, code: string) {
  await page.getByRole('textbox', { name: 'Authentication code', exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

/** Some other six digits: never the right code. */
const wrongCode = (right: string) => (right === '000000' ? '111111' : '000000');

describe('two-factor sign-in through the hosted pages (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let cb: Callback;
  let config: oidc.Configuration;
  let strictConfig: oidc.Configuration;
  const contexts: BrowserContext[] = [];

  before(async () => {
    t = await startTestServer();
    browser = await launchBrowser();
    cb = await startCallback();
    const client = await t.addClient({ name: 'Lab App', redirectUris: [cb.url], firstParty: true });
    const strict = await t.addClient({
      name: 'Records App',
      redirectUris: [cb.url],
      firstParty: true,
      requireMfa: true,
    });
    const discover = (c: { id: string; secret?: string }) =>
      oidc.discovery(new URL(t.issuer), c.id, c.secret, oidc.ClientSecretBasic(c.secret!), {
        execute: [oidc.allowInsecureRequests],
      });
    config = await discover(client);
    strictConfig = await discover(strict);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await cb?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  }

  /**
   * Starts the code flow in `page`; `finish` redeems the callback and returns the ID token's claims. A flow
   * that is not meant to reach the app passes `reaches: false`, so it leaves no waiter on the callback.
   */
  async function startFlow(page: Page, rp = config, extra: Record<string, string> = {}, reaches = true) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: cb.url,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    const arrived = reaches ? cb.next() : undefined;
    await page.goto(url.href);
    return {
      async finish() {
        assert.ok(arrived, 'a flow started with reaches: false');
        const callback = (await arrived) as URL;
        const tokens = await oidc.authorizationCodeGrant(rp, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          idTokenExpected: true,
        });
        return tokens.claims()!;
      },
    };
  }

  async function enrolledUser() {
    const user = await t.addUser({});
    const record = (await t.deps.store.users.find(user.id))!;
    const enrolment = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    return { ...user, ...enrolment, code: () => generateSync({ secret: enrolment.secret }) };
  }

  it('signs in with a TOTP code; a wrong code stays on the page with an alert', async () => {
    const user = await enrolledUser();
    const page = await newPage();
    const flow = await startFlow(page);
    await signIn(page, user.email, user.password);
    const code = user.code();
    await enterCode(page, wrongCode(code));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /didn’t work/);
    assert.ok(await page.getByRole('textbox', { name: 'Authentication code', exact: true }).isVisible());
    await enterCode(page, code);
    const claims = await flow.finish();
    assert.equal(claims.sub, user.id);
    assert.deepEqual(claims['amr'], ['pwd', 'otp']);
    assert.equal(claims['acr'], 'urn:latchkey:acr:2fa');
  });

  it('accepts a recovery code once and not twice', async () => {
    const user = await enrolledUser();
    const recovery = user.recoveryCodes[3]!;
    const first = await newPage();
    const flow = await startFlow(first);
    await signIn(first, user.email, user.password);
    await enterCode(first, recovery);
    assert.deepEqual((await flow.finish())['amr'], ['pwd', 'otp']);

    const second = await newPage();
    await startFlow(second, config, {}, false);
    await signIn(second, user.email, user.password);
    await enterCode(second, recovery);
    await second.getByRole('alert').waitFor();
    assert.ok(await second.getByRole('button', { name: 'Verify', exact: true }).isVisible());
  });

  it('refuses a TOTP code that was accepted once already', async () => {
    const user = await enrolledUser();
    const code = user.code();
    const first = await newPage();
    const flow = await startFlow(first);
    await signIn(first, user.email, user.password);
    await enterCode(first, code);
    await flow.finish();

    const second = await newPage();
    await startFlow(second, config, {}, false);
    await signIn(second, user.email, user.password);
    await enterCode(second, code);
    await second.getByRole('alert').waitFor();
    assert.ok(await second.getByRole('textbox', { name: 'Authentication code', exact: true }).isVisible());
  });

  it('takes a user without TOTP through enrolment for a --require-mfa client', async () => {
    const user = await t.addUser({});
    const page = await newPage();
    const flow = await startFlow(page, strictConfig);
    await signIn(page, user.email, user.password);
    const secret = ((await page.getByLabel('Secret key').textContent()) ?? '').trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page
      .getByRole('textbox', { name: 'Authentication code', exact: true })
      .fill(generateSync({ secret }));
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
    assert.equal(await page.locator('.recovery-codes li').count(), 10);
    await page.getByRole('link', { name: 'Continue', exact: true }).click();
    const claims = await flow.finish();
    assert.deepEqual(claims['amr'], ['pwd', 'otp']);
  });

  it('steps a password-only session up to the second factor when acr_values asks for it', async () => {
    const user = await t.addUser({});
    const page = await newPage();
    const plain = await startFlow(page);
    await signIn(page, user.email, user.password);
    assert.equal((await plain.finish())['acr'], 'urn:latchkey:acr:1fa');

    // The user enrols afterwards (by the admin here); the app then asks for the MFA level.
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const stepUp = await startFlow(page, config, { acr_values: 'urn:latchkey:acr:2fa' });
    // Straight to the code: the session already knows who it is.
    await enterCode(page, generateSync({ secret }));
    const claims = await stepUp.finish();
    assert.equal(claims.sub, user.id);
    assert.equal(claims['acr'], 'urn:latchkey:acr:2fa');
    assert.deepEqual(claims['amr'], ['pwd', 'otp']);
  });
});
