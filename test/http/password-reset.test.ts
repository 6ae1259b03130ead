import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { setUserPassword, updateUser } from '../../src/admin/users.js';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { FakeClock } from '../../src/clock.js';
import { sha256 } from '../../src/crypto/hash.js';
import { resetMailsSettled } from '../../src/interaction/reset.js';
import { Agent, csrfOf } from '../helpers/agent.js';
import { linkUpstream } from '../helpers/identity.js';
import { memoryLog } from '../helpers/memory-log.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';
import { linkIn, type Smtp, smtpEnv, startSmtp } from '../helpers/smtp.js';

/** The real server (fake clock, a log the test reads) sending to a real SMTP server on loopback. */
async function latchkey(smtp: Smtp, env: Record<string, string> = {}) {
  const clock = new FakeClock();
  const log = memoryLog();
  const t = await startTestServer({ ...smtpEnv(smtp.port), ...env }, { clock, log });
  return { t, clock, log };
}

const agentFor = (t: TestServer, ip?: string) =>
  new Agent(
    (url, init) =>
      fetch(
        url,
        ip
          ? { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'x-forwarded-for': ip } }
          : init,
      ),
    t.issuer,
  );

/** Opens the forgot page, posts `email` with its CSRF token: the answer's status and body. */
async function askReset(
  t: TestServer,
  email: string,
  ip?: string,
): Promise<{ status: number; html: string }> {
  const agent = agentFor(t, ip);
  const page = await agent.go('/login/forgot');
  assert.equal(page.res?.status, 200, page.html);
  const res = await agent.request('/login/forgot', form({ csrf: csrfOf(page.html!), email }));
  return { status: res.status, html: await res.text() };
}

/** Every mail the requests so far asked for is queued, then handed to the SMTP server. */
async function deliver(t: TestServer): Promise<void> {
  await resetMailsSettled(t.server.deps);
  await t.server.mailSender.drainNow();
}

const withoutCsrf = (html: string) => html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf"');

