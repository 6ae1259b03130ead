import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { sha256 } from '../../src/crypto/hash.js';
import { type Agent, actionOf, csrfOf } from '../helpers/agent.js';
import { pendingDevice } from '../helpers/device.js';
import { browser, signIn } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

/** The text of the element with role="alert". */
function alertText(html: string): string | undefined {
  const m = /<(\w+)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m?.[2]?.replace(/<[^>]*>/g, '').trim();
}

/** Opens `/device` and posts `code` with the page's CSRF token; follows redirects on the issuer. */
async function enterCode(agent: Agent, code: string) {
  const page = await agent.go('/device');
  return agent.post('/device', { csrf: csrfOf(page.html!), user_code: code });
}

describe('the device page (RFC 8628 §3.3)', () => {
  let t: TestApp;
  let firstParty: string;
  let thirdParty: string;
  before(async () => {
    // The throttle has its own tests below: here every test starts from a clean count.
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    firstParty = (await t.addClient({ name: 'Latchkey CLI', firstParty: true })).id;
    thirdParty = (await t.addClient({ name: 'Living Room TV' })).id;
  });
  after(() => t.close());

  it('shows the textbox "Code" and the button "Continue"', async () => {
    const { res, html } = await browser(t).go('/device');
    assert.equal(res?.status, 200);
    assert.match(html!, /<label for="user_code">Code<\/label>/);
    assert.match(html!, /<input[^>]*id="user_code"[^>]*type="text"/);
    assert.match(html!, /<button type="submit"[^>]*>\s*Continue\s*<\/button>/);
    assert.match(html!, /name="csrf"/);
  });

  it('verification_uri_complete only pre-fills the code: nothing is approved without the POST', async () => {
    const device = await pendingDevice(t, firstParty);
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    const { res, html } = await agent.go(`/device?user_code=${encodeURIComponent(device.code)}`);
    assert.equal(res?.status, 200);
    assert.match(html!, new RegExp(`id="user_code"[^>]*value="${device.code}"`));
    assert.doesNotMatch(html!, /Device connected/);
    assert.equal((await device.find())?.status, 'pending');
  });

  it('refuses a malformed or unknown code with role="alert" and 400', async () => {
    for (const code of ['nope', 'BCDF-GHJ', 'AAAA-AAAA', 'BCDF-GHJK', 'x'.repeat(5000)]) {
      const { res, html } = await enterCode(browser(t), code);
      assert.equal(res?.status, 400, code);
      assert.equal(alertText(html!), 'That code isn’t valid. Check the code on your device and try again.');
      assert.match(html!, /Connect a device/);
    }
  });

  it('refuses an expired code with expired_user_code', async () => {
    const device = await pendingDevice(t, firstParty, { ttlSeconds: 60 });
    t.clock.advance(61);
    const { res, html } = await enterCode(browser(t), device.code);
    assert.equal(res?.status, 400);
    assert.equal(alertText(html!), 'That code has expired. Start again on your device to get a new one.');
  });

  it('refuses a code already used', async () => {
    const device = await pendingDevice(t, firstParty);
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    assert.match((await enterCode(agent, device.code)).html!, /Device connected/);
    const again = await enterCode(browser(t), device.code);
    assert.equal(again.res?.status, 400);
    assert.match(alertText(again.html!) ?? '', /isn’t valid/);
  });

  it('requires the CSRF token', async () => {
    const device = await pendingDevice(t, firstParty);
    const agent = browser(t);
    await agent.go('/device');
    const { res, html } = await agent.post('/device', { user_code: device.code });
    assert.equal(res?.status, 403);
    assert.match(html!, /This form has expired/);
    assert.equal((await device.find())?.status, 'pending');
  });

  it('signs in, then connects a first-party device without consent', async () => {
    const device = await pendingDevice(t, firstParty);
    const user = await t.addUser({});
    const agent = browser(t);
    // Lower case, spaces: the entry is forgiving.
    const entered = await enterCode(agent, ` ${device.code.toLowerCase().replace('-', ' ')} `);
    assert.match(actionOf(entered.html!), /\/login\?interaction=/);
    assert.match(entered.html!, /name="password"/);
    const done = await agent.submit(entered.html!, { email: user.email, password: user.password }, t.issuer);
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /<h1>Device connected<\/h1>/);
    const row = await device.find();
    const session = await t.deps.store.sessions.find(sha256(agent.cookies.get('lk_session')!));
    assert.equal(row?.status, 'approved');
    assert.equal(row?.userId, user.id);
    assert.equal(row?.sessionHash, session?.idHash);
    assert.equal(row?.authTime, session?.authTime);
    assert.deepEqual(row?.amr, ['pwd']);
    const events = (await t.deps.store.events.list(100)).filter((e) => e.type === 'device_approved');
    assert.ok(events.some((e) => e.userId === user.id && e.clientId === firstParty));
  });

  it('asks a third-party client for consent; Allow connects and is remembered', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    const device = await pendingDevice(t, thirdParty);
    const consent = await enterCode(agent, device.code);
    assert.match(actionOf(consent.html!), /\/consent\?interaction=/);
    assert.match(consent.html!, /Living Room TV/);
    assert.match(consent.html!, /profile/);
    const done = await agent.post(actionOf(consent.html!), {
      csrf: csrfOf(consent.html!),
      decision: 'allow',
    });
    assert.match(done.html!, /<h1>Device connected<\/h1>/);
    assert.equal((await device.find())?.status, 'approved');
    assert.deepEqual(await t.deps.store.consents.find(user.id, thirdParty), ['openid', 'profile']);
    // The same scopes again: consent was given, the device connects straight away.
    const second = await pendingDevice(t, thirdParty);
    assert.match((await enterCode(agent, second.code)).html!, /<h1>Device connected<\/h1>/);
  });

  it('Deny on the consent page denies the device', async () => {
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    const device = await pendingDevice(t, thirdParty, { scope: 'openid email' });
    const consent = await enterCode(agent, device.code);
    const done = await agent.post(actionOf(consent.html!), { csrf: csrfOf(consent.html!), decision: 'deny' });
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /<h1>Request denied<\/h1>/);
    const row = await device.find();
    assert.equal(row?.status, 'denied');
    assert.equal(row?.userId, null);
    const events = (await t.deps.store.events.list(100)).filter((e) => e.type === 'device_denied');
    assert.ok(events.some((e) => e.userId === user.id && e.clientId === thirdParty));
  });

  it('shows expired_user_code when the code expires during the sign-in', async () => {
    const device = await pendingDevice(t, firstParty, { ttlSeconds: 120 });
    const user = await t.addUser({});
    const agent = browser(t);
    const login = await enterCode(agent, device.code);
    t.clock.advance(121);
    const done = await agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
    assert.equal(done.res?.status, 400);
    assert.match(done.html!, /That code has expired/);
    assert.equal((await device.find())?.status, 'pending');
  });

  it('an MFA user passes the MFA page before the device is approved', async () => {
    const user = await t.addUser({});
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const device = await pendingDevice(t, firstParty);
    const agent = browser(t);
    const login = await enterCode(agent, device.code);
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
    assert.match(actionOf(mfa.html!), /\/login\/mfa\?interaction=/);
    assert.equal((await device.find())?.status, 'pending');
    const done = await agent.submit(
      mfa.html!,
      { code: generateSync({ secret, epoch: t.clock.now() }) },
      t.issuer,
    );
    assert.match(done.html!, /<h1>Device connected<\/h1>/);
    const row = await device.find();
    assert.equal(row?.status, 'approved');
    assert.ok(row?.amr.includes('pwd') && row.amr.includes('otp'), String(row?.amr));
  });
});

