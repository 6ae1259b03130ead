import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { MFA_OTP_GRANT } from '../../src/oauth/token/index.js';
import { type Agent, authorizeThroughPages, csrfOf, pkce } from '../helpers/agent.js';
import { pendingDevice } from '../helpers/device.js';
import {
  browser,
  expectOAuthError,
  getCode,
  json,
  redeem,
  refresh,
  signIn,
  type TestClient,
  tokenRequest,
  tokensFor,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const REDIRECT = 'https://app.example/cb';
const MESSAGE =
  'This app needs a verified email address. Follow the link in the verification mail, or send it again from your account page.';

/** The hosted `email_not_verified` page: 403, the words, the code, the way to the account page. */
function assertRefusedPage(step: { res?: Response; html?: string; external?: URL }): void {
  assert.equal(step.external, undefined, `no redirect to the app: ${step.external}`);
  assert.equal(step.res?.status, 403);
  assert.match(step.html!, /<code>email_not_verified<\/code>/);
  assert.ok(step.html!.includes(MESSAGE), 'the message in words');
  assert.match(step.html!, /<a href="\/account">Go to your account<\/a>/);
  assert.doesNotMatch(step.html!, /href="https:\/\/app\.example/, 'nothing leads to the redirect URI');
}

describe('a client with --require-verified-email (issue 15)', () => {
  let t: TestApp;
  let strict: TestClient;
  let strictThirdParty: TestClient;
  let lax: TestClient;
  const grants = ['authorization_code', 'refresh_token', 'password'];
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    const s = await t.addClient({
      redirectUris: [REDIRECT],
      firstParty: true,
      grants,
      requireVerifiedEmail: true,
    });
    strict = { ...s, redirectUri: REDIRECT };
    const s3 = await t.addClient({ redirectUris: [REDIRECT], requireVerifiedEmail: true });
    strictThirdParty = { ...s3, redirectUri: REDIRECT };
    const l = await t.addClient({ redirectUris: [REDIRECT], firstParty: true, grants });
    lax = { ...l, redirectUri: REDIRECT };
  });
  after(() => t.close());

  /** Sets the user's `email_verified` as an email change would leave it. */
  async function setVerified(userId: string, emailVerified: boolean) {
    const now = t.clock.now();
    const res = await t.deps.store.users.update(userId, { emailVerified }, now, {
      at: now,
      type: 'user_updated',
      userId,
      clientId: null,
      ip: null,
      detail: null,
    });
    assert.equal(res.status, 'updated');
  }

  async function unverifiedUser() {
    const user = await t.addUser({});
    await setVerified(user.id, false);
    return user;
  }

  function authorizeUrl(client: TestClient, extra: Record<string, string> = {}) {
    return `/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: client.redirectUri,
      scope: 'openid email',
      state: 'st-1',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...extra,
    })}`;
  }

  /** /authorize → the sign-in form → what the password leads to. */
  async function signInThroughAuthorize(
    agent: Agent,
    client: TestClient,
    user: { email: string; password: string },
  ) {
    const login = await agent.go(authorizeUrl(client));
    assert.match(login.html!, /name="password"/);
    return agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
  }

  describe('the authorization flow', () => {
    it('gives a verified user a code', async () => {
      const user = await t.addUser({});
      const body = await tokensFor(t, strict, user, { scope: 'openid email' });
      assert.equal(typeof body['access_token'], 'string');
    });

    it('refuses an unverified user with the hosted page, never a redirect, and stores no code', async () => {
      const user = await unverifiedUser();
      const agent = browser(t);
      const step = await signInThroughAuthorize(agent, strict, user);
      assertRefusedPage(step);
      assert.ok(agent.cookies.has('lk_session'), 'the sign-in itself stands (the account page is reachable)');
      const account = await agent.go('/account');
      assert.equal(account.res?.status, 200);
      const events = await t.deps.store.events.query({ userId: user.id, type: 'authorized', limit: 10 });
      assert.equal(events.length, 0, 'no authorization was recorded');
    });

    it('refuses an already signed-in unverified user, also with prompt=none', async () => {
      const user = await unverifiedUser();
      const agent = browser(t);
      await signIn(agent, user);
      assertRefusedPage(await agent.go(authorizeUrl(strict)));
      assertRefusedPage(await agent.go(authorizeUrl(strict, { prompt: 'none' })));
    });

    it('refuses before the consent page of a third-party client', async () => {
      const user = await unverifiedUser();
      const step = await signInThroughAuthorize(browser(t), strictThirdParty, user);
      assert.doesNotMatch(step.html ?? '', /name="decision"/, 'no consent page first');
      assertRefusedPage(step);
    });

    it('leads to the account page even when the app registered a home page', async () => {
      const c = await t.addClient({
        redirectUris: [REDIRECT],
        firstParty: true,
        requireVerifiedEmail: true,
        clientUri: 'https://home.example.test/',
      });
      const client = { ...c, redirectUri: REDIRECT };
      const agent = browser(t);
      await signIn(agent, await unverifiedUser());
      const step = await agent.go(authorizeUrl(client));
      assertRefusedPage(step);
      assert.doesNotMatch(step.html!, /home\.example\.test/);
      assertRefusedPage(await signInThroughAuthorize(browser(t), client, await unverifiedUser()));
    });

    it('lets the user through once the address is verified', async () => {
      const user = await unverifiedUser();
      const agent = browser(t);
      assertRefusedPage(await signInThroughAuthorize(agent, strict, user));
      await setVerified(user.id, true);
      const callback = await authorizeThroughPages(agent, {
        clientId: strict.id,
        redirectUri: REDIRECT,
        challenge: pkce().challenge,
        email: user.email,
        password: user.password,
      });
      assert.ok(callback.searchParams.get('code'));
    });

    it('leaves a client without the option unaffected', async () => {
      const user = await unverifiedUser();
      const body = await tokensFor(t, lax, user, { scope: 'openid email' });
      assert.equal(typeof body['access_token'], 'string');
    });

    it('a code issued before the client began to require it is refused at the token endpoint', async () => {
      const c = await t.addClient({ redirectUris: [REDIRECT], firstParty: true, grants });
      const client = { ...c, redirectUri: REDIRECT };
      const user = await unverifiedUser();
      const { code, verifier } = await getCode(t, client, user);
      const record = (await t.deps.store.clients.find(client.id))!;
      const now = t.clock.now();
      await t.deps.store.clients.update(
        { ...record, requireVerifiedEmail: true },
        { at: now, type: 'client_updated', userId: null, clientId: client.id, ip: null, detail: null },
      );
      const body = await expectOAuthError(await redeem(t, client, code, verifier), 'invalid_grant');
      assert.match(String(body['error_description']), /verified email address/);
    });
  });

  describe('the password grant', () => {
    const grant = (client: TestClient, user: { email: string; password: string }) =>
      t.request(
        '/token',
        tokenRequest(client, {
          grant_type: 'password',
          username: user.email,
          password: user.password,
          scope: 'openid',
        }),
      );

    it('issues tokens to a verified user', async () => {
      const res = await grant(strict, await t.addUser({}));
      assert.equal(res.status, 200, JSON.stringify(await json(res.clone())));
    });

    it('answers invalid_grant with a clear description for an unverified user', async () => {
      const body = await expectOAuthError(await grant(strict, await unverifiedUser()), 'invalid_grant');
      assert.match(body['error_description'], /verified email address/);
    });

    it('tells nothing about verification to someone without the password', async () => {
      const user = await unverifiedUser();
      const body = await expectOAuthError(
        await grant(strict, { ...user, password: 'wrong' }),
        'invalid_grant',
      );
      assert.doesNotMatch(body['error_description'], /verif/);
    });

    it('the mfa-otp grant refuses a user whose address became unverified after the password step', async () => {
      const created = await t.addUser({});
      const record = (await t.deps.store.users.find(created.id))!;
      const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
      const methodId = (await t.deps.store.mfa.findTotp(created.id))!.id;
      const step = await expectOAuthError(await grant(strict, created), 'mfa_required', 403);
      await setVerified(created.id, false);
      const res = await t.request(
        '/token',
        tokenRequest(strict, {
          grant_type: MFA_OTP_GRANT,
          mfa_token: step['mfa_token'],
          method_id: methodId,
          otp: generateSync({ secret, epoch: t.clock.now() }),
        }),
      );
      const body = await expectOAuthError(res, 'invalid_grant');
      assert.match(body['error_description'], /verified email address/);
    });

    it('leaves a client without the option unaffected', async () => {
      const res = await grant(lax, await unverifiedUser());
      assert.equal(res.status, 200);
    });
  });

  describe('refresh tokens', () => {
    it('refuses a user who became unverified, without spending the token, and works again once verified', async () => {
      const user = await t.addUser({});
      const tokens = await tokensFor(t, strict, user);
      await setVerified(user.id, false);
      const body = await expectOAuthError(await refresh(t, strict, tokens['refresh_token']), 'invalid_grant');
      assert.match(body['error_description'], /verified email address/);
      await setVerified(user.id, true);
      const again = await refresh(t, strict, tokens['refresh_token']);
      assert.equal(again.status, 200, 'the same refresh token still works: it was neither spent nor revoked');
    });

    it('leaves a client without the option unaffected', async () => {
      const user = await t.addUser({});
      const tokens = await tokensFor(t, lax, user);
      await setVerified(user.id, false);
      const res = await refresh(t, lax, tokens['refresh_token']);
      assert.equal(res.status, 200);
    });
  });

  describe('the device flow', () => {
    async function approve(clientId: string, user: { email: string; password: string }) {
      const device = await pendingDevice(t, clientId);
      const agent = browser(t);
      await signIn(agent, user);
      const page = await agent.go('/device');
      const step = await agent.post('/device', { csrf: csrfOf(page.html!), user_code: device.code });
      return { step, device };
    }

    it('connects the device of a verified user', async () => {
      const c = await t.addClient({ firstParty: true, requireVerifiedEmail: true });
      const { step, device } = await approve(c.id, await t.addUser({}));
      assert.match(step.html!, /Device connected/);
      assert.equal((await device.find())?.status, 'approved');
    });

    it('refuses an unverified user with the hosted page and leaves the device unapproved', async () => {
      const c = await t.addClient({ firstParty: true, requireVerifiedEmail: true });
      const { step, device } = await approve(c.id, await unverifiedUser());
      assertRefusedPage(step);
      assert.notEqual((await device.find())?.status, 'approved');
    });

    it('leaves a client without the option unaffected', async () => {
      const c = await t.addClient({ firstParty: true });
      const { step } = await approve(c.id, await unverifiedUser());
      assert.match(step.html!, /Device connected/);
    });
  });
});