describe('password reset (real server, real SMTP server)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  let smtp: Smtp;
  let t: TestServer;
  let log: ReturnType<typeof memoryLog>;
  let clock: FakeClock;
  before(async () => {
    smtp = await startSmtp();
    cleanups.push(smtp.close);
    // The throttles have their own tests below; here every request gets through.
    ({ t, log, clock } = await latchkey(smtp, { LATCHKEY_THROTTLE: 'off' }));
    cleanups.push(t.close);
  });

  it('answers known, unknown, disabled and provider-linked addresses alike; only the two live accounts get mail', async () => {
    const known = await t.addUser({ email: 'known@example.test', name: 'Known Person' });
    const disabled = await t.addUser({ email: 'disabled@example.test' });
    await updateUser(t.server.deps, disabled.id, { disabled: true });
    const linked = await t.addUser({ email: 'linked@example.test', name: 'Linked Person' });
    await t.server.deps.store.providers.create({
      slug: 'google',
      name: 'Acme ID',
      kind: 'oidc',
      issuer: 'https://accounts.example.test',
      tenant: null,
      clientId: 'upstream-client',
      clientSecretSealed: t.server.deps.sealer.seal('upstream-secret'),
      tokenAuth: 'client_secret_basic',
      trustedTenants: [],
      enabled: false,
      managedBy: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    await linkUpstream(t.server.deps.store, linked.id, clock.now());
    const before = smtp.received.length;

    const answers = [];
    for (const email of [
      known.email,
      'nobody@example.test',
      disabled.email,
      linked.email,
      'KNOWN@example.test',
    ])
      answers.push(await askReset(t, email));
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(withoutCsrf(a.html), withoutCsrf(answers[0]!.html), 'the very same page');
    }
    assert.match(answers[0]!.html, /Check your email/);
    assert.ok(!answers[0]!.html.includes('known@example.test'), 'the address is not echoed');

    await deliver(t);
    assert.deepEqual(
      smtp.received
        .slice(before)
        .map((m) => m.to[0])
        .sort(),
      [known.email, known.email, linked.email],
      'a reset mail for each request to the live password account, the provider note, nothing else',
    );
    const reset = smtp.to(known.email)[0]!;
    assert.equal(reset.subject, 'Reset your latchkey password');
    assert.match(reset.text, /^Hello Known Person,/);
    const link = linkIn(reset, '/login/reset');
    assert.equal(link.origin + link.pathname, `${t.issuer}/login/reset`);
    assert.match(link.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);

    // The provider note: names the provider, links the sign-in page, carries no token.
    const note = smtp.to(linked.email)[0]!;
    assert.match(note.text, /you sign in with Acme ID/);
    assert.ok(!note.text.includes('/login/reset') && !note.html.includes('/login/reset'), note.text);
    assert.ok(note.text.includes(`${t.issuer}/login\n`), note.text);
    const db = new Database(t.dbPath, { readonly: true });
    const tokens = db.prepare('select user_id from password_tokens').all() as { user_id: string }[];
    db.close();
    assert.ok(!tokens.some((r) => r.user_id === linked.id), 'no token for the provider-linked user');
    assert.ok(!tokens.some((r) => r.user_id === disabled.id), 'no token for the disabled user');
  });

  it('a malformed address gets the form again with a message; a missing CSRF token is refused', async () => {
    const agent = agentFor(t);
    const page = await agent.go('/login/forgot');
    assert.match(page.html!, /<label for="email">Email<\/label>/);
    assert.match(page.html!, /Send reset link/);
    const res = await agent.request(
      '/login/forgot',
      form({ csrf: csrfOf(page.html!), email: 'not an address' }),
    );
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /role="alert"/);
    assert.match(html, /Enter an email address such as name@example.com/);
    assert.match(html, /aria-invalid="true"/);

    const forged = await agent.request('/login/forgot', form({ email: 'known@example.test' }));
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /<code>csrf<\/code>/);
  });

  it('the link sets the password once, ends every session and refresh token, and verifies the email', async () => {
    const user = await t.addUser({ email: 'reset-me@example.test' });
    await t.server.deps.store.users.update(user.id, { emailVerified: false }, clock.now(), {
      at: clock.now(),
      type: 'user_updated',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    const client = await t.addClient({ grants: ['password', 'refresh_token'], firstParty: true });
    const grant = async (password: string) =>
      fetch(`${t.issuer}/token`, {
        ...form(
          { grant_type: 'password', username: user.email, password, scope: 'openid offline_access' },
          { authorization: basic(client.id, client.secret!) },
        ),
      });
    const tokens = (await (await grant(user.password)).json()) as { refresh_token: string };
    assert.ok(tokens.refresh_token);

    await askReset(t, user.email);
    await deliver(t);
    const link = linkIn(smtp.to(user.email)[0]!, '/login/reset');
    const agent = agentFor(t);
    const page = await agent.go(link.toString());
    assert.equal(page.res?.status, 200);
    assert.equal(page.res?.headers.get('referrer-policy'), 'strict-origin');
    assert.match(page.html!, /Choose a new password/);
    const weak = await agent.submit(page.html!, { password: 'password' }, link.toString());
    assert.equal(weak.res?.status, 400);
    const done = await agent.submit(page.html!, { password: 'a-brand-new-passphrase' }, link.toString());
    assert.equal(done.res?.status, 200, done.html);
    assert.match(done.html!, /Your password is set/);

    const refreshed = await fetch(`${t.issuer}/token`, {
      ...form(
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: basic(client.id, client.secret!) },
      ),
    });
    assert.equal(refreshed.status, 400);
    assert.equal(((await refreshed.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await grant(user.password)).status, 400, 'the old password fails');
    assert.equal((await grant('a-brand-new-passphrase')).status, 200, 'the new one works');
    assert.equal(
      (await t.server.deps.store.users.find(user.id))?.emailVerified,
      true,
      'the link proved the address',
    );

    const again = await agentFor(t).go(link.toString());
    assert.equal(again.res?.status, 400);
    assert.match(again.html!, /<code>reset_link_invalid<\/code>/);
  });

  it('an address never proven (a sign-up by someone else): no greeting by its name, and the reset removes its second factor', async () => {
    const deps = t.server.deps;
    const user = await t.addUser({ email: 'squatted@example.test', name: 'Visit evil.example now' });
    const now = clock.now();
    await deps.store.users.update(user.id, { emailVerified: false }, now, {
      at: now,
      type: 'test',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    const record = (await deps.store.users.find(user.id))!;
    await enrollTotpNow(deps, record, { ip: null, clientId: null });
    assert.ok(await deps.store.mfa.findTotp(user.id));

    await askReset(t, user.email);
    await deliver(t);
    const mail = smtp.to(user.email)[0]!;
    assert.ok(!mail.text.includes('evil.example'), mail.text);
    const link = linkIn(mail, '/login/reset');
    const agent = agentFor(t);
    const page = await agent.go(link.toString());
    const done = await agent.submit(page.html!, { password: 'the-owner-s-own-passphrase' }, link.toString());
    assert.equal(done.res?.status, 200, done.html);
    assert.equal(
      await deps.store.mfa.findTotp(user.id),
      undefined,
      'the second factor set up before is gone',
    );
    assert.deepEqual(await deps.store.mfa.unusedRecoveryCodes(user.id), []);
    assert.equal((await deps.store.users.find(user.id))?.emailVerified, true);

    // A proven address keeps its second factor through a reset (the owner set it up).
    const owner = await t.addUser({ email: 'proven@example.test', name: 'Proven Owner' });
    await enrollTotpNow(deps, (await deps.store.users.find(owner.id))!, { ip: null, clientId: null });
    await askReset(t, owner.email);
    await deliver(t);
    const ownerMail = smtp.to(owner.email)[0]!;
    assert.match(ownerMail.text, /Proven Owner/);
    const ownerLink = linkIn(ownerMail, '/login/reset');
    const ownerPage = await agent.go(ownerLink.toString());
    await agent.submit(ownerPage.html!, { password: 'another-fresh-passphrase' }, ownerLink.toString());
    assert.ok(await deps.store.mfa.findTotp(owner.id), 'kept');
  });

  it('the link is void after a later password change (latchkey user set-password), and after 30 minutes', async () => {
    const user = await t.addUser({ email: 'changed@example.test' });
    await askReset(t, user.email);
    await askReset(t, user.email);
    await deliver(t);
    const [first, second] = smtp.to(user.email).map((m) => linkIn(m, '/login/reset').toString());
    assert.equal((await agentFor(t).go(first!)).res?.status, 200, 'live before the change');
    await setUserPassword(t.server.deps, user.email, 'changed-by-the-admin');
    for (const link of [first!, second!]) {
      const page = await agentFor(t).go(link);
      assert.equal(page.res?.status, 400);
      assert.match(page.html!, /<code>reset_link_invalid<\/code>/);
    }

    await askReset(t, user.email);
    await deliver(t);
    const late = linkIn(smtp.to(user.email)[2]!, '/login/reset').toString();
    clock.advance(29 * 60);
    const agent = agentFor(t);
    const page = await agent.go(late);
    assert.equal(page.res?.status, 200, 'live at 29 minutes');
    clock.advance(60);
    const expired = await agent.submit(page.html!, { password: 'too-late-passphrase' }, late);
    assert.equal(expired.res?.status, 400);
    assert.match(expired.html!, /<code>reset_link_invalid<\/code>/);
  });

  it('at rest: the token is nowhere in the clear in the database, and the mail body is sealed', async () => {
    const user = await t.addUser({ email: 'at-rest@example.test' });
    await askReset(t, user.email);
    await resetMailsSettled(t.server.deps);
    // Read before it is sent, and after.
    const dump = () => {
      const db = new Database(t.dbPath, { readonly: true });
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
        name: string;
      }[];
      const all = tables.map(({ name }) => ({ name, rows: db.prepare(`select * from "${name}"`).all() }));
      db.close();
      return JSON.stringify(all);
    };
    const queued = dump();
    await t.server.mailSender.drainNow();
    const token = linkIn(smtp.to(user.email)[0]!, '/login/reset').searchParams.get('token')!;
    for (const d of [queued, dump()]) {
      assert.ok(!d.includes(token), 'the token is not in any table');
      assert.ok(d.includes(sha256(token)), 'its hash is (the lookup key)');
    }
    const db = new Database(t.dbPath, { readonly: true });
    const rows = db.prepare('select * from mail_outbox where recipient = ?').all(user.email) as Record<
      string,
      unknown
    >[];
    db.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!['body_sealed'], '', 'once delivered, the body (and its link) is erased');
    assert.ok(!log.entries.some((e) => JSON.stringify(e).includes(token)), 'nor in the log');
  });
});