describe('the device page throttle (RFC 8628 §5.1)', () => {
  let t: TestApp;
  let clientId: string;
  before(async () => {
    t = await testApp();
    clientId = (await t.addClient({ firstParty: true })).id;
  });
  after(() => t.close());

  it('refuses the 6th wrong code from one browser with 429 and Retry-After, before the lookup', async () => {
    const agent = browser(t);
    for (let i = 0; i < 5; i++) assert.equal((await enterCode(agent, 'BBBB-BBBB')).res?.status, 400);
    // Even a good code waits: the attempt is refused before any lookup.
    const device = await pendingDevice(t, clientId);
    const { res, html } = await enterCode(agent, device.code);
    assert.equal(res?.status, 429);
    assert.equal(res?.headers.get('retry-after'), '1');
    assert.equal(
      alertText(html!),
      'Too many attempts. Try again in 1 second.',
      'the wait of Retry-After, in words',
    );
    // Another browser is not held back by this one.
    assert.equal((await enterCode(browser(t), 'BBBB-BBBB')).res?.status, 400);
    t.clock.advance(2);
    assert.match(actionOf((await enterCode(agent, device.code)).html!), /\/login\?interaction=/);
    // The good code cleared the browser's count.
    for (let i = 0; i < 5; i++) assert.equal((await enterCode(agent, 'BBBB-BBBB')).res?.status, 400);
  });

  it('slows an address after 20 wrong codes, whatever the browser, but never refuses it', async () => {
    t.clock.advance(2 * 3600);
    for (let i = 0; i < 20; i++) assert.equal((await enterCode(browser(t), 'BBBB-BBBB')).res?.status, 400);
    // The 21st wrong code is answered, held back (1 s, doubling to 5 s)...
    const started = Date.now();
    assert.equal((await enterCode(browser(t), 'BBBB-BBBB')).res?.status, 400);
    assert.ok(Date.now() - started >= 900, `${Date.now() - started} ms`);
    // ...and a good code from the same address still goes through at once: an office is not locked out.
    const device = await pendingDevice(t, clientId);
    assert.match(actionOf((await enterCode(browser(t), device.code)).html!), /\/login\?interaction=/);
  });
});
