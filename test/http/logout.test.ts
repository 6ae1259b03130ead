import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Agent, csrfOf } from '../helpers/agent.js';
import { browser, headerOf, json, refresh, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';
const AFTER_LOGOUT = 'https://app.example/signed-out';

describe('GET /logout (RP-Initiated Logout 1.0)', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: TestClient;
  let otherClient: TestClient;

  before(async () => {
    t = await testApp();
    user = await t.addUser({});
    client = {
      ...(await t.addClient({
        redirectUris: [CB],
        postLogoutRedirectUris: [AFTER_LOGOUT],
        firstParty: true,
      })),
      redirectUri: CB,
    };
    otherClient = { ...(await t.addClient({ redirectUris: [CB], firstParty: true })), redirectUri: CB };
  });
  after(() => t.close());

  /** Is the agent still signed in? Asks /authorize with prompt=none. */
  async function signedIn(agent: Agent): Promise<boolean> {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: CB,
      scope: 'openid',
      prompt: 'none',
    });
    const res = await agent.request(`/authorize?${q}`);
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    if (location.searchParams.get('code')) return true;
    assert.equal(location.searchParams.get('error'), 'login_required');
    return false;
  }

  it('ends the session, revokes its refresh tokens except offline_access ones, and redirects with state', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const online = await tokensFor(t, client, user, { scope: 'openid', agent });
    const offline = await tokensFor(t, client, user, { scope: 'openid offline_access', agent });
    const elsewhere = await tokensFor(t, otherClient, user, { scope: 'openid', agent });
    assert.ok(online.refresh_token && offline.refresh_token && elsewhere.refresh_token);
    // Another browser's session of the same user is not touched.
    const laptop = browser(t);
    await signIn(laptop, user);
    const laptopTokens = await tokensFor(t, client, user, { scope: 'openid', agent: laptop });
    assert.equal(await signedIn(agent), true);

    const q = new URLSearchParams({
      id_token_hint: online.id_token,
      post_logout_redirect_uri: AFTER_LOGOUT,
      state: 'bye-123',
    });
    const res = await agent.request(`/logout?${q}`);
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, AFTER_LOGOUT);
    assert.equal(location.searchParams.get('state'), 'bye-123');
    assert.equal(agent.cookies.has('lk_session'), false, 'the session cookie is cleared');

    assert.equal(await signedIn(agent), false);
    assert.equal((await refresh(t, client, online.refresh_token)).status, 400);
    assert.equal(
      (await refresh(t, otherClient, elsewhere.refresh_token)).status,
      400,
      'every client of the session',
    );
    assert.equal((await refresh(t, client, offline.refresh_token)).status, 200, 'offline_access survives');
    assert.equal(await signedIn(laptop), true);
    assert.equal((await refresh(t, client, laptopTokens.refresh_token)).status, 200);
  });

  it('ends the session even when the browser replays the old session cookie', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid', agent });
    const sessionCookie = agent.cookies.get('lk_session')!;
    await agent.request(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    agent.cookies.set('lk_session', sessionCookie);
    assert.equal(await signedIn(agent), false);
  });

  it('accepts an expired ID token as the hint', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid', agent });
    t.clock.advance(2 * 3600);
    const res = await agent.request(
      `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: AFTER_LOGOUT, state: 's' })}`,
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${AFTER_LOGOUT}?state=s`);
    assert.equal(await signedIn(agent), false);
  });

  it('redirects without state when none was sent', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid', agent });
    const res = await agent.request(
      `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: AFTER_LOGOUT })}`,
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), AFTER_LOGOUT);
  });

  it('shows an error page for an unregistered post_logout_redirect_uri and keeps the session', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid', agent });
    for (const uri of ['https://evil.example/', `${AFTER_LOGOUT}/`, CB]) {
      const res = await agent.request(
        `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: uri, state: 's' })}`,
      );
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /Something went wrong/);
    }
    // Without an id_token_hint or client_id the URI cannot be checked: no redirect either.
    const bare = await agent.request(
      `/logout?${new URLSearchParams({ post_logout_redirect_uri: AFTER_LOGOUT })}`,
    );
    assert.equal(bare.status, 400);
    assert.equal(bare.headers.get('location'), null);
    assert.equal(await signedIn(agent), true);
  });

  it('asks for confirmation without a matching hint, and the Sign out button signs out', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const someoneElse = await t.addUser({});
    const foreign = await tokensFor(t, client, someoneElse, { scope: 'openid' });

    for (const q of [
      new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'st-9' }),
      new URLSearchParams({
        id_token_hint: foreign.id_token,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 'st-9',
      }),
    ]) {
      const page = await agent.go(`/logout?${q}`);
      assert.equal(page.res?.status, 200);
      assert.match(page.html!, /<button[^>]*>\s*Sign out\s*<\/button>/);
      assert.match(page.html!, /<form[^>]*method="post"/);
      assert.ok(csrfOf(page.html!), 'the form carries a CSRF token');
      assert.equal(await signedIn(agent), true, 'nothing happens before the button');
    }

    const page = await agent.go(
      `/logout?${new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'st-9' })}`,
    );
    const done = await agent.submit(page.html!);
    assert.ok(done.external, 'redirected to the client');
    assert.equal(`${done.external.origin}${done.external.pathname}`, AFTER_LOGOUT);
    assert.equal(done.external.searchParams.get('state'), 'st-9');
    assert.equal(await signedIn(agent), false);
  });

  it('refuses the confirmation form with a wrong CSRF token', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const page = await agent.go('/logout');
    assert.match(page.html!, /Sign out/);
    const res = await agent.request('/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: 'forged' }).toString(),
    });
    assert.ok(res.status === 400 || res.status === 403, `refused, got ${res.status}`);
    assert.equal(await signedIn(agent), true);
    // The real token works and shows the signed-out page.
    const done = await agent.submit(page.html!);
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /signed out/i);
    assert.equal(await signedIn(agent), false);
  });

  it('shows the signed-out page without a session', async () => {
    const res = await browser(t).request('/logout');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /You are signed out/);
  });

  it('still redirects to a registered URI without a session', async () => {
    const res = await browser(t).request(
      `/logout?${new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'x' })}`,
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${AFTER_LOGOUT}?state=x`);
  });

  it('refuses an id_token_hint that is not one of ours', async () => {
    const res = await browser(t).request(`/logout?${new URLSearchParams({ id_token_hint: 'not.a.jwt' })}`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.equal((await json(await t.request('/healthz'))).status, 'ok');
  });

  it('refuses an access token as the hint, keeps the session, and still takes the ID token (issue 8 #6)', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid', agent });
    assert.equal(headerOf(tokens.access_token).typ, 'at+jwt');
    const logout = (hint: string) =>
      agent.request(
        `/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: AFTER_LOGOUT, state: 's' })}`,
      );

    const refused = await logout(tokens.access_token);
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('location'), null);
    const html = await refused.text();
    assert.match(html, /Something went wrong/);
    assert.ok(html.includes('<code>invalid_request</code>'), 'the page shows invalid_request');
    assert.equal(await signedIn(agent), true, 'the session is kept');
    assert.equal((await refresh(t, client, tokens.refresh_token)).status, 200);

    const res = await logout(tokens.id_token);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${AFTER_LOGOUT}?state=s`);
    assert.equal(await signedIn(agent), false);
  });
});
