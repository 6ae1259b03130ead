import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { type Callback, startAuthorization, startCallback } from '../helpers/rp.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { addProvider, startUpstream, type Upstream } from '../helpers/upstream.js';
import { newGrant, newSession } from '../store/contract.js';

const SHORT = { timeout: 12_000 };

/** The dev login page of oidc-provider: any login (it becomes the `sub`) and any password. */
async function upstreamLogin(page: Page, sub: string): Promise<void> {
  await page.locator('input[name="login"]').fill(sub, SHORT);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

async function errorCode(page: Page): Promise<string> {
  await page.getByRole('heading', { name: 'Something went wrong' }).waitFor(SHORT);
  return (await page.locator('body').innerText()).trim();
}

describe('upstream sign-in through real OpenID providers (Chromium)', () => {
  let t: TestServer;
  let off: TestServer;
  let browser: Browser;
  let cb: Callback;
  let google: Upstream;
  let entra: Upstream;
  let app: { id: string; secret?: string };
  let rp: oidc.Configuration;

  const callbackFor = (slug: string) => `${t.issuer}/federation/${slug}/callback`;

  before(async () => {
    t = await startTestServer();
    off = await startTestServer({ LATCHKEY_PASSWORD_LOGIN: 'off' });
    browser = await launchBrowser();
    cb = await startCallback();
    google = await startUpstream({
      redirectUris: [
        ...['google', 'gone', 'late'].map(callbackFor),
        `${off.issuer}/federation/google/callback`,
      ],
    });
    entra = await startUpstream({ redirectUris: [callbackFor('entra')], tenant: 'tenant-1111' });
    await addProvider(t.deps, google, { slug: 'google', name: 'Google' });
    await addProvider(t.deps, entra, {
      slug: 'entra',
      name: 'Microsoft',
      kind: 'azure',
      tenant: 'organizations',
    });
    await addProvider(off.deps, google, { slug: 'google', name: 'Google' });
    app = await t.addClient({ name: 'Partner App', redirectUris: [cb.url], firstParty: true });
    rp = await oidc.discovery(
      new URL(t.issuer),
      app.id,
      app.secret,
      oidc.ClientSecretBasic(app.secret ?? ''),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
  });
  after(async () => {
    await browser?.close();
    await cb?.close();
    await google?.stop();
    await entra?.stop();
    await t?.close();
    await off?.close();
  });

  /** The app sends the browser to /authorize; returns what the app must keep. */
  const authorize = (extra: Record<string, string> = {}) =>
    startAuthorization(rp, cb.url, 'openid profile email', extra);

  async function redeem(flow: Awaited<ReturnType<typeof authorize>>, callback: URL) {
    const tokens = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    return claims;
  }

  /** From the app, through "Continue with <name>" and the upstream's login, back to the app: the ID token's claims. */
  async function signInThrough(name: string, sub: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await authorize();
    await page.goto(flow.url.href);
    await page.getByRole('link', { name: `Continue with ${name}` }).click();
    const arrived = cb.next();
    await upstreamLogin(page, sub);
    const claims = await redeem(flow, (await arrived) as URL);
    await context.close();
    return claims;
  }

  /** Through "Continue with <name>" to an error page: its text (with the stable code) and status. */
  async function failThrough(
    name: string,
    sub: string,
  ): Promise<{ text: string; status: number | undefined }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto((await authorize()).url.href);
    await page.getByRole('link', { name: `Continue with ${name}` }).click();
    const back = page.waitForResponse(
      (r) => r.url().includes(`/federation/`) && r.url().includes('/callback'),
    );
    await upstreamLogin(page, sub);
    const status = (await back).status();
    const text = await errorCode(page);
    await context.close();
    return { text, status };
  }

  it('creates the user at the first sign-in and reuses it at the second (same upstream sub)', async () => {
    google.accounts.set('g-ada', {
      email: 'Ada@Example.test',
      email_verified: true,
      given_name: 'Ada',
      family_name: 'Lovelace',
    });
    const first = await signInThrough('Google', 'g-ada');
    assert.deepEqual(first['amr'], ['fed']);
    assert.equal(first['email'], 'ada@example.test');
    const user = await t.deps.store.users.findByEmail('ada@example.test');
    assert.ok(user);
    assert.equal(first.sub, user.id);
    assert.equal(user.givenName, 'Ada');
    assert.equal(user.passwordHash, null);
    const identity = await t.deps.store.identities.findByUser(user.id);
    assert.equal(identity?.issuer, google.tokenIssuer);
    assert.equal(identity?.subject, 'g-ada');

    const usersBefore = (await t.deps.store.users.list()).length;
    const second = await signInThrough('Google', 'g-ada');
    assert.equal(second.sub, user.id);
    assert.equal((await t.deps.store.users.list()).length, usersBefore);
    const events = await t.deps.store.events.list(100);
    assert.equal(events.filter((e) => e.type === 'user_created' && e.userId === user.id).length, 1);
    assert.ok(events.some((e) => e.type === 'login' && e.userId === user.id));
  });

  it('refuses an email that a password account has (email_used), linking nothing', async () => {
    const bob = await t.addUser({ email: 'bob@example.test' });
    google.accounts.set('g-bob', { email: 'bob@example.test', email_verified: true });
    const { text, status } = await failThrough('Google', 'g-bob');
    assert.match(text, /email_used/);
    assert.equal(status, 400);
    assert.equal(await t.deps.store.identities.findByUser(bob.id), undefined);
  });

  it('creates nothing for an unverified email', async () => {
    google.accounts.set('g-eve', { email: 'eve@example.test', email_verified: false });
    const { text } = await failThrough('Google', 'g-eve');
    assert.match(text, /email_unverified/);
    assert.equal(await t.deps.store.users.findByEmail('eve@example.test'), undefined);
    assert.equal(await t.deps.store.identities.find(google.tokenIssuer, 'g-eve'), undefined);
  });

  it('does not list a disabled provider, and its start URL is the provider_disabled page', async () => {
    await addProvider(t.deps, google, { slug: 'gone', name: 'Gone', enabled: false });
    const page = await browser.newPage();
    await page.goto((await authorize()).url.href);
    await page.getByRole('link', { name: 'Continue with Google' }).waitFor(SHORT);
    assert.equal(await page.getByRole('link', { name: 'Continue with Gone' }).count(), 0);
    const response = await page.goto(`${t.url}/federation/gone/start?return_to=%2Faccount`);
    assert.equal(response?.status(), 400);
    assert.match(await errorCode(page), /provider_disabled/);
    await page.goto(`${t.url}/federation/nobody/start?return_to=%2Faccount`);
    assert.match(await errorCode(page), /provider_disabled/);
    await page.close();
  });

  it('answers provider_disabled when the provider is turned off while the user is at the upstream', async () => {
    await addProvider(t.deps, google, { slug: 'late', name: 'Late' });
    google.accounts.set('g-late', { email: 'late@example.test', email_verified: true });
    const page = await browser.newPage();
    await page.goto((await authorize()).url.href);
    await page.getByRole('link', { name: 'Continue with Late' }).click();
    await page.locator('input[name="login"]').waitFor(SHORT);
    await t.deps.store.providers.setEnabled('late', false, t.deps.clock.now());
    await upstreamLogin(page, 'g-late');
    assert.match(await errorCode(page), /provider_disabled/);
    assert.equal(await t.deps.store.users.findByEmail('late@example.test'), undefined);
    await page.close();
  });

  it('answers provider_error (502) within 10 s when the upstream cannot be reached', async () => {
    const closed = await freePort();
    await addProvider(t.deps, google, {
      slug: 'down',
      name: 'Down',
      issuer: `http://127.0.0.1:${closed}`,
    });
    const page = await browser.newPage();
    await page.goto((await authorize()).url.href);
    const started = Date.now();
    const answer = page.waitForResponse((r) => r.url().includes('/federation/down/start'));
    await page.getByRole('link', { name: 'Continue with Down' }).click();
    assert.equal((await answer).status(), 502);
    assert.match(await errorCode(page), /provider_error/);
    assert.ok(Date.now() - started < 10_500);
    await t.deps.store.providers.remove('down');
    const events = await t.deps.store.events.list(50);
    assert.ok(events.some((e) => e.type === 'upstream_failed' && e.detail?.['provider'] === 'down'));
    await page.close();
  });

  it('answers state_mismatch to a tampered state and to a replayed callback', async () => {
    google.accounts.set('g-sam', { email: 'sam@example.test', email_verified: true });
    // Tampered: a callback for this browser's interaction, with another random part than the one sent.
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await authorize();
    await page.goto(flow.url.href);
    const sent = page.waitForRequest((r) => r.url().startsWith(`${google.tokenIssuer}/auth`));
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    const state = new URL((await sent).url()).searchParams.get('state') ?? '';
    const tab = await context.newPage();
    await tab.goto(
      `${t.url}/federation/google/callback?code=x&state=${state.split('.')[0]}.${'A'.repeat(43)}`,
    );
    assert.match(await errorCode(tab), /state_mismatch/);
    await tab.close();
    // The genuine answer still completes: a forged callback does not spend the attempt.
    const arrived = cb.next();
    await upstreamLogin(page, 'g-sam');
    await redeem(flow, (await arrived) as URL);
    await context.close();

    // Replayed: the callback the upstream sent, a second time in the same browser, after it succeeded.
    const again = await browser.newContext();
    const replay = await again.newPage();
    const second = await authorize();
    await replay.goto(second.url.href);
    await replay.getByRole('link', { name: 'Continue with Google' }).click();
    const callback = replay.waitForRequest((r) => r.url().includes('/federation/google/callback'));
    const back = cb.next();
    await upstreamLogin(replay, 'g-sam');
    const once = (await callback).url();
    await redeem(second, (await back) as URL);
    await replay.goto(once);
    assert.match(await errorCode(replay), /state_mismatch/);
    await again.close();
  });

  it('signs in through the multi-tenant provider, and refuses a token whose tid does not match its iss', async () => {
    entra.accounts.set('m-tom', { email: 'tom@contoso.test', xms_edov: true, given_name: 'Tom' });
    const claims = await signInThrough('Microsoft', 'm-tom');
    assert.deepEqual(claims['amr'], ['fed']);
    const identity = await t.deps.store.identities.find(entra.tokenIssuer, 'm-tom');
    assert.equal(identity?.userId, claims.sub);
    assert.equal(identity?.issuer, 'http://127.0.0.1:' + new URL(entra.issuer).port + '/tenant-1111/v2.0');

    // The token says tenant-2222 but is issued by tenant-1111: the completed issuer does not match its iss.
    entra.accounts.set('m-mallory', { email: 'mallory@contoso.test', xms_edov: true, tid: 'tenant-2222' });
    const { text, status } = await failThrough('Microsoft', 'm-mallory');
    assert.match(text, /provider_error/);
    assert.equal(status, 502);
    // And one whose tid cannot be an identifier.
    entra.accounts.set('m-odd', { email: 'odd@contoso.test', xms_edov: true, tid: '../x' });
    assert.match((await failThrough('Microsoft', 'm-odd')).text, /provider_error/);
    // Without xms_edov and outside the trusted tenants, the email is not trusted.
    entra.accounts.set('m-una', { email: 'una@contoso.test' });
    assert.match((await failThrough('Microsoft', 'm-una')).text, /email_unverified/);
    assert.equal(await t.deps.store.users.findByEmail('mallory@contoso.test'), undefined);
  });

  it('asks a user with TOTP for a code after the upstream sign-in (amr fed, otp)', async () => {
    google.accounts.set('g-tina', { email: 'tina@example.test', email_verified: true });
    const first = await signInThrough('Google', 'g-tina');
    const user = await t.deps.store.users.find(first.sub);
    assert.ok(user);
    const { secret } = await enrollTotpNow(t.deps, user, { ip: '127.0.0.1', clientId: null });
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await authorize();
    await page.goto(flow.url.href);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await upstreamLogin(page, 'g-tina');
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(generateSync({ secret }), SHORT);
    const arrived = cb.next();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    const claims = await redeem(flow, (await arrived) as URL);
    assert.equal(claims.sub, user.id);
    assert.deepEqual(claims['amr'], ['fed', 'otp']);
    await context.close();
  });

  it('links a provider from the account page; then the provider signs in and the password no longer works', async () => {
    const carol = await t.addUser({ email: 'carol@example.test' });
    google.accounts.set('g-carol', { email: 'carol.work@example.test', email_verified: true });
    // Another session of carol's, through an app with a back-channel logout URI: the link ends it.
    const app = await t.addClient({
      redirectUris: ['http://127.0.0.1:9/cb'],
      backchannelLogoutUri: 'http://127.0.0.1:9/backchannel',
    });
    const elsewhere = newSession(carol.id, { createdAt: Math.floor(Date.now() / 1000) });
    await t.deps.store.sessions.create({ ...elsewhere, expiresAt: elsewhere.createdAt + 3600 });
    await t.deps.store.tokens.issue({
      grant: newGrant(app.id, carol.id, {
        sessionHash: elsewhere.idHash,
        createdAt: elsewhere.createdAt,
        expiresAt: elsewhere.createdAt + 3600,
      }),
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/account`);
    await fillSignIn(page, carol.email, carol.password);
    await page.getByRole('heading', { name: 'Sign-in provider' }).waitFor(SHORT);
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Link Google' }) });

    // A wrong password: the page again, with the alert.
    await form.getByLabel('Password', { exact: true }).fill('not the password');
    const refused = page.waitForResponse((r) => r.url().includes('/account/link/google'));
    await form.getByRole('button', { name: 'Link Google' }).click();
    assert.equal((await refused).status(), 401);
    assert.match(await page.getByRole('alert').innerText(), /Incorrect email or password/);

    await form.getByLabel('Password', { exact: true }).fill(carol.password);
    await form.getByRole('button', { name: 'Link Google' }).click();
    await upstreamLogin(page, 'g-carol');
    await page.getByText('You sign in with').waitFor(SHORT);
    assert.match(page.url(), /notice=provider_linked/);
    assert.equal(await page.getByRole('button', { name: 'Link Google' }).count(), 0);
    const linked = await t.deps.store.identities.findByUser(carol.id);
    assert.equal(linked?.subject, 'g-carol');
    assert.equal((await t.deps.store.users.find(carol.id))?.passwordHash, null);
    const owed = (await t.deps.store.logoutDeliveries.list()).filter((d) => d.clientId === app.id);
    assert.equal(owed.length, 1, 'the app of the session the link ended is owed a logout');
    await context.close();

    const claims = await signInThrough('Google', 'g-carol');
    assert.equal(claims.sub, carol.id);

    const fresh = await browser.newContext();
    const login = await fresh.newPage();
    await login.goto(`${t.url}/login?return_to=%2Faccount`);
    await fillSignIn(login, carol.email, carol.password);
    assert.match(await login.getByRole('alert').innerText(SHORT), /Incorrect email or password/);
    await fresh.close();
  });

  it('goes straight to the upstream with idp=<slug>; an unknown slug is provider_disabled', async () => {
    google.accounts.set('g-ida', { email: 'ida@example.test', email_verified: true });
    const context = await browser.newContext();
    const page = await context.newPage();
    const flow = await authorize({ idp: 'google' });
    const arrived = cb.next();
    await page.goto(flow.url.href);
    await upstreamLogin(page, 'g-ida');
    const claims = await redeem(flow, (await arrived) as URL);
    assert.deepEqual(claims['amr'], ['fed']);
    await context.close();
    // A browser with no session reaches the login step, where the hint is read.
    const fresh = await browser.newPage();
    await fresh.goto((await authorize({ idp: 'nobody' })).url.href);
    assert.match(await errorCode(fresh), /provider_disabled/);
    await fresh.close();
  });

  it('with LATCHKEY_PASSWORD_LOGIN=off shows only the chooser and takes no password', async () => {
    const user = await off.addUser({ email: 'pat@example.test' });
    const page = await browser.newPage();
    await page.goto(`${off.url}/account`);
    await page.getByRole('link', { name: 'Continue with Google' }).waitFor(SHORT);
    assert.equal(await page.getByRole('textbox', { name: 'Email' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0);

    // Signed in through the provider, the account page has a CSRF token: a password POST is still refused.
    google.accounts.set('g-oli', { email: 'oli@example.test', email_verified: true });
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await upstreamLogin(page, 'g-oli');
    await page.getByRole('heading', { name: 'Sessions' }).waitFor(SHORT);
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const post = await page.request.post(`${off.url}/login?return_to=%2Faccount`, {
      form: { csrf, email: user.email, password: user.password },
    });
    assert.equal(post.status(), 403);
    assert.match(await post.text(), /password_login_off/);
    await page.close();

    const client = await off.addClient({ name: 'First party', grants: ['password'], firstParty: true });
    const grant = await fetch(`${off.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'password', username: user.email, password: user.password }),
    });
    assert.equal(grant.status, 400);
    assert.equal(((await grant.json()) as { error: string }).error, 'unauthorized_client');
  });
});
