import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attemptSignIn } from '../helpers/agent.js';
import { browser } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const attempt = attemptSignIn;

/** The text of the element with role="alert". */
function alertText(html: string): string | undefined {
  const m = /<(\w+)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m?.[2]?.replace(/<[^>]*>/g, '').trim();
}

describe('POST /login', () => {
  describe('failures', () => {
    let t: TestApp;
    before(async () => {
      t = await testApp();
    });
    after(() => t.close());

    it('answers a wrong password and an unknown email alike: 401, same text, role="alert"', async () => {
      const user = await t.addUser({});
      const agent = browser(t);
      const wrong = await attempt(agent, user.email, 'not-the-password');
      const unknown = await attempt(agent, 'nobody-here@example.test', 'not-the-password');
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.headers.get('www-authenticate'), 'Form realm="latchkey"');
      assert.equal(unknown.headers.get('www-authenticate'), 'Form realm="latchkey"');
      const [a, b] = [alertText(await wrong.text()), alertText(await unknown.text())];
      assert.ok(a, 'an element with role="alert"');
      assert.equal(a, b);
      assert.match(a, /Incorrect email or password/);
      assert.equal(agent.cookies.has('lk_session'), false);
    });

    it('re-renders the form with the email kept and the password empty', async () => {
      const user = await t.addUser({});
      const res = await attempt(browser(t), user.email, 'not-the-password');
      const html = await res.text();
      assert.match(html, new RegExp(`name="email"[^>]*value="${user.email.replace(/[.+]/g, '\\$&')}"`));
      assert.doesNotMatch(html, /not-the-password/);
      assert.match(html, /name="csrf"/);
    });

    it('counts repeated failures in one audit row instead of a row per attempt', async () => {
      const user = await t.addUser({});
      const agent = browser(t);
      for (let i = 0; i < 3; i++) assert.equal((await attempt(agent, user.email, `wrong-${i}`)).status, 401);
      const rows = (await t.deps.store.events.list(100)).filter(
        (e) => e.type === 'login_failed' && e.userId === user.id,
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.detail?.['count'], 3);
    });
  });

  describe('throttling', () => {
    let t: TestApp;
    before(async () => {
      t = await testApp();
    });
    after(() => t.close());

    it('throttles an account after repeated failures (429, Retry-After) without slowing other accounts', async () => {
      const victim = await t.addUser({});
      const other = await t.addUser({});
      const agent = browser(t);
      let res: Response | undefined;
      for (let i = 0; i < 5; i++) {
        res = await attempt(agent, victim.email, `wrong-${i}`);
        assert.equal(res.status, 401, `attempt ${i + 1}`);
      }
      // Locked: even the right password is refused, with the same words whether or not the account exists.
      res = await attempt(agent, victim.email, victim.password);
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1, 'Retry-After in seconds');
      const html = await res.text();
      assert.match(alertText(html) ?? '', /Too many attempts/);
      assert.equal(agent.cookies.has('lk_session'), false);

      const fine = await attempt(browser(t), other.email, other.password);
      assert.equal(fine.status, 303, 'another account signs in at once');

      // The delay grows with each further failure, and ends.
      t.clock.advance(retryAfter);
      assert.equal((await attempt(agent, victim.email, 'wrong-again')).status, 401);
      const longer = await attempt(agent, victim.email, victim.password);
      assert.equal(longer.status, 429);
      assert.ok(Number(longer.headers.get('retry-after')) > retryAfter, 'a longer delay');
      t.clock.advance(Number(longer.headers.get('retry-after')));
      assert.equal((await attempt(agent, victim.email, victim.password)).status, 303);
    });

    it('throttles unknown emails the same way (a lockout does not reveal the account)', async () => {
      const agent = browser(t);
      for (let i = 0; i < 5; i++) await attempt(agent, 'ghost@example.test', `wrong-${i}`);
      const res = await attempt(agent, 'ghost@example.test', 'whatever');
      assert.equal(res.status, 429);
      assert.ok(res.headers.get('retry-after'));
    });
  });

  describe('LATCHKEY_THROTTLE=off', () => {
    let t: TestApp;
    before(async () => {
      t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    });
    after(() => t.close());

    it('never throttles', async () => {
      const user = await t.addUser({});
      const agent = browser(t);
      for (let i = 0; i < 25; i++) assert.equal((await attempt(agent, user.email, `wrong-${i}`)).status, 401);
      assert.equal((await attempt(agent, user.email, user.password)).status, 303);
    });
  });

  describe('without an authorization request', () => {
    let t: TestApp;
    let user: { email: string; password: string };
    before(async () => {
      t = await testApp();
      user = await t.addUser({});
    });
    after(() => t.close());

    it('returns to a local return_to path', async () => {
      const res = await attempt(browser(t), user.email, user.password, '/login?return_to=/somewhere?tab=1');
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/somewhere?tab=1');
    });

    for (const target of [
      '//evil.example',
      '//evil.example/path',
      'https://evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
    ]) {
      it(`never redirects off-site for return_to=${JSON.stringify(target)}`, async () => {
        const res = await attempt(
          browser(t),
          user.email,
          user.password,
          `/login?return_to=${encodeURIComponent(target)}`,
        );
        assert.equal(res.status, 303);
        const location = res.headers.get('location')!;
        const resolved = new URL(location, t.issuer);
        assert.equal(resolved.origin, new URL(t.issuer).origin, `${location} stays on the issuer`);
        assert.ok(location.startsWith('/') && !/^\/[\\/]/.test(location.replace(/[\t\n\r]/g, '')));
      });
    }
  });
});

describe('password length at sign-in (issue 8 #10)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('a 256-character password followed by anything is a wrong password, not a truncated right one', async () => {
    const user = await t.addUser({ password: `${'k'.repeat(250)}-Zq9!x` });
    assert.equal((await attempt(browser(t), user.email, `${user.password}anything`)).status, 401);
    assert.equal((await attempt(browser(t), user.email, user.password)).status, 303);
  });

  it('a password of 130 emoji (260 UTF-16 units) signs in', async () => {
    const user = await t.addUser({ password: '\u{1F511}'.repeat(130) });
    assert.equal((await attempt(browser(t), user.email, user.password)).status, 303);
  });
});
