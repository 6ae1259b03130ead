import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { queryEvents } from '../../src/admin/events.js';
import { enrollTotpNow, secondFactorMethods } from '../../src/auth/second-factor.js';
import { Agent, decodeEntities } from '../helpers/agent.js';
import { linkUpstream } from '../helpers/identity.js';
import { json, refresh, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

describe('the admin console: Users (issue 17)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  const browser = () => new Agent((url, init) => t.app.request(url, init), t.issuer);

  async function userWithTotp(roles: string[]) {
    const user = await t.addUser({ roles });
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    return { ...user, code: () => generateSync({ secret, epoch: t.clock.now() }) };
  }

  /**
   * A code for a confirmation's step-up: each TOTP step is accepted once (the sign-in used this one), so the
   * clock moves on a step first.
   */
  function stepUp(admin: { code: () => string }): { code: string } {
    t.clock.advance(30);
    return { code: admin.code() };
  }

  /** An agent signed in to the console with the roles given (password + TOTP), and its admin. */
  async function signedIn(roles: string[] = ['admin']) {
    const admin = await userWithTotp(roles);
    const agent = browser();
    const login = await agent.go('/admin');
    const mfa = await agent.submit(login.html!, { email: admin.email, password: admin.password });
    const home = await agent.submit(mfa.html!, { code: admin.code() });
    assert.equal(home.res?.status, 200);
    return { agent, admin };
  }

  const csrfOf = (html: string) => decodeEntities(/name="csrf" value="([^"]*)"/.exec(html)![1]!);

  /** GET `page`, then post `fields` (with the page's CSRF token) to `action`. */
  async function postFrom(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
    const { html } = await agent.go(page);
    assert.ok(html!.includes(`action="${action}"`), `${page} has a form posting to ${action}`);
    return agent.post(action, { csrf: csrfOf(html!), ...fields });
  }

  /** The user's audit events of `type`, newest first. */
  async function eventsOf(userId: string, type: string) {
    return (await queryEvents(t.deps, { userId, limit: 200 })).items.filter((e) => e.type === type);
  }

  /** A browser session of the user, signed in through the hosted login page. */
  async function browserSession(user: { email: string; password: string }) {
    const agent = browser();
    const login = await agent.go('/account');
    const account = await agent.submit(login.html!, { email: user.email, password: user.password });
    assert.equal(account.res?.status, 200);
  }

  it('lists users in a table, searches by email or name, and pages', async () => {
    const { agent } = await signedIn();
    const alice = await t.addUser({
      email: 'alice.list@example.test',
      name: 'Alice Liddell',
      roles: ['auditor'],
    });
    await t.addUser({ email: 'bob.list@example.test', name: 'Bob Builder' });
    const list = await agent.go('/admin/users');
    assert.equal(list.res?.status, 200);
    const html = list.html!;
    assert.match(html, /<h1>Users<\/h1>/);
    for (const col of ['Email', 'Name', 'Roles', 'Status', 'MFA'])
      assert.match(html, new RegExp(`<th scope="col">${col}</th>`));
    assert.match(html, /<label for="user-search">/);
    assert.ok(html.includes(`href="/admin/users/${alice.id}"`), 'each row links to the user');
    assert.match(html, /data-label="Roles">auditor</);
    assert.match(html, /href="\/admin\/users\/new"/);
    // The console's words are English only: no language links that would change nothing.
    assert.ok(!html.includes('class="languages"'), 'no language switcher on console pages');

    const byName = await agent.go('/admin/users?q=liddell');
    assert.ok(byName.html!.includes('alice.list@example.test'));
    assert.ok(!byName.html!.includes('bob.list@example.test'));
    const byEmail = await agent.go('/admin/users?q=bob.list');
    assert.ok(byEmail.html!.includes('bob.list@example.test'));
    assert.ok(!byEmail.html!.includes('alice.list@example.test'));

    for (let i = 0; i < 55; i++) await t.addUser({ email: `paging-${i}@example.test` });
    const first = await agent.go('/admin/users?q=paging-');
    const next = /href="(\/admin\/users\?[^"]*cursor=[^"]*)">Next page/.exec(first.html!);
    assert.ok(next, 'a next page link');
    const second = await agent.go(decodeEntities(next[1]!));
    assert.equal(second.res?.status, 200);
    assert.ok(second.html!.includes('paging-'), 'the rest of the users');
    assert.ok(!/Next page/.test(second.html!), 'the last page');
    const bad = await agent.go('/admin/users?cursor=nonsense');
    assert.equal(bad.res?.status, 400);
    assert.match(bad.html!, /role="alert"/);
  });

  it('adds a user, and re-renders the form with the problem in role="alert"', async () => {
    const { agent, admin } = await signedIn();
    const form = await agent.go('/admin/users/new');
    assert.equal(form.res?.status, 200);
    for (const label of ['Email', 'Name', 'Password (optional)', 'Roles', 'Groups'])
      assert.ok(form.html!.includes(`>${label}</label>`), label);
    assert.match(form.html!, /Send invitation/);
    const added = await postFrom(agent, '/admin/users/new', '/admin/users/new', {
      email: 'carol.new@example.test',
      name: 'Carol',
      password: 'a long enough passphrase 42',
      roles: 'auditor, events:read',
      ...stepUp(admin),
    });
    assert.equal(added.res?.status, 200);
    assert.match(added.html!, /User added\./);
    const carol = (await t.deps.store.users.findByEmail('carol.new@example.test'))!;
    assert.equal(carol.name, 'Carol');
    assert.deepEqual([...carol.roles].sort(), ['auditor', 'events:read']);
    assert.ok(carol.passwordHash);
    const [created] = await eventsOf(carol.id, 'user_created');
    assert.equal(created?.actor, `user:${admin.id}`);

    const taken = await postFrom(agent, '/admin/users/new', '/admin/users/new', {
      email: 'carol.new@example.test',
      name: 'Carol again',
      ...stepUp(admin),
    });
    assert.equal(taken.res?.status, 409);
    assert.match(taken.html!, /role="alert"[^>]*>\s*<p>Email: &quot;carol\.new@example\.test&quot; is taken/);
    assert.match(taken.html!, /value="Carol again"/, 'the form keeps what was typed');

    const invited = await postFrom(agent, '/admin/users/new', '/admin/users/new', {
      email: 'dave.invited@example.test',
      invite: 'on',
      ...stepUp(admin),
    });
    assert.equal(invited.res?.status, 200);
    const dave = (await t.deps.store.users.findByEmail('dave.invited@example.test'))!;
    assert.equal(dave.passwordHash, null);
    const [inviteEvent] = await eventsOf(dave.id, 'user_created');
    assert.deepEqual(inviteEvent?.detail, { roles: [], invited: true });
    assert.equal(inviteEvent?.actor, `user:${admin.id}`);
  });

  it('edits a user’s name and roles', async () => {
    const { agent, admin } = await signedIn();
    const erin = await t.addUser({ email: 'erin.edit@example.test', name: 'Erin' });
    const page = `/admin/users/${erin.id}`;
    const shown = await agent.go(page);
    assert.equal(shown.res?.status, 200);
    assert.match(shown.html!, /<h1>erin\.edit@example\.test<\/h1>/);
    const saved = await postFrom(agent, page, page, {
      email: 'erin.edit@example.test',
      name: 'Erin Edited',
      roles: 'auditor',
      groups: 'staff, ops',
      ...stepUp(admin),
    });
    assert.equal(saved.res?.status, 200);
    assert.match(saved.html!, /Changes saved\./);
    const record = (await t.deps.store.users.find(erin.id))!;
    assert.equal(record.name, 'Erin Edited');
    assert.deepEqual(record.roles, ['auditor']);
    assert.deepEqual([...record.groups].sort(), ['ops', 'staff']);
    const [updated] = await eventsOf(erin.id, 'user_updated');
    assert.equal(updated?.actor, `user:${admin.id}`);
    assert.match(saved.html!, /data-label="Event">user_updated</, 'the recent events show it');

    const bad = await postFrom(agent, page, page, { email: 'not an address', name: 'X', ...stepUp(admin) });
    assert.equal(bad.res?.status, 400);
    assert.match(bad.html!, /role="alert"/);
  });

  it('editing a user’s roles needs the step-up: a wrong code changes nothing (401), the right one saves', async () => {
    const { agent, admin } = await signedIn();
    const gus = await t.addUser({ email: 'gus.roles@example.test', name: 'Gus' });
    const page = `/admin/users/${gus.id}`;
    const shown = await agent.go(page);
    assert.match(shown.html!, /<label for="step-up-code">Authentication code<\/label>/);
    assert.match(/<input[^>]*id="step-up-code"[^>]*>/.exec(shown.html!)![0], /autocomplete="one-time-code"/);
    const fields = { email: 'gus.roles@example.test', name: 'Gus', roles: 'admin', groups: '' };
    for (const code of [{ code: '000000' }, {}]) {
      const wrong = await postFrom(agent, page, page, { ...fields, ...code });
      assert.equal(wrong.res?.status, 401);
      assert.match(wrong.html!, /role="alert"[^>]*>\s*<p>That code didn’t work/);
      assert.match(wrong.html!, /<input id="user-roles"[^>]*value="admin"/, 'what was typed stays');
      assert.deepEqual((await t.deps.store.users.find(gus.id))!.roles, [], 'nothing changed');
      assert.equal((await eventsOf(gus.id, 'user_updated')).length, 0);
    }
    const saved = await postFrom(agent, page, page, { ...fields, ...stepUp(admin) });
    assert.match(saved.html!, /Changes saved\./);
    assert.deepEqual((await t.deps.store.users.find(gus.id))!.roles, ['admin']);
  });

  it('disables a user through the confirmation page: their sessions end; enabling brings sign-in back', async () => {
    const { agent, admin } = await signedIn();
    const frank = await t.addUser({ email: 'frank.disable@example.test' });
    await browserSession(frank);
    assert.equal((await t.deps.store.sessions.listActiveForUser(frank.id, t.clock.now())).length, 1);
    const page = `/admin/users/${frank.id}`;
    const user = await agent.go(page);
    assert.ok(user.html!.includes(`href="${page}/disable"`));
    const confirm = await agent.go(`${page}/disable`);
    assert.equal(confirm.res?.status, 200);
    assert.match(confirm.html!, /<h1>Disable user<\/h1>/);
    assert.match(confirm.html!, /Every session of the user ends/);
    assert.equal((await t.deps.store.users.find(frank.id))!.disabledAt, null, 'the GET changes nothing');
    const disabled = await postFrom(agent, `${page}/disable`, `${page}/disable`, stepUp(admin));
    assert.equal(disabled.res?.status, 200);
    assert.match(disabled.html!, /User disabled/);
    assert.notEqual((await t.deps.store.users.find(frank.id))!.disabledAt, null);
    assert.equal((await t.deps.store.sessions.listActiveForUser(frank.id, t.clock.now())).length, 0);
    const [event] = await eventsOf(frank.id, 'user_disabled');
    assert.equal(event?.actor, `user:${admin.id}`);

    assert.match((await agent.go(page)).html!, new RegExp(`<form method="get" action="${page}/enable"`));
    const wrongEnable = await postFrom(agent, `${page}/enable`, `${page}/enable`, { code: '000000' });
    assert.equal(wrongEnable.res?.status, 401);
    assert.notEqual((await t.deps.store.users.find(frank.id))!.disabledAt, null, 'still disabled');
    const enabled = await postFrom(agent, `${page}/enable`, `${page}/enable`, stepUp(admin));
    assert.match(enabled.html!, /User enabled\./);
    assert.equal((await t.deps.store.users.find(frank.id))!.disabledAt, null);
    assert.equal((await eventsOf(frank.id, 'user_enabled'))[0]?.actor, `user:${admin.id}`);
  });

  it('resets a user’s two-factor authentication through the confirmation page', async () => {
    const { agent, admin } = await signedIn();
    const gina = await userWithTotp([]);
    const record = (await t.deps.store.users.find(gina.id))!;
    assert.equal((await secondFactorMethods(t.deps, record)).length, 1);
    const page = `/admin/users/${gina.id}`;
    /** Gina's MFA column in the users list. */
    const listed = async () => {
      const list = await agent.go(`/admin/users?q=${encodeURIComponent(gina.email)}`);
      return /<a href="\/admin\/users\/[^"]+">[^<]+<\/a><\/td>.*?data-label="MFA">(\w+)</s.exec(
        list.html!,
      )?.[1];
    };
    assert.equal(await listed(), 'On');
    assert.ok((await agent.go(page)).html!.includes(`href="${page}/reset-mfa"`));
    const reset = await postFrom(agent, `${page}/reset-mfa`, `${page}/reset-mfa`, stepUp(admin));
    assert.equal(reset.res?.status, 200);
    assert.match(reset.html!, /Two-factor authentication reset\./);
    assert.equal((await secondFactorMethods(t.deps, record)).length, 0);
    assert.equal(await listed(), 'Off');
    const [event] = await eventsOf(gina.id, 'mfa_reset');
    assert.equal(event?.actor, `user:${admin.id}`);
  });

  it('sets a password through the confirmation page; a weak one is shown in role="alert"', async () => {
    const { agent, admin } = await signedIn();
    const hank = await t.addUser({ email: 'hank.password@example.test' });
    const page = `/admin/users/${hank.id}/password`;
    const weak = await postFrom(agent, page, page, { password: 'x', ...stepUp(admin) });
    assert.equal(weak.res?.status, 400);
    assert.match(weak.html!, /role="alert"/);
    const set = await postFrom(agent, page, page, {
      password: 'another long passphrase 7',
      ...stepUp(admin),
    });
    assert.match(set.html!, /Password set/);
    assert.equal((await eventsOf(hank.id, 'password_set'))[0]?.actor, `user:${admin.id}`);
  });

  it('signs a user out of one session from their page', async () => {
    const { agent, admin } = await signedIn();
    const ivy = await t.addUser({ email: 'ivy.sessions@example.test' });
    await browserSession(ivy);
    const [session] = await t.deps.store.sessions.listActiveForUser(ivy.id, t.clock.now());
    const page = `/admin/users/${ivy.id}`;
    const ended = await postFrom(agent, page, `${page}/sessions/${encodeURIComponent(session!.idHash)}/end`);
    assert.match(ended.html!, /Session ended\./);
    assert.equal((await t.deps.store.sessions.listActiveForUser(ivy.id, t.clock.now())).length, 0);
    assert.equal((await eventsOf(ivy.id, 'session_ended'))[0]?.actor, `user:${admin.id}`);
  });

  it('unlinks a user’s provider through the confirmation page; without mail the set-password link is shown once', async () => {
    const { agent, admin } = await signedIn();
    const leo = await t.addUser({ email: 'leo.unlink@example.test' });
    await linkUpstream(t.deps.store, leo.id, t.clock.now());
    const page = `/admin/users/${leo.id}`;
    const shown = await agent.go(page);
    assert.match(shown.html!, /Linked provider<\/dt>\s*<dd>google<\/dd>/);
    assert.ok(shown.html!.includes(`href="${page}/unlink"`));
    const unlinked = await postFrom(agent, `${page}/unlink`, `${page}/unlink`, stepUp(admin));
    assert.equal(unlinked.res?.status, 200);
    assert.match(unlinked.html!, /Provider unlinked/);
    assert.match(unlinked.html!, /\/password\/set\?token=/);
    assert.equal(await t.deps.store.identities.findByUser(leo.id), undefined);
    assert.equal((await eventsOf(leo.id, 'user_unlinked'))[0]?.actor, `user:${admin.id}`);
    const again = await agent.go(page);
    assert.ok(!again.html!.includes('/password/set?token='), 'the link is not shown again');
    assert.ok(!again.html!.includes(`href="${page}/unlink"`), 'nothing left to unlink');
  });

  /** A third-party app the user connected through the code flow (consent page), with a refresh token. */
  async function connectedApp(user: { email: string; password: string }, name: string) {
    const redirectUri = 'https://app.example/cb';
    const client = { ...(await t.addClient({ name, redirectUris: [redirectUri] })), redirectUri };
    const tokens = await tokensFor(t, client, user, { scope: 'openid email offline_access' });
    assert.equal(typeof tokens['refresh_token'], 'string');
    return { client, refreshToken: tokens['refresh_token'] as string };
  }

  it('lists a user’s connected apps, and revokes one through the confirmation page with step-up', async () => {
    const { agent, admin } = await signedIn();
    const mia = await t.addUser({ email: 'mia.apps@example.test' });
    const { client, refreshToken } = await connectedApp(mia, 'Mia Notes');
    assert.ok((await t.deps.store.consents.find(mia.id, client.id)).length > 0, 'the consent is stored');
    const page = `/admin/users/${mia.id}`;
    const shown = await agent.go(page);
    assert.equal(shown.res?.status, 200);
    assert.match(shown.html!, /<h2 id="apps-heading">Connected apps<\/h2>/);
    assert.match(shown.html!, /Mia Notes/, 'the app’s name');
    assert.match(shown.html!, /openid email offline_access/);
    const revoke = `${page}/apps/${encodeURIComponent(client.id)}/revoke`;
    assert.ok(shown.html!.includes(`href="${revoke}"`), 'a Revoke link to the confirmation page');

    const confirm = await agent.go(revoke);
    assert.equal(confirm.res?.status, 200);
    assert.match(confirm.html!, /<h1>Revoke app access<\/h1>/);
    const wrong = await postFrom(agent, revoke, revoke, { code: '000000' });
    assert.equal(wrong.res?.status, 401, 'no step-up, no change');
    assert.ok((await t.deps.store.consents.find(mia.id, client.id)).length > 0);

    const revoked = await postFrom(agent, revoke, revoke, stepUp(admin));
    assert.equal(revoked.res?.status, 200);
    assert.match(revoked.html!, /access has been revoked/);
    assert.match(revoked.html!, /No connected apps\./);
    assert.deepEqual(await t.deps.store.consents.find(mia.id, client.id), [], 'the consent is forgotten');
    const refused = await refresh(t, client, refreshToken);
    assert.equal(refused.status, 400);
    assert.equal((await json(refused))['error'], 'invalid_grant');
    const [event] = await eventsOf(mia.id, 'app_revoked');
    assert.equal(event?.actor, `user:${admin.id}`);
    assert.equal(event?.clientId, client.id);

    const again = await postFrom(agent, revoke, revoke, stepUp(admin));
    assert.equal(again.res?.status, 404, 'nothing left to revoke');
  });

  it('a read-only admin (auditor) sees the connected apps, but revoking one is refused with 403', async () => {
    const { agent } = await signedIn(['auditor']);
    const noa = await t.addUser({ email: 'noa.apps@example.test' });
    const { client, refreshToken } = await connectedApp(noa, 'Noa Calendar');
    const page = `/admin/users/${noa.id}`;
    const shown = await agent.go(page);
    assert.equal(shown.res?.status, 200);
    assert.match(shown.html!, /Connected apps/);
    assert.match(shown.html!, /Noa Calendar/);
    const revoke = `${page}/apps/${encodeURIComponent(client.id)}/revoke`;
    assert.ok(!shown.html!.includes(`href="${revoke}"`), 'no Revoke link');
    assert.equal((await agent.go(revoke)).res?.status, 403);
    const refused = await agent.post(revoke, { csrf: csrfOf(shown.html!), code: '123456' });
    assert.equal(refused.res?.status, 403);
    assert.ok((await t.deps.store.consents.find(noa.id, client.id)).length > 0);
    assert.equal((await refresh(t, client, refreshToken)).status, 200, 'the app keeps its access');
    assert.equal((await eventsOf(noa.id, 'app_revoked')).length, 0);
  });

  it('a read-only admin (auditor) sees the list and the user, but a change is refused with 403', async () => {
    const { agent } = await signedIn(['auditor']);
    const jane = await t.addUser({ email: 'jane.readonly@example.test', name: 'Jane' });
    const list = await agent.go('/admin/users');
    assert.equal(list.res?.status, 200);
    assert.ok(!list.html!.includes('Add user'), 'no link to a form it may not use');
    const page = `/admin/users/${jane.id}`;
    const shown = await agent.go(page);
    assert.equal(shown.res?.status, 200);
    assert.ok(!shown.html!.includes(`action="${page}"`), 'no edit form');
    const refused = await agent.post(page, { csrf: csrfOf(shown.html!), email: jane.email, name: 'Hacked' });
    assert.equal(refused.res?.status, 403);
    const disable = await agent.post(`${page}/disable`, { csrf: csrfOf(shown.html!) });
    assert.equal(disable.res?.status, 403);
    assert.equal((await agent.go(`${page}/disable`)).res?.status, 403);
    assert.equal((await agent.go('/admin/users/new')).res?.status, 403);
    const record = (await t.deps.store.users.find(jane.id))!;
    assert.equal(record.name, 'Jane');
    assert.equal(record.disabledAt, null);
  });

  it('a POST without the CSRF token is refused with 403, and changes nothing', async () => {
    const { agent } = await signedIn();
    const kim = await t.addUser({ email: 'kim.csrf@example.test' });
    const page = `/admin/users/${kim.id}`;
    await agent.go(`${page}/disable`);
    const refused = await agent.post(`${page}/disable`, {});
    assert.equal(refused.res?.status, 403);
    assert.match(refused.html!, /csrf/);
    const wrong = await agent.post(`${page}/disable`, { csrf: 'not-the-token' });
    assert.equal(wrong.res?.status, 403);
    assert.equal((await t.deps.store.users.find(kim.id))!.disabledAt, null);
    assert.equal((await eventsOf(kim.id, 'user_disabled')).length, 0);
  });

  it('an unknown user is the hosted 404 page', async () => {
    const { agent } = await signedIn();
    assert.equal((await agent.go('/admin/users/no-such-user')).res?.status, 404);
    assert.equal((await agent.go('/admin/users/no-such-user/disable')).res?.status, 404);
  });
});
