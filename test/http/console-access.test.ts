import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { removeClient } from '../../src/admin/clients.js';
import { CONSOLE_CLIENT_ID } from '../../src/admin/console/client.js';
import { updateUser } from '../../src/admin/users.js';
import type { AdminError } from '../../src/admin/validate.js';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { sha256 } from '../../src/crypto/hash.js';
import { Agent } from '../helpers/agent.js';
import { type TestApp, testApp } from '../helpers/server.js';

/** A browser that also records every `Set-Cookie` line it was sent. */
function consoleBrowser(t: TestApp): { agent: Agent; setCookies: string[] } {
  const setCookies: string[] = [];
  const agent = new Agent(async (url, init) => {
    const res = await t.app.request(url, init);
    setCookies.push(...res.headers.getSetCookie());
    return res;
  }, t.issuer);
  return { agent, setCookies };
}

const cookieLine = (lines: string[], name: string) => lines.findLast((l) => l.startsWith(`${name}=`));

describe('the admin console: first run, sign-in and access (issue 17)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** A user with the roles given and TOTP enrolled; `code()` is a valid code at the fake clock's time. */
  async function userWithTotp(roles: string[]) {
    const user = await t.addUser({ roles });
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    return { ...user, code: () => generateSync({ secret, epoch: t.clock.now() }) };
  }

  /** /admin → /authorize → password → TOTP → /admin/callback → where the console sends the browser. */
  async function signInToConsole(agent: Agent, user: { email: string; password: string; code(): string }) {
    const login = await agent.go('/admin');
    assert.match(login.html!, /name="password"/, 'the hosted login page');
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password });
    assert.match(mfa.html!, /name="code"/, 'the console client requires a second factor');
    return agent.submit(mfa.html!, { code: user.code() });
  }

  it('answers the first-run page, and nothing else, while no administrator exists', async () => {
    await t.addUser({ roles: ['support'] }); // a role that grants no permission
    const home = await t.request('/admin');
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.match(html, /latchkey user add --email you@example\.com --password … --role admin/);
    assert.equal(home.headers.get('location'), null, 'no sign-in is started');
    assert.equal(home.headers.getSetCookie().length, 0);
    const users = await t.request('/admin/users');
    assert.equal(users.status, 403);
    assert.match(await users.text(), /latchkey user add/);
    const api = await t.request('/admin/v1/users');
    assert.equal(api.status, 401, 'the JSON API is not the console');
    const callback = await t.request('/admin/callback?code=x&state=y');
    assert.equal(callback.status, 403);
    assert.match(await callback.text(), /latchkey user add/);
  });

  it('sends the browser to /authorize for latchkey-console, with state and PKCE, once an admin exists', async () => {
    await t.addUser({ roles: ['admin'] });
    const { agent, setCookies } = consoleBrowser(t);
    const res = await agent.request('/admin');
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!, t.issuer);
    assert.equal(location.pathname, '/authorize');
    const q = location.searchParams;
    assert.equal(q.get('client_id'), CONSOLE_CLIENT_ID);
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('redirect_uri'), `${t.issuer}/admin/callback`);
    assert.equal(q.get('scope'), 'openid admin');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get('state') ?? '').length >= 32);
    const login = cookieLine(setCookies, 'lk_console_login');
    assert.ok(login, 'the sign-in in progress is kept in a cookie');
    assert.match(login, /HttpOnly/);
    assert.match(login, /SameSite=Lax/);
    assert.match(login, /Path=\/admin/);
    assert.doesNotMatch(login, new RegExp(q.get('state')!), 'the cookie is sealed');
  });

  it('the console client is first-party, public with PKCE, requires MFA and only takes the code grant', async () => {
    const client = (await t.deps.store.clients.find(CONSOLE_CLIENT_ID))!;
    assert.equal(client.firstParty, true);
    assert.equal(client.isPublic, true);
    assert.equal(client.requireMfa, true);
    assert.deepEqual(client.grants, ['authorization_code']);
    assert.deepEqual([...client.scopes].sort(), ['admin', 'openid']);
    assert.deepEqual(client.redirectUris, [`${t.issuer}/admin/callback`]);
  });

  it('the console client cannot be removed', async () => {
    await assert.rejects(removeClient(t.deps, CONSOLE_CLIENT_ID), (err: AdminError) => err.code === 'in_use');
    assert.ok(await t.deps.store.clients.find(CONSOLE_CLIENT_ID));
  });

  it('signs an admin in with password and TOTP, and lands on the console home', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent, setCookies } = consoleBrowser(t);
    const home = await signInToConsole(agent, admin);
    assert.equal(home.res?.status, 200);
    assert.match(home.html!, /<h1>Admin console<\/h1>/);
    assert.ok(home.html!.includes(admin.email), 'the signed-in admin is named');
    for (const section of ['Users', 'Apps', 'Providers', 'Scopes', 'Keys', 'Audit'])
      assert.match(home.html!, new RegExp(`>${section}<`));
    for (const href of [
      '/admin/users',
      '/admin/apps',
      '/admin/providers',
      '/admin/scopes',
      '/admin/keys',
      '/admin/audit',
    ])
      assert.equal((await agent.request(href)).status, 200, `${href}, once signed in`);
    assert.match(home.html!, /<form method="post" action="\/admin\/logout">/);
    const cookie = cookieLine(setCookies, 'lk_console');
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/admin/);
    const id = /^lk_console=([^;]+)/.exec(cookie)![1]!;
    assert.equal(await t.deps.store.consoleSessions.find(id), undefined, 'the id itself is not stored');
    assert.equal((await t.deps.store.consoleSessions.find(sha256(id)))?.userId, admin.id, 'its hash is');
    assert.equal(agent.cookies.has('lk_console_login'), false, 'the sign-in cookie is spent');
  });

  it('a signed-in user without admin permissions gets the hosted 403 page', async () => {
    const user = await userWithTotp(['support']);
    const { agent } = consoleBrowser(t);
    const page = await signInToConsole(agent, user);
    assert.equal(page.res?.status, 403);
    assert.match(page.html!, /You do not have access to the admin console/);
    const again = await agent.request('/admin');
    assert.equal(again.status, 403, 'no redirect loop');
  });

  it('a callback whose state does not match is refused with the hosted error page', async () => {
    const { agent } = consoleBrowser(t);
    await agent.request('/admin');
    const res = await agent.request('/admin/callback?code=abc&state=not-the-state');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /state_mismatch/);
    const none = await t.request('/admin/callback?code=abc&state=x');
    assert.equal(none.status, 400, 'no sign-in started in this browser');
  });

  it('the console session ends after 15 idle minutes, not before', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    t.clock.advance(14 * 60);
    assert.equal((await agent.request('/admin')).status, 200, 'used within 15 minutes');
    t.clock.advance(14 * 60);
    assert.equal((await agent.request('/admin')).status, 200, 'a use moves the idle end on');
    t.clock.advance(16 * 60 + 1);
    const idle = await agent.request('/admin');
    assert.equal(idle.status, 303);
    assert.match(idle.headers.get('location')!, /^\/authorize\?/);
  });

  it('disabling the admin ends the console session at once', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    await updateUser(t.deps, admin.id, { disabled: true });
    const res = await agent.request('/admin');
    assert.equal(res.status, 303, 'back to the sign-in, which a disabled user cannot pass');
    assert.match(res.headers.get('location')!, /^\/authorize\?/);
  });

  it('revoking the grant the console signed in with (a logout, a code replay) ends the console session', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    const session = (await t.deps.store.consoleSessions.find(sha256(agent.cookies.get('lk_console')!)))!;
    await t.deps.store.grants.revoke(session.grantId, t.clock.now());
    assert.equal((await agent.request('/admin')).status, 303);
    assert.equal(await t.deps.store.consoleSessions.find(session.idHash), undefined, 'the row is gone');
  });

  /** Logs the browser out of its hosted session, as a user does at /logout. */
  async function hostedLogout(agent: Agent) {
    const confirm = await agent.go('/logout');
    const done = await agent.submit(confirm.html!);
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /signed out/i);
  }

  it('the console session is bound to the browser session it was signed in from', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    const session = (await t.deps.store.consoleSessions.find(sha256(agent.cookies.get('lk_console')!)))!;
    assert.equal(session.browserSessionHash, sha256(agent.cookies.get('lk_session')!));
  });

  it('a logout of the hosted session ends the console session', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    const idHash = sha256(agent.cookies.get('lk_console')!);
    await hostedLogout(agent);
    const res = await agent.request('/admin');
    assert.equal(res.status, 303, 'a new sign-in');
    assert.match(res.headers.get('location')!, /^\/authorize\?/);
    assert.equal(await t.deps.store.consoleSessions.find(idHash), undefined, 'the row is gone');
  });

  it('a logout of the hosted session ends the console session after the sweep deleted its grant', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    const session = (await t.deps.store.consoleSessions.find(sha256(agent.cookies.get('lk_console')!)))!;
    for (let i = 0; i < 5; i++) {
      t.clock.advance(14 * 60);
      assert.equal((await agent.request('/admin')).status, 200, `in use after ${(i + 1) * 14} minutes`);
    }
    await t.deps.store.sweep(t.clock.now(), 5000, t.deps.config.eventRetentionSeconds);
    assert.equal(await t.deps.store.grants.find(session.grantId), undefined, 'the sweep deleted the grant');
    assert.equal((await agent.request('/admin')).status, 200, 'still signed in to the console');
    await hostedLogout(agent);
    const res = await agent.request('/admin');
    assert.equal(res.status, 303, 'a new sign-in');
    assert.match(res.headers.get('location')!, /^\/authorize\?/);
    assert.equal(await t.deps.store.consoleSessions.find(session.idHash), undefined, 'the row is gone');
  });

  it('the browser session ending on its own (expired) ends the console session', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    const browser = (await t.deps.store.sessions.find(sha256(agent.cookies.get('lk_session')!)))!;
    await t.deps.store.sessions.touch(browser.idHash, t.clock.now(), t.clock.now());
    const res = await agent.request('/admin');
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/authorize\?/);
  });

  it('a role taken away counts at the next request', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    assert.equal((await signInToConsole(agent, admin)).res?.status, 200);
    await updateUser(t.deps, admin.id, { roles: [] });
    assert.equal((await agent.request('/admin')).status, 403);
  });

  it('POST /admin/logout without the CSRF token is refused; with it, the console session ends', async () => {
    const admin = await userWithTotp(['admin']);
    const { agent } = consoleBrowser(t);
    const home = await signInToConsole(agent, admin);
    const refused = await agent.request('/admin/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /csrf/);
    assert.equal((await agent.request('/admin')).status, 200, 'still signed in');
    const out = await agent.submit(home.html!);
    assert.equal(out.res?.status, 200);
    assert.match(out.html!, /Signed out of the admin console/);
    assert.equal(agent.cookies.has('lk_console'), false);
    assert.equal((await agent.request('/admin')).status, 303, 'the next visit signs in again');
  });
});

