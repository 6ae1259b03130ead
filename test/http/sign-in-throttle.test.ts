import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { setUserPassword } from '../../src/admin/users.js';
import { addressGroup, clientIp, trustedProxies } from '../../src/http/net.js';
import { Agent, attemptSignIn, csrfOf } from '../helpers/agent.js';
import { browser, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, tempDir, testApp } from '../helpers/server.js';

const attempt = attemptSignIn;

/** Prepared sign-in form posts, so that many can be fired at the same instant. */
async function preparedAttempts(t: TestApp, n: number, email: string, password: string) {
  const posts: (() => Promise<Response>)[] = [];
  for (let i = 0; i < n; i++) {
    const agent = browser(t);
    const html = await (await agent.request('/login')).text();
    const body = new URLSearchParams({ csrf: csrfOf(html), email, password: `${password}-${i}` }).toString();
    posts.push(() =>
      agent.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    );
  }
  return posts;
}

describe('sign-in throttling (issue 8 #2, #3)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('40 guesses sent at once on one account: at most 5 are evaluated', async () => {
    const victim = await t.addUser({});
    const posts = await preparedAttempts(t, 40, victim.email, 'guess');
    // Repeated failures share one audit row with a count (issue 8 #14).
    const checked = async () =>
      (await t.deps.store.events.list(10_000))
        .filter((e) => e.type === 'login_failed' && e.userId === victim.id)
        .reduce((n, e) => {
          const count = e.detail?.['count'];
          return n + (typeof count === 'number' ? count : 1);
        }, 0);
    const statuses = (await Promise.all(posts.map((post) => post()))).map((r) => r.status);
    const evaluated = statuses.filter((s) => s === 401).length;
    assert.ok(evaluated <= 5, `evaluated ${evaluated}: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 40 - evaluated);
    assert.equal(await checked(), evaluated, 'only evaluated guesses reached the password check');
  });

  it('40 password-grant guesses at once on one account: at most 5 are evaluated', async () => {
    const victim = await t.addUser({});
    const client = await t.addClient({ grants: ['password'] });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.request(
          '/token',
          tokenRequest(client, { grant_type: 'password', username: victim.email, password: `g-${i}` }),
        ),
      ),
    );
    const throttled = results.filter((r) => r.headers.get('retry-after') !== null).length;
    assert.ok(40 - throttled <= 5, `evaluated ${40 - throttled}`);
  });

  it('a correct password is accepted while its address is being attacked', async () => {
    // 24 failures from this address on other accounts: past the address's free 20, so failures are slowed.
    const posts = (
      await Promise.all(
        Array.from({ length: 24 }, (_, i) => preparedAttempts(t, 1, `sprayed-${i}@example.test`, 'x')),
      )
    ).flat();
    const sprayed = await Promise.all(posts.map((post) => post()));
    assert.ok(sprayed.every((r) => r.status === 401 || r.status === 429));
    const user = await t.addUser({});
    const agent = browser(t);
    const res = await attempt(agent, user.email, user.password);
    assert.equal(res.status, 303, 'signed in: an address is never refused');
    assert.ok(agent.cookies.has('lk_session'));
  });

  it('a browser that signed in to the account before is not locked out by an attacker', async () => {
    // A fresh database: this address's failures from the tests above would slow every answer here.
    const t = await testApp();
    after(() => t.close());
    const user = await t.addUser({});
    const own = browser(t);
    assert.equal((await attempt(own, user.email, user.password)).status, 303, 'a first sign-in');
    const attacker = browser(t);
    for (let i = 0; i < 8; i++) await attempt(attacker, user.email, `wrong-${i}`);
    assert.equal((await attempt(attacker, user.email, user.password)).status, 429, 'the account is locked');
    const stranger = browser(t);
    assert.equal((await attempt(stranger, user.email, user.password)).status, 429, 'for new browsers too');
    // The user's own browser proves an earlier success: it is let in.
    assert.equal((await attempt(own, user.email, user.password)).status, 303);
  });
});

describe('sign-in locks are per account and address; device cookies (review findings)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** A browser whose requests come from `ip`. */
  const from = (ip: string) =>
    new Agent((u, i) => t.app.request(u, i, { incoming: { socket: { remoteAddress: ip } } }), t.issuer);

  it('a lock taken from one address does not refuse the correct password from another', async () => {
    const user = await t.addUser({});
    const attacker = from('198.51.100.66');
    for (let i = 0; i < 5; i++) assert.equal((await attempt(attacker, user.email, `wrong-${i}`)).status, 401);
    assert.equal((await attempt(attacker, user.email, user.password)).status, 429, 'locked for that address');
    assert.equal((await attempt(from('203.0.113.5'), user.email, user.password)).status, 303);
    // The same /64 is the same address.
    const v6 = await t.addUser({});
    for (let i = 0; i < 5; i++) await attempt(from('2001:db8:7:7::1'), v6.email, `wrong-${i}`);
    assert.equal((await attempt(from('2001:db8:7:7::ffff'), v6.email, v6.password)).status, 429);
  });

  it('every browser gets its own device cookie, and a password change voids them all', async () => {
    const user = await t.addUser({});
    const first = from('192.0.2.10');
    const second = from('192.0.2.10');
    assert.equal((await attempt(first, user.email, user.password)).status, 303);
    assert.equal((await attempt(second, user.email, user.password)).status, 303);
    const device = (a: Agent) => a.cookies.get('lk_device');
    assert.ok(device(first) && device(second));
    assert.notEqual(device(first), device(second));

    await setUserPassword(t.deps, user.email, 'a-brand-new-password-9');
    const attacker = from('192.0.2.10');
    for (let i = 0; i < 5; i++) await attempt(attacker, user.email, `wrong-${i}`);
    // The old cookie no longer exempts: the lock holds for it like for any browser at that address.
    assert.equal((await attempt(first, user.email, 'another-guess-1')).status, 429);
  });
});

describe('sign-in counters survive a restart (issue 8 #2)', () => {
  const tmp = tempDir('latchkey-throttle-');
  after(() => tmp.cleanup());

  it('a lock taken before a restart holds after it', async () => {
    const env = {
      LATCHKEY_DB: join(tmp.dir, 'latchkey.db'),
      LATCHKEY_SECRET: 'throttle-test-secret-0123456789abcdef',
    };
    const first = await testApp(env);
    const user = await first.addUser({});
    const agent = browser(first);
    for (let i = 0; i < 5; i++) assert.equal((await attempt(agent, user.email, `wrong-${i}`)).status, 401);
    await first.close();
    const second = await testApp(env);
    try {
      const res = await attempt(browser(second), user.email, user.password);
      assert.equal(res.status, 429);
    } finally {
      await second.close();
    }
  });
});

describe('client addresses (issue 8 #3)', () => {
  it('groups IPv6 by /64 and IPv4 by address', () => {
    assert.equal(addressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressGroup('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
  });

  const appWith = (proxies: string[]) => {
    const app = new Hono();
    if (proxies.length) app.use('*', trustedProxies(proxies));
    app.get('/', (c) => c.text(clientIp(c)));
    return async (peer: string, headers: Record<string, string> = {}) => {
      const res = await app.request(
        'http://x/',
        { headers },
        { incoming: { socket: { remoteAddress: peer } } },
      );
      return res.text();
    };
  };

  it('believes X-Forwarded-For and Forwarded only from configured proxies', async () => {
    const none = appWith([]);
    assert.equal(await none('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' }), '203.0.113.9');
    const trusted = appWith(['10.0.0.0/8', '::1']);
    assert.equal(await trusted('10.1.2.3', { 'x-forwarded-for': '198.51.100.1' }), '198.51.100.1');
    assert.equal(await trusted('10.1.2.3', { 'x-forwarded-for': '198.51.100.1, 10.9.9.9' }), '198.51.100.1');
    // A client cannot put itself behind the proxy: the rightmost untrusted hop counts.
    assert.equal(await trusted('10.1.2.3', { 'x-forwarded-for': '1.1.1.1, 198.51.100.1' }), '198.51.100.1');
    assert.equal(await trusted('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' }), '203.0.113.9');
    assert.equal(await trusted('::1', { forwarded: 'for="[2001:db8::5]:443";proto=https' }), '2001:db8::5');
    assert.equal(await trusted('::ffff:10.0.0.1', { forwarded: 'for=192.0.2.60' }), '192.0.2.60');
  });
});
