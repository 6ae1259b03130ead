import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { ConfigError, loadConfig, SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS } from '../../src/config.js';
import { sessionSid, sha256 } from '../../src/crypto/hash.js';
import { touchEvery } from '../../src/http/browser.js';
import { type Agent, actionOf, csrfOf } from '../helpers/agent.js';
import { browser } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const HOUR = 3600;
const DAY = 86400;

/**
 * Signs in through the login form as the page will post it: "Keep me signed in" sends `remember=on`.
 * Returns the session cookie's `Set-Cookie` line.
 */
async function signInWith(
  agent: Agent,
  user: { email: string; password: string },
  remember: boolean,
  cookie = 'lk_session',
): Promise<string> {
  const path = '/login?return_to=%2Faccount';
  const html = await (await agent.request(path)).text();
  const fields = { csrf: csrfOf(html), email: user.email, password: user.password };
  const res = await agent.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(remember ? { ...fields, remember: 'on' } : fields).toString(),
  });
  assert.equal(res.status, 303, 'signed in');
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${cookie}=`));
  assert.ok(line, 'a session cookie is set');
  return line;
}

/** Whether the agent's session still opens the account page (a signed-out browser is sent to /login). */
async function signedIn(agent: Agent): Promise<boolean> {
  const res = await agent.request('/account');
  await res.arrayBuffer();
  return res.status === 200;
}

const sessionHash = (agent: Agent) => sha256(agent.cookies.get('lk_session')!);

describe('session lifetimes: configuration', () => {
  const env = { LATCHKEY_DB: ':memory:', LATCHKEY_SECRET: 'session-test-secret-0123456789abcdef' };

  it('defaults to 8 hours idle and 30 days absolute', () => {
    assert.equal(SESSION_IDLE_SECONDS, 8 * HOUR);
    assert.equal(SESSION_MAX_SECONDS, 30 * DAY);
    const config = loadConfig(env);
    assert.equal(config.sessionIdleSeconds, 8 * HOUR);
    assert.equal(config.sessionMaxSeconds, 30 * DAY);
  });

  it('reads both as durations', () => {
    const config = loadConfig({ ...env, LATCHKEY_SESSION_IDLE: '30m', LATCHKEY_SESSION_MAX: '7d' });
    assert.equal(config.sessionIdleSeconds, 30 * 60);
    assert.equal(config.sessionMaxSeconds, 7 * DAY);
  });

  it('refuses a malformed duration, naming the variable', () => {
    assert.throws(
      () => loadConfig({ ...env, LATCHKEY_SESSION_IDLE: 'soon' }),
      (err: Error) => err instanceof ConfigError && /LATCHKEY_SESSION_IDLE/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ ...env, LATCHKEY_SESSION_MAX: '0' }),
      (err: Error) => err instanceof ConfigError && /LATCHKEY_SESSION_MAX/.test(err.message),
    );
  });

  it('refuses an idle limit longer than the absolute one, in one clear line', () => {
    assert.throws(
      () => loadConfig({ ...env, LATCHKEY_SESSION_IDLE: '2d', LATCHKEY_SESSION_MAX: '1d' }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.message === 'LATCHKEY_SESSION_IDLE (2d) must not be longer than LATCHKEY_SESSION_MAX (1d)',
    );
    // Against the default of the other one too.
    assert.throws(() => loadConfig({ ...env, LATCHKEY_SESSION_MAX: '1h' }), /LATCHKEY_SESSION_IDLE \(8h\)/);
    assert.equal(
      loadConfig({ ...env, LATCHKEY_SESSION_IDLE: '1d', LATCHKEY_SESSION_MAX: '1d' }).sessionIdleSeconds,
      DAY,
    );
  });
});

describe('session lifetimes: idle (defaults: 8 h idle, 30 days)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());
  const slack = touchEvery(8 * HOUR);

  it('a session unused for the idle time ends and is swept; a used one lives on', async () => {
    const user = await t.addUser({});
    const [idle, busy] = [browser(t), browser(t)];
    await signInWith(idle, user, true);
    await signInWith(busy, user, true);
    const [idleHash, busyHash] = [sessionHash(idle), sessionHash(busy)];
    t.clock.advance(8 * HOUR - 60);
    assert.ok(await signedIn(busy), 'used just before the idle time');
    t.clock.advance(60 + slack + 1);
    assert.equal(await signedIn(idle), false, 'unused for 8 h (and the write budget): ended');
    assert.ok(await signedIn(busy), 'used 5 minutes ago: still signed in');
    assert.ok(await t.deps.store.sessions.find(idleHash), 'the row is still there before the sweep');
    await t.deps.store.sweep(t.clock.now(), 5000, t.deps.config.eventRetentionSeconds);
    assert.equal(await t.deps.store.sessions.find(idleHash), undefined, 'the idle session is swept');
    assert.ok(await t.deps.store.sessions.find(busyHash), 'the busy one is not');
    t.clock.advance(8 * HOUR + slack + 1);
    assert.equal(await signedIn(busy), false, '8 h after its last use');
  });

  it('use within the idle time keeps the session, past 24 h when remembered; auth_time stays the sign-in’s', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signInWith(agent, user, true);
    const signedInAt = (await t.deps.store.sessions.find(sessionHash(agent)))!.authTime;
    for (let i = 0; i < 8; i++) {
      t.clock.advance(7 * HOUR);
      assert.ok(await signedIn(agent), `still signed in after ${(i + 1) * 7} h of use`);
    }
    const session = (await t.deps.store.sessions.find(sessionHash(agent)))!;
    assert.equal(session.authTime, signedInAt, 'activity does not move auth_time');
    assert.equal(session.lastSeenAt, t.clock.now(), 'the use was recorded');
    // Swept only once idle: a sweep now leaves it alone.
    await t.deps.store.sweep(t.clock.now(), 5000, t.deps.config.eventRetentionSeconds);
    assert.ok(await signedIn(agent), 'a live session is not swept');
  });

  it('a use between two recorded ones still counts: the session never ends sooner than the idle time after it', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signInWith(agent, user, false);
    const hash = sessionHash(agent);
    t.clock.advance(slack - 1);
    assert.ok(await signedIn(agent));
    const seen = (await t.deps.store.sessions.find(hash))!.lastSeenAt;
    assert.equal(seen, t.clock.now() - (slack - 1), 'not written: within the write budget');
    t.clock.advance(8 * HOUR - 1);
    assert.ok(await signedIn(agent), '8 h after the last use, less a second');
    t.clock.advance(8 * HOUR + slack + 1);
    assert.equal(await signedIn(agent), false);
  });
});

describe('session lifetimes: absolute ("Keep me signed in")', () => {
  let t: TestApp;
  before(async () => {
    // A long idle limit, so only the absolute one ends the sessions here.
    t = await testApp({ LATCHKEY_SESSION_IDLE: '20d' });
  });
  after(() => t.close());

  it('without "Keep me signed in": a browser-session cookie, and 24 h at most however busy', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    const cookie = await signInWith(agent, user, false);
    assert.doesNotMatch(cookie, /max-age|expires/i, 'closing the browser ends it');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    t.clock.advance(12 * HOUR);
    assert.ok(await signedIn(agent));
    t.clock.advance(12 * HOUR - 60);
    assert.ok(await signedIn(agent), 'just before 24 h');
    t.clock.advance(61);
    assert.equal(await signedIn(agent), false, '24 h after the sign-in');
    await t.deps.store.sweep(t.clock.now(), 5000, t.deps.config.eventRetentionSeconds);
    assert.equal(await t.deps.store.sessions.find(sessionHash(agent)), undefined, 'swept');
  });

  it('with "Keep me signed in": a cookie for 30 days, and the session ends 30 days after the sign-in', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    const cookie = await signInWith(agent, user, true);
    assert.match(cookie, new RegExp(`Max-Age=${30 * DAY}(;|$)`, 'i'));
    t.clock.advance(25 * HOUR);
    assert.ok(await signedIn(agent), 'past 24 h');
    t.clock.advance(15 * DAY);
    assert.ok(await signedIn(agent));
    t.clock.advance(30 * DAY - 15 * DAY - 25 * HOUR - 60);
    assert.ok(await signedIn(agent), 'just before 30 days');
    t.clock.advance(61);
    assert.equal(await signedIn(agent), false, '30 days after the sign-in, however busy');
  });

  it('signing in again in the same browser carries the session on with the new choice, counted from then', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signInWith(agent, user, true);
    const first = (await t.deps.store.sessions.find(sessionHash(agent)))!;
    t.clock.advance(10 * DAY);
    const cookie = await signInWith(agent, user, false);
    assert.doesNotMatch(cookie, /max-age/i, 'not remembered this time');
    const second = (await t.deps.store.sessions.find(sessionHash(agent)))!;
    assert.equal(second.sid, first.sid ?? sessionSid(first.idHash), 'the same session for its clients');
    assert.equal(second.remember, false);
    assert.equal(second.authTime, t.clock.now(), 'auth_time is the new sign-in');
    t.clock.advance(24 * HOUR - 60);
    assert.ok(await signedIn(agent));
    t.clock.advance(61);
    assert.equal(await signedIn(agent), false, '24 h from the new sign-in');
  });
});

describe('session lifetimes: "Keep me signed in" waits with the sign-in for its second factor', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  for (const remember of [true, false]) {
    it(`${remember ? 'ticked' : 'not ticked'}: the session after the code is ${remember ? '' : 'not '}remembered`, async () => {
      const user = await t.addUser({});
      const record = (await t.deps.store.users.find(user.id))!;
      const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
      const agent = browser(t);
      const path = '/login?return_to=%2Faccount';
      const login = await (await agent.request(path)).text();
      const fields = { csrf: csrfOf(login), email: user.email, password: user.password };
      const mfa = await agent.post(path, remember ? { ...fields, remember: 'on' } : fields);
      assert.match(mfa.html!, /Authentication code/, 'the second factor is asked for');
      assert.equal(agent.cookies.has('lk_session'), false, 'no session before the code');
      const res = await agent.request(new URL(actionOf(mfa.html!), t.issuer).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          csrf: csrfOf(mfa.html!),
          code: generateSync({ secret, epoch: t.clock.now() }),
        }).toString(),
      });
      assert.equal(res.status, 303);
      const cookie = res.headers.getSetCookie().find((l) => l.startsWith('lk_session='));
      assert.ok(cookie, 'signed in');
      if (remember) assert.match(cookie, new RegExp(`Max-Age=${30 * DAY}(;|$)`, 'i'));
      else assert.doesNotMatch(cookie, /max-age/i);
      assert.equal((await t.deps.store.sessions.find(sessionHash(agent)))?.remember, remember);
    });
  }
});

describe('session lifetimes: the cookie under https', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'https://id.example' });
  });
  after(() => t.close());

  it('keeps the __Host- prefix, Secure, Path=/ and no Domain, with or without Max-Age', async () => {
    const user = await t.addUser({});
    const kept = await signInWith(browser(t), user, true, '__Host-lk_session');
    const plain = await signInWith(browser(t), user, false, '__Host-lk_session');
    for (const line of [kept, plain]) {
      assert.match(line, /; Secure/i);
      assert.match(line, /; Path=\/(;|$)/i);
      assert.match(line, /; HttpOnly/i);
      assert.doesNotMatch(line, /Domain=/i);
    }
    assert.match(kept, new RegExp(`Max-Age=${30 * DAY}(;|$)`, 'i'));
    assert.doesNotMatch(plain, /max-age|expires/i);
  });
});

describe('session lifetimes: LATCHKEY_SESSION_MAX below a day', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_SESSION_IDLE: '1h', LATCHKEY_SESSION_MAX: '2h' });
  });
  after(() => t.close());

  it('bounds the session without "Keep me signed in" too, and a short idle limit is kept closely', async () => {
    assert.equal(touchEvery(HOUR), 300);
    assert.equal(touchEvery(600), 60, 'a tenth of a short idle limit');
    const user = await t.addUser({});
    const [plain, kept] = [browser(t), browser(t)];
    await signInWith(plain, user, false);
    assert.match(await signInWith(kept, user, true), new RegExp(`Max-Age=${2 * HOUR}(;|$)`, 'i'));
    for (const step of [50 * 60, 50 * 60]) {
      t.clock.advance(step);
      assert.ok(await signedIn(plain));
      assert.ok(await signedIn(kept));
    }
    t.clock.advance(20 * 60);
    assert.equal(await signedIn(plain), false, '2 h after the sign-in');
    assert.equal(await signedIn(kept), false);
  });
});
