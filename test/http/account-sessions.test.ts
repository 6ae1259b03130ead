import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Agent, attemptSignIn, csrfOf } from '../helpers/agent.js';
import { browser, signIn } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

/** The text of the element with role="alert". */
function alertText(html: string): string | undefined {
  const m = /<(\w+)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m?.[2]?.replace(/<[^>]*>/g, '').trim();
}

describe('account page: one session signed out, password changed (SPEC §5 "account (more)")', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  async function post(agent: Agent, path: string, fields: Record<string, string>) {
    const page = await (await agent.request('/account')).text();
    const res = await agent.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(page), ...fields }).toString(),
    });
    return { res, html: await res.text() };
  }

  const handles = (html: string) => [...html.matchAll(/name="session" value="([^"]*)"/g)].map((m) => m[1]!);

  it('lists each session with its own "Sign out"; signing out the other one ends only that one', async () => {
    const user = await t.addUser({});
    const [a, b] = [browser(t), browser(t)];
    await signIn(a, user);
    await signIn(b, user);
    const page = await (await a.request('/account')).text();
    assert.equal(handles(page).length, 2);
    assert.equal((page.match(/>\s*Sign out\s*<\/button>/g) ?? []).length, 2);
    assert.match(page, /Last seen/);
    const current =
      /<li class="item">(?:(?!<\/li>)[\s\S])*This device(?:(?!<\/li>)[\s\S])*name="session" value="([^"]*)"/.exec(
        page,
      )?.[1];
    const other = handles(page).find((h) => h !== current)!;
    const res = await post(a, '/account/sessions/sign-out', { session: other });
    assert.equal(res.res.headers.get('location'), '/account?notice=session_signed_out');
    assert.equal((await b.request('/account')).status, 303, 'the other browser is signed out');
    assert.equal((await a.request('/account')).status, 200, 'this one is not');
  });

  it('signing out this session goes to sign-in; another user’s session cannot be named', async () => {
    const [user, stranger] = [await t.addUser({}), await t.addUser({})];
    const [a, s] = [browser(t), browser(t)];
    await signIn(a, user);
    await signIn(s, stranger);
    const theirs = handles(await (await s.request('/account')).text())[0]!;
    await post(a, '/account/sessions/sign-out', { session: theirs });
    assert.equal((await s.request('/account')).status, 200, 'a stranger’s session is untouched');
    const mine = handles(await (await a.request('/account')).text())[0]!;
    const res = await post(a, '/account/sessions/sign-out', { session: mine });
    assert.match(res.res.headers.get('location') ?? '', /^\/login\?return_to=/);
    assert.equal((await a.request('/account')).status, 303);
  });

  it('changes the password: the current one is required, the new one follows the policy, other sessions end', async () => {
    const user = await t.addUser({});
    const [a, b] = [browser(t), browser(t)];
    await signIn(a, user);
    await signIn(b, user);
    const page = await (await a.request('/account')).text();
    assert.match(page, /<h2 id="password-heading">Password<\/h2>/);
    assert.match(page, /<label for="current-password">Current password<\/label>/);
    assert.match(page, /<label for="new-password">New password<\/label>/);
    assert.match(page, />\s*Change password\s*</);

    const wrong = await post(a, '/account/password', {
      current_password: 'nope-nope-nope',
      new_password: 'a fresh and long passphrase',
    });
    assert.equal(wrong.res.status, 401);
    assert.match(alertText(wrong.html) ?? '', /Incorrect/);
    const weak = await post(a, '/account/password', {
      current_password: user.password,
      new_password: 'password',
    });
    assert.equal(weak.res.status, 400);
    assert.ok(alertText(weak.html));

    const fresh = 'a fresh and long passphrase';
    const done = await post(a, '/account/password', { current_password: user.password, new_password: fresh });
    assert.equal(done.res.headers.get('location'), '/account?notice=password_changed');
    assert.equal((await a.request('/account')).status, 200, 'this browser stays signed in');
    assert.equal((await b.request('/account')).status, 303, 'the other session ended');
    assert.equal((await attemptSignIn(browser(t), user.email, user.password)).status, 401);
    assert.equal((await attemptSignIn(browser(t), user.email, fresh)).status, 303);
  });

  it('every new form needs the CSRF token', async () => {
    const user = await t.addUser({});
    const a = browser(t);
    await signIn(a, user);
    for (const path of ['/account/sessions/sign-out', '/account/password']) {
      const res = await a.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          session: 'x',
          current_password: user.password,
          new_password: 'whatever long enough',
        }).toString(),
      });
      assert.equal(res.status, 403, path);
    }
  });
});
