import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { inDuration } from '../../views/i18n/index.js';
import { MfaPage, renderPage, SetPasswordPage } from '../../views/index.js';
import { type Agent, attemptSignIn, csrfOf } from '../helpers/agent.js';
import { browser, signIn } from '../helpers/oauth.js';
import { form, type TestApp, testApp } from '../helpers/server.js';

const AFTER_LOGOUT = 'https://app.example/signed-out';

/** The opening tag of the element with `id`. */
const tagWithId = (html: string, id: string) => new RegExp(`<[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0] ?? '';

/** Issue 14 "Courtesies": failed fields, the logout Cancel, the lockout wait in words, rem font sizes. */
describe('hosted page courtesies (issue 14)', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };

  before(async () => {
    t = await testApp();
    user = await t.addUser({});
  });
  after(() => t.close());

  const signedIn = async (agent: Agent) => (await agent.request('/account')).status === 200;

  it('marks the failed fields aria-invalid, described by the alert', async () => {
    const fresh = await (await browser(t).request('/login')).text();
    assert.doesNotMatch(fresh, /aria-invalid/, 'nothing is invalid before a try');
    const res = await attemptSignIn(browser(t), user.email, 'not-the-password');
    const html = await res.text();
    assert.match(tagWithId(html, 'login-error'), /role="alert"/);
    for (const field of ['email', 'password']) {
      const input = tagWithId(html, field);
      assert.match(input, /aria-invalid="true"/, field);
      assert.match(input, /aria-describedby="login-error"/, field);
    }
  });

  it('marks the device code field when the code is wrong', async () => {
    const agent = browser(t);
    const page = await (await agent.request('/device')).text();
    const res = await agent.request('/device', form({ csrf: csrfOf(page), user_code: 'BBBB-BBBB' }));
    const html = await res.text();
    assert.equal(res.status, 400);
    assert.match(tagWithId(html, 'device-error'), /role="alert"/);
    assert.match(tagWithId(html, 'user_code'), /aria-invalid="true"[^>]*aria-describedby="device-error"/);
  });

  it('marks the account page password field that failed, and no other', async () => {
    const agent = browser(t);
    const owner = await t.addUser({});
    await signIn(agent, owner);
    const page = await (await agent.request('/account')).text();
    const csrf = csrfOf(page);
    const wrong = await (
      await agent.request(
        '/account/password',
        form({ csrf, current_password: 'nope-nope-nope', new_password: 'a long new passphrase' }),
      )
    ).text();
    assert.match(tagWithId(wrong, 'account-error'), /role="alert"/);
    assert.match(
      tagWithId(wrong, 'current-password'),
      /aria-invalid="true"[^>]*aria-describedby="account-error"/,
    );
    assert.doesNotMatch(tagWithId(wrong, 'new-password'), /aria-invalid/);
    const weak = await (
      await agent.request(
        '/account/password',
        form({ csrf, current_password: owner.password, new_password: 'password' }),
      )
    ).text();
    assert.match(
      tagWithId(weak, 'new-password'),
      /aria-invalid="true"[^>]*aria-describedby="account-error password-rules"/,
    );
    assert.doesNotMatch(tagWithId(weak, 'current-password'), /aria-invalid/);
  });

  it('marks the MFA and new-password fields, keeping their hints', () => {
    const lang = { locale: 'en' as const, returnTo: '/' };
    const mfa = renderPage(lang, MfaPage, { action: '/login/mfa', csrf: 'x', error: 'invalid_code' });
    assert.match(tagWithId(mfa, 'code'), /aria-invalid="true"[^>]*aria-describedby="mfa-error code-hint"/);
    const calm = renderPage(lang, MfaPage, { action: '/login/mfa', csrf: 'x', error: 'throttled' });
    assert.match(tagWithId(calm, 'code'), /aria-describedby="code-hint"/);
    assert.doesNotMatch(tagWithId(calm, 'code'), /aria-invalid/, 'a throttled form has no wrong field');
    const pw = renderPage(lang, SetPasswordPage, {
      action: '/p',
      csrf: 'x',
      token: 'k',
      error: 'weak_password',
    });
    assert.match(
      tagWithId(pw, 'password'),
      /aria-invalid="true"[^>]*aria-describedby="set-password-error password-rules"/,
    );
  });

  describe('logout confirmation: "Sign out" and "Cancel" (SPEC §5)', () => {
    let clientId: string;
    before(async () => {
      clientId = (
        await t.addClient({
          redirectUris: ['https://app.example/cb'],
          postLogoutRedirectUris: [AFTER_LOGOUT],
        })
      ).id;
    });

    async function cancel(agent: Agent, query: string) {
      const page = await (await agent.request(`/logout?${query}`)).text();
      assert.match(page, /<button type="submit" class="button button-primary">Sign out<\/button>/);
      assert.match(page, /<button type="submit" name="cancel" value="1"[^>]*>Cancel<\/button>/);
      const hidden = Object.fromEntries(
        [...page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      return agent.request('/logout', form({ ...hidden, cancel: '1' }));
    }

    it('goes back to the registered post_logout_redirect_uri, with state, and keeps the session', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const q = new URLSearchParams({
        client_id: clientId,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 'st-1',
      });
      const res = await cancel(agent, q.toString());
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${AFTER_LOGOUT}?state=st-1`);
      assert.equal(await signedIn(agent), true, 'still signed in');
    });

    it('goes to the account page when no return address was verified, and keeps the session', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const res = await cancel(agent, `client_id=${encodeURIComponent(clientId)}`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/account');
      assert.equal(await signedIn(agent), true);
    });

    it('never goes to an address the client did not register, and needs the CSRF token', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const page = await (await agent.request('/logout')).text();
      const forged = await agent.request(
        '/logout',
        form({
          csrf: csrfOf(page),
          cancel: '1',
          client_id: clientId,
          post_logout_redirect_uri: 'https://evil.example/',
        }),
      );
      assert.equal(forged.status, 400);
      assert.equal(forged.headers.get('location'), null);
      const noToken = await agent.request('/logout', form({ csrf: 'forged', cancel: '1' }));
      assert.ok(noToken.status === 400 || noToken.status === 403, `refused, got ${noToken.status}`);
      assert.equal(await signedIn(agent), true);
    });
  });

  it('gives the lockout wait in words, in the page’s language, matching Retry-After', async () => {
    const victim = await t.addUser({});
    const agent = browser(t);
    for (let i = 0; i < 5; i++) await attemptSignIn(agent, victim.email, `wrong-${i}`);
    const res = await attemptSignIn(agent, victim.email, victim.password);
    assert.equal(res.status, 429);
    const wait = Number(res.headers.get('retry-after'));
    assert.ok(wait >= 1);
    assert.match(await res.text(), new RegExp(`Too many attempts\\. Try again ${inDuration('en', wait)}\\.`));
    assert.match(inDuration('en', wait), /^in \d+ (second|minute|hour)s?$/);

    const de = await agent.request('/login', { headers: { 'accept-language': 'de' } });
    const again = await agent.request(
      '/login',
      form(
        { csrf: csrfOf(await de.text()), email: victim.email, password: 'x' },
        { 'accept-language': 'de' },
      ),
    );
    assert.equal(again.status, 429);
    const waitDe = Number(again.headers.get('retry-after'));
    assert.match(await again.text(), new RegExp(`Versuchen Sie es ${inDuration('de', waitDe)} erneut\\.`));
  });

  it('sizes every font in rem, so a larger default text size applies', () => {
    const css = readFileSync(new URL('../../views/styles.css', import.meta.url), 'utf8');
    const sizes = [...css.matchAll(/font-size:\s*([^;]+);/g)].map((m) => m[1]!.trim());
    assert.ok(sizes.length > 10);
    for (const size of sizes) assert.match(size, /^(\d*\.?\d+(rem|em)|inherit)$/, size);
  });
});
