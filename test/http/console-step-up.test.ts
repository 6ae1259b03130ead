import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { CONSOLE_CLIENT_ID, updateClient } from '../../src/admin/clients.js';
import { queryEvents } from '../../src/admin/events.js';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { Agent, csrfOf, decodeEntities } from '../helpers/agent.js';
import { type TestApp, testApp } from '../helpers/server.js';

/**
 * Step-up (issue 17: the console "re-asks for [the second factor] for destructive actions"): every confirmation
 * POST needs the admin's authentication code (TOTP or a recovery code), or their password when they have no
 * second factor; a wrong one shows the confirmation again (role="alert") and changes nothing.
 */
describe('the admin console: step-up for destructive actions (issue 17)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** An admin with TOTP, signed in to the console; `code()` moves the clock a step on and answers its code. */
  async function signedIn(app: TestApp = t) {
    const admin = await app.addUser({ roles: ['admin'] });
    const record = (await app.deps.store.users.find(admin.id))!;
    const { secret, recoveryCodes } = await enrollTotpNow(app.deps, record, {
      ip: '127.0.0.1',
      clientId: null,
    });
    const agent = new Agent((url, init) => app.app.request(url, init), app.issuer);
    const login = await agent.go('/admin');
    const mfa = await agent.submit(login.html!, { email: admin.email, password: admin.password });
    const home = await agent.submit(mfa.html!, { code: generateSync({ secret, epoch: app.clock.now() }) });
    assert.equal(home.res?.status, 200);
    const code = () => {
      app.clock.advance(30);
      return generateSync({ secret, epoch: app.clock.now() });
    };
    return { admin, agent, code, recoveryCodes };
  }

  /** GET the confirmation page (200, the code field), then POST its form with `fields`. */
  async function confirm(agent: Agent, path: string, fields: Record<string, string>) {
    const page = await agent.go(path);
    assert.equal(page.res?.status, 200, path);
    return agent.post(path, { csrf: csrfOf(page.html!), ...fields });
  }

  /** The role="alert" message of a page. */
  const alertOf = (html: string) =>
    decodeEntities(/role="alert"[^>]*>\s*<p>([^<]*)<\/p>/.exec(html)?.[1] ?? '');

  const mfaFailures = async (userId: string) =>
    (await queryEvents(t.deps, { userId, limit: 200 })).items.filter((e) => e.type === 'mfa_failed');

  it('the confirmation page asks for the authentication code with a real label', async () => {
    const { agent } = await signedIn();
    const user = await t.addUser({});
    for (const path of [`/admin/users/${user.id}/disable`, '/admin/keys/rotate']) {
      const { html } = await agent.go(path);
      assert.match(html!, /<label for="step-up-code">Authentication code<\/label>/, path);
      const input = /<input[^>]*id="step-up-code"[^>]*>/.exec(html!)![0];
      assert.match(input, /name="code"/);
      assert.match(input, /autocomplete="one-time-code"/);
      assert.match(input, /required/);
      assert.doesNotMatch(html!, /autocomplete="current-password"/, 'no password field');
    }
  });

  it('disabling a user needs a valid code: a wrong or missing one changes nothing; the right one disables', async () => {
    const { admin, agent, code } = await signedIn();
    const user = await t.addUser({});
    const path = `/admin/users/${user.id}/disable`;
    const failedBefore = (await mfaFailures(admin.id)).length;
    for (const fields of [{ code: '000000' }, {}]) {
      const wrong = await confirm(agent, path, fields);
      assert.equal(wrong.res?.status, 401);
      assert.match(wrong.html!, /<h1>Disable user<\/h1>/, 'the confirmation page again');
      assert.match(alertOf(wrong.html!), /That code didn’t work/);
      assert.match(wrong.html!, /aria-describedby="confirm-error step-up-code-hint"/);
      assert.equal((await t.deps.store.users.find(user.id))!.disabledAt, null, 'nothing changed');
    }
    const failures = await mfaFailures(admin.id);
    assert.ok(failures.length > failedBefore, 'a failed step-up is audited as mfa_failed');
    assert.equal(failures[0]?.clientId, CONSOLE_CLIENT_ID);

    const done = await confirm(agent, path, { code: code() });
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /User disabled/);
    assert.notEqual((await t.deps.store.users.find(user.id))!.disabledAt, null);
  });

  it('deleting an app needs a valid code', async () => {
    const { agent, code } = await signedIn();
    const { id } = await t.addClient({ name: 'Step-up target', redirectUris: ['https://step.example/cb'] });
    const path = `/admin/apps/${id}/delete`;
    const wrong = await confirm(agent, path, { code: '123456' });
    assert.equal(wrong.res?.status, 401);
    assert.match(alertOf(wrong.html!), /That code didn’t work/);
    assert.ok(await t.deps.store.clients.find(id), 'nothing changed');
    const done = await confirm(agent, path, { code: code() });
    assert.equal(done.res?.status, 200);
    assert.equal(await t.deps.store.clients.find(id), undefined);
  });

  it('rotating keys needs a valid code; a code already used is refused', async () => {
    const { agent, code } = await signedIn();
    const before = (await t.deps.store.keys.list()).length;
    const wrong = await confirm(agent, '/admin/keys/rotate', { code: '999999' });
    assert.equal(wrong.res?.status, 401);
    assert.match(alertOf(wrong.html!), /That code didn’t work/);
    assert.equal((await t.deps.store.keys.list()).length, before, 'nothing changed');
    const valid = code();
    const done = await confirm(agent, '/admin/keys/rotate', { code: valid });
    assert.match(done.html!, /Keys rotated/);
    const count = (await t.deps.store.keys.list()).length;
    assert.ok(count > before);
    const replay = await confirm(agent, '/admin/keys/rotate', { code: valid });
    assert.equal(replay.res?.status, 401, 'each TOTP step is accepted once');
    assert.equal((await t.deps.store.keys.list()).length, count);
  });

  it('a recovery code works once', async () => {
    const { admin, agent, recoveryCodes } = await signedIn();
    const before = (await t.deps.store.keys.list()).length;
    const recovery = recoveryCodes[0]!;
    const done = await confirm(agent, '/admin/keys/rotate', { code: recovery });
    assert.match(done.html!, /Keys rotated/);
    const count = (await t.deps.store.keys.list()).length;
    assert.ok(count > before);
    const used = (await queryEvents(t.deps, { userId: admin.id, limit: 200 })).items;
    assert.ok(used.some((e) => e.type === 'recovery_code_used'));
    const again = await confirm(agent, '/admin/keys/rotate', { code: recovery });
    assert.equal(again.res?.status, 401);
    assert.equal((await t.deps.store.keys.list()).length, count, 'nothing changed');
  });

  it('after too many wrong codes the admin is throttled, even with the right code', async () => {
    const { agent, code } = await signedIn();
    const user = await t.addUser({});
    const path = `/admin/users/${user.id}/disable`;
    const valid = code(); // the clock stands still from here: the throttle's wait does not pass
    let throttled: Awaited<ReturnType<typeof confirm>> | undefined;
    for (let i = 0; i < 10 && !throttled; i++) {
      const res = await confirm(agent, path, { code: '000000' });
      if (res.res?.status === 429) throttled = res;
    }
    assert.ok(throttled, 'a 429 within 10 wrong codes');
    assert.ok(Number(throttled.res!.headers.get('retry-after')) >= 1);
    assert.match(alertOf(throttled.html!), /Too many attempts/);
    const right = await confirm(agent, path, { code: valid });
    assert.equal(right.res?.status, 429);
    assert.equal((await t.deps.store.users.find(user.id))!.disabledAt, null, 'nothing changed');
  });

  it('an admin without a second factor (require_mfa off) is asked for their password', async () => {
    const app = await testApp();
    try {
      await updateClient(app.deps, CONSOLE_CLIENT_ID, { requireMfa: false });
      const admin = await app.addUser({ roles: ['admin'] });
      const agent = new Agent((url, init) => app.app.request(url, init), app.issuer);
      const login = await agent.go('/admin');
      const home = await agent.submit(login.html!, { email: admin.email, password: admin.password });
      assert.equal(home.res?.status, 200, 'signed in with the password alone');

      const user = await app.addUser({});
      const path = `/admin/users/${user.id}/disable`;
      const page = await agent.go(path);
      assert.match(page.html!, /<label for="step-up-password">Password<\/label>/);
      const input = /<input[^>]*id="step-up-password"[^>]*>/.exec(page.html!)![0];
      assert.match(input, /type="password"/);
      assert.match(input, /name="current_password"/);
      assert.match(input, /autocomplete="current-password"/);
      assert.doesNotMatch(page.html!, /one-time-code/, 'no code field');

      const wrong = await agent.post(path, { csrf: csrfOf(page.html!), current_password: 'not my password' });
      assert.equal(wrong.res?.status, 401);
      assert.match(alertOf(wrong.html!), /Incorrect password\./);
      assert.equal((await app.deps.store.users.find(user.id))!.disabledAt, null, 'nothing changed');
      const failed = (await queryEvents(app.deps, { userId: admin.id, limit: 50 })).items;
      assert.ok(
        failed.some((e) => e.type === 'login_failed'),
        'audited as a failed password',
      );

      const done = await agent.post(path, { csrf: csrfOf(page.html!), current_password: admin.password });
      assert.equal(done.res?.status, 200);
      assert.match(done.html!, /User disabled/);
      assert.notEqual((await app.deps.store.users.find(user.id))!.disabledAt, null);
    } finally {
      await app.close();
    }
  });
});