/** Under https the console's cookies carry `__Host-` (a sibling host cannot plant them) and only those are read. */
describe('the admin console under an https issuer: __Host- cookies', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'https://id.example' });
  });
  after(() => t.close());

  const hostOnly = (line: string | undefined, sameSite: string) => {
    assert.ok(line, 'the cookie is set under its __Host- name');
    assert.match(line, /; Path=\/(;|$)/);
    assert.match(line, /; Secure/);
    assert.match(line, /; HttpOnly/);
    assert.match(line, new RegExp(`; SameSite=${sameSite}`));
    assert.doesNotMatch(line, /; Domain=/i);
  };

  async function admin() {
    const user = await t.addUser({ roles: ['admin'] });
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    return { ...user, code: () => generateSync({ secret, epoch: t.clock.now() }) };
  }

  it('sets __Host-lk_console_login and __Host-lk_console (Secure, Path=/); the callback reads the prefixed one', async () => {
    const user = await admin();
    const { agent, setCookies } = consoleBrowser(t);
    const login = await agent.go('/admin');
    hostOnly(cookieLine(setCookies, '__Host-lk_console_login'), 'Lax');
    assert.equal(cookieLine(setCookies, 'lk_console_login'), undefined, 'no unprefixed sign-in cookie');
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password });
    const home = await agent.submit(mfa.html!, { code: user.code() });
    assert.equal(home.res?.status, 200, 'signed in through /admin/callback');
    assert.match(home.html!, /<h1>Admin console<\/h1>/);
    hostOnly(cookieLine(setCookies, '__Host-lk_console'), 'Strict');
    assert.equal(cookieLine(setCookies, 'lk_console'), undefined, 'no unprefixed session cookie');
    assert.equal(agent.cookies.has('__Host-lk_console_login'), false, 'the sign-in cookie is spent');
    assert.equal((await agent.request('/admin/users')).status, 200);

    // The same session id under the plain name (what a sibling host could set) is not read.
    const id = agent.cookies.get('__Host-lk_console')!;
    agent.cookies.delete('__Host-lk_console');
    agent.cookies.set('lk_console', id);
    assert.equal((await agent.request('/admin/users')).status, 303, 'sent to sign in again');
  });

  it('a sign-in cookie planted under the plain name is ignored: the callback is a state mismatch', async () => {
    // The attacker's own sign-in in progress, planted in the victim's browser without the prefix.
    const attacker = consoleBrowser(t);
    const started = await attacker.agent.request('/admin');
    const state = new URL(started.headers.get('location')!, t.issuer).searchParams.get('state')!;
    await started.body?.cancel();
    const sealed = attacker.agent.cookies.get('__Host-lk_console_login')!;
    assert.ok(sealed, 'the sign-in cookie is set under its __Host- name');
    const victim = consoleBrowser(t);
    victim.agent.cookies.set('lk_console_login', sealed);
    const res = await victim.agent.request(`/admin/callback?code=abc&state=${encodeURIComponent(state)}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /state_mismatch/);
  });

  it('over plain http under an issuer path, the console cookie has that path once (Path=/auth/admin)', async () => {
    const s = await testApp({ ISSUER: 'http://localhost:3000/auth' });
    try {
      await s.addUser({ roles: ['admin'] });
      const res = await s.app.request('http://localhost:3000/auth/admin');
      assert.equal(res.status, 303);
      const line = cookieLine(res.headers.getSetCookie(), 'lk_console_login');
      assert.ok(line, 'the sign-in cookie');
      assert.match(line, /; Path=\/auth\/admin(;|$)/);
    } finally {
      await s.close();
    }
  });
});
