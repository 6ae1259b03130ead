import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SET_PASSWORD_TTL_SECONDS, unlinkUser } from '../../src/admin/users.js';
import { sha256 } from '../../src/crypto/hash.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { type Agent, csrfOf } from '../helpers/agent.js';
import { linkUpstream } from '../helpers/identity.js';
import { browser, expectOAuthError, refresh, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';
const NEW_PASSWORD = 'a-fresh-long-passphrase';

describe('the set-password link (latchkey user unlink)', () => {
  let t: TestApp;
  let client: TestClient;

  before(async () => {
    t = await testApp();
    client = { ...(await t.addClient({ redirectUris: [CB], firstParty: true })), redirectUri: CB };
  });
  after(() => t.close());

  /** A password user, linked to an upstream identity, then unlinked by the admin: the link and its token. */
  async function unlinked(): Promise<{ user: { id: string; email: string }; url: string; token: string }> {
    const user = await t.addUser({});
    await linkUpstream(t.deps.store, user.id, t.clock.now());
    const { url } = await unlinkUser(t.deps, user.email);
    return { user, url, token: new URL(url).searchParams.get('token')! };
  }

  /** Opens the link and posts its form with `password`. */
  async function setPassword(agent: Agent, url: string, password: string) {
    const page = await agent.go(url);
    assert.equal(page.res?.status, 200, page.html);
    return agent.submit(page.html!, { password }, url);
  }

  /** The hosted error page with its stable code, never cached. */
  function expectErrorPage(step: { res?: Response; html?: string }, code: string, status = 400): void {
    const html = step.html ?? '';
    assert.equal(step.res?.status, status, html);
    assert.equal(step.res?.headers.get('cache-control'), 'no-store');
    assert.match(html, /Something went wrong/);
    assert.ok(html.includes(`<code>${code}</code>`), html);
  }

  it('unlink ends the user’s sessions, revokes the refresh tokens and removes the link', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid offline_access', agent });
    // Linking from the account page keeps the session it happens in.
    await linkUpstream(t.deps.store, user.id, t.clock.now(), sha256(agent.cookies.get('lk_session')!));
    assert.equal((await agent.request('/account')).status, 200, 'the session survives the link');

    const { url, expiresAt } = await unlinkUser(t.deps, user.id);

    assert.ok(url.startsWith(`${t.issuer}/password/set?token=`), url);
    assert.equal(expiresAt, t.clock.now() + 24 * 3600);
    assert.equal((await agent.request('/account')).status, 303, 'the session is over');
    await expectOAuthError(await refresh(t, client, tokens['refresh_token']), 'invalid_grant');
    assert.equal(await t.deps.store.identities.findByUser(user.id), undefined);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'user_unlinked');
    assert.equal(event?.userId, user.id);
  });

  it('unlink of a user without a link is not_found and makes no link', async () => {
    const user = await t.addUser({});
    await assert.rejects(unlinkUser(t.deps, user.email), {
      code: 'not_found',
      problem: /no linked provider/,
    });
    await assert.rejects(unlinkUser(t.deps, 'nobody@example.test'), { code: 'not_found' });
  });

  it('stores only the token’s SHA-256', async () => {
    const { token } = await unlinked();
    assert.equal(await t.deps.store.passwordTokens.find(token), undefined);
    assert.equal((await t.deps.store.passwordTokens.find(sha256(token)))?.purpose, 'set');
    const rows = (t.deps.store as SqliteStore).raw.prepare('select * from password_tokens').all();
    assert.equal(JSON.stringify(rows).includes(token), false);
  });

  it('the page asks for a "New password" and carries the token in the body, never in the form action', async () => {
    const { url, token } = await unlinked();
    const res = await browser(t).request(url);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(
      res.headers.get('referrer-policy'),
      'strict-origin',
      'the token never goes out in a Referer',
    );
    assert.match(html, /<label for="password">New password<\/label>/);
    assert.match(
      html,
      /type="password"[^>]*autocomplete="new-password"|autocomplete="new-password"[^>]*type="password"/,
    );
    assert.match(html, /<button type="submit"[^>]*>\s*Set password\s*<\/button>/);
    assert.match(html, /<form method="post" action="\/password\/set"/);
    assert.ok(html.includes(`<input type="hidden" name="token" value="${token}"/>`), html);
  });

  it('works once: the password is set, the user signs in with it, and the link is spent', async () => {
    const { user, url } = await unlinked();
    const agent = browser(t);
    const page = await agent.go(url);
    const done = await agent.submit(page.html!, { password: NEW_PASSWORD }, url);
    assert.equal(done.res?.status, 200, done.html);
    assert.equal(done.res?.headers.get('referrer-policy'), 'strict-origin');
    assert.equal(done.res?.headers.get('cache-control'), 'no-store');
    assert.match(done.html!, /Your password is set/);
    assert.match(done.html!, /<a class="button button-primary" href="\/login">\s*Sign in\s*<\/a>/);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'password_set');
    assert.equal(event?.userId, user.id);

    await signIn(browser(t), { email: user.email, password: NEW_PASSWORD });

    expectErrorPage(await agent.go(url), 'invalid_link');
    const replay = await agent.submit(page.html!, { password: 'yet-another-passphrase' }, url);
    expectErrorPage(replay, 'invalid_link');
    await signIn(browser(t), { email: user.email, password: NEW_PASSWORD });
  });

  it('does not work after 24 hours', async () => {
    const { url } = await unlinked();
    const agent = browser(t);
    t.clock.advance(SET_PASSWORD_TTL_SECONDS - 1);
    const page = await agent.go(url);
    assert.equal(page.res?.status, 200, 'a second before the end it still opens');
    t.clock.advance(1);
    const late = await agent.submit(page.html!, { password: NEW_PASSWORD }, url);
    expectErrorPage(late, 'invalid_link');
    const copy = late.html ?? '';
    assert.match(copy, /This link has expired or was already used\. Ask your administrator for a new one\./);
    expectErrorPage(await agent.go(url), 'invalid_link');
  });

  it('an unknown or missing token is the invalid_link page', async () => {
    const agent = browser(t);
    const unknown = await agent.go('/password/set?token=not-a-token');
    expectErrorPage(unknown, 'invalid_link');
    assert.equal(unknown.res?.headers.get('referrer-policy'), 'strict-origin');
    expectErrorPage(await agent.go('/password/set'), 'invalid_link');
  });

  it('a weak password re-renders the form with an alert and the token, which still works', async () => {
    const { user, url, token } = await unlinked();
    const agent = browser(t);
    for (const weak of ['short', 'password', user.email, 'latchkey2024!']) {
      const page = await setPassword(agent, url, weak);
      assert.equal(page.res?.status, 400, weak);
      assert.match(page.html!, /role="alert"/);
      assert.ok(page.html!.includes(`name="token" value="${token}"`), 'the token stays in the form');
      assert.equal(page.res?.headers.get('referrer-policy'), 'strict-origin');
    }
    const retry = await setPassword(agent, url, NEW_PASSWORD);
    assert.match(retry.html!, /Your password is set/);
    await signIn(browser(t), { email: user.email, password: NEW_PASSWORD });
  });

  it('refuses a post without the browser’s CSRF token, and the link stays usable', async () => {
    const { user, url, token } = await unlinked();
    const agent = browser(t);
    await agent.go(url);
    const forged = await agent.post('/password/set', { token, password: NEW_PASSWORD });
    expectErrorPage(forged, 'csrf', 403);
    const stranger = browser(t);
    const page = await stranger.go(url);
    const foreign = await agent.post('/password/set', {
      csrf: csrfOf(page.html!),
      token,
      password: NEW_PASSWORD,
    });
    expectErrorPage(foreign, 'csrf', 403);
    assert.equal((await t.deps.store.users.find(user.id))?.passwordHash, null, 'no password was set');
    assert.match((await setPassword(agent, url, NEW_PASSWORD)).html!, /Your password is set/);
  });
});