describe('password reset throttling (per address, per IP) and the switches', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('per address: 3 mails per requester and 10 from everyone, then the same page and no mail, logged without the address', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const { t, log } = await latchkey(smtp, { LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    cleanups.push(t.close);
    const user = await t.addUser({ email: 'flooded@example.test' });
    const answers = [];
    // One requester asks 5 times (under the per-IP limit of 10): 3 mails.
    for (let i = 1; i <= 5; i++) answers.push(await askReset(t, user.email, '203.0.113.1'));
    await deliver(t);
    assert.equal(smtp.to(user.email).length, 3);
    // That requester used up its own allowance, not the owner's: another address still gets a mail...
    answers.push(await askReset(t, user.email, '198.51.100.7'));
    await deliver(t);
    assert.equal(smtp.to(user.email).length, 4);
    // ...until the inbox has had 10 from everyone together.
    for (let i = 2; i <= 9; i++) answers.push(await askReset(t, user.email, `203.0.113.${i}`));
    await deliver(t);
    assert.equal(smtp.to(user.email).length, 10);
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(withoutCsrf(a.html), withoutCsrf(answers[0]!.html));
    }
    const throttled = log.entries.filter((e) => e.msg === 'password reset mail throttled');
    assert.equal(throttled.length, 4);
    assert.ok(!JSON.stringify(log.entries).includes('flooded@'), 'the address is never logged in the clear');
  });

  it('per IP: 10 requests, then 429 with the throttled message, whatever the address', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const { t } = await latchkey(smtp, { LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    cleanups.push(t.close);
    const user = await t.addUser({ email: 'victim@example.test' });
    for (let i = 0; i < 10; i++)
      assert.equal((await askReset(t, `nobody-${i}@example.test`, '198.51.100.7')).status, 200);
    const known = await askReset(t, user.email, '198.51.100.7');
    const unknown = await askReset(t, 'nobody-else@example.test', '198.51.100.7');
    for (const a of [known, unknown]) {
      assert.equal(a.status, 429);
      assert.match(a.html, /role="alert"/);
      assert.match(a.html, /Too many attempts/);
    }
    assert.equal(
      withoutCsrf(known.html).replace(user.email, 'X'),
      withoutCsrf(unknown.html).replace('nobody-else@example.test', 'X'),
    );
    assert.equal(
      (await askReset(t, user.email, '198.51.100.8')).status,
      200,
      'another address is not affected',
    );
    await deliver(t);
    assert.equal(smtp.to(user.email).length, 1, 'only the request that got through sent mail');
  });

  it('LATCHKEY_THROTTLE=off turns both off', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const { t } = await latchkey(smtp, { LATCHKEY_THROTTLE: 'off' });
    cleanups.push(t.close);
    const user = await t.addUser({ email: 'unthrottled@example.test' });
    for (let i = 0; i < 12; i++) assert.equal((await askReset(t, user.email)).status, 200);
    await deliver(t);
    assert.equal(smtp.to(user.email).length, 12);
  });

  it('LATCHKEY_PASSWORD_LOGIN=off: no link on the login page, and forgot/reset answer password_login_off', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const { t } = await latchkey(smtp, { LATCHKEY_PASSWORD_LOGIN: 'off' });
    cleanups.push(t.close);
    const login = await agentFor(t).go('/login');
    assert.ok(!login.html!.includes('Forgot password?'));
    for (const path of ['/login/forgot', '/login/reset?token=abc']) {
      const page = await agentFor(t).go(path);
      assert.equal(page.res?.status, 403);
      assert.match(page.html!, /<code>password_login_off<\/code>/);
    }
  });

  it('the login page links "Forgot password?" with its interaction or return target', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const { t } = await latchkey(smtp);
    cleanups.push(t.close);
    const login = await agentFor(t).go('/login?return_to=%2Faccount%3Fx%3D1');
    assert.match(
      login.html!,
      /<a href="\/login\/forgot\?return_to=%2Faccount%3Fx%3D1">Forgot password\?<\/a>/,
    );
    const forgot = await agentFor(t).go('/login/forgot?return_to=%2Faccount%3Fx%3D1');
    assert.match(forgot.html!, /href="\/login\?return_to=%2Faccount%3Fx%3D1"/);
    assert.match(forgot.html!, /action="\/login\/forgot\?return_to=%2Faccount%3Fx%3D1"/);
  });
});
