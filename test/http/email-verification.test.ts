import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMAIL_LINK_SECONDS } from '../../src/account/email.js';
import { loadConfig } from '../../src/config.js';
import { sha256 } from '../../src/crypto/hash.js';
import type { SealedBody } from '../../src/mail/send.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { type Agent, csrfOf } from '../helpers/agent.js';
import { linkUpstream } from '../helpers/identity.js';
import { browser, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { type TestApp, tempDir, testApp } from '../helpers/server.js';
import { addProvider } from '../helpers/upstream.js';

const PASSWORD = 'a long and fresh passphrase';
const CB = 'https://app.example/cb';

/** The mails queued for `to` (the outbox, bodies unsealed), oldest first. */
async function mailsTo(t: TestApp, to: string): Promise<{ subject: string; text: string }[]> {
  return (await t.deps.store.mailOutbox.list())
    .filter((m) => m.recipient === to)
    .map((m) => ({
      subject: m.subject,
      text: (JSON.parse(t.deps.sealer.open(m.bodySealed)) as SealedBody).text,
    }));
}

/** The `/verify-email` link of the last mail to `to`. */
async function verifyLink(t: TestApp, to: string): Promise<{ url: string; token: string }> {
  const last = (await mailsTo(t, to)).at(-1);
  const url = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(last?.text ?? '')?.[0];
  assert.ok(url, `no verification link to ${to}: ${last?.text}`);
  return { url, token: new URL(url).searchParams.get('token')! };
}

function expectErrorPage(step: { res?: Response; html?: string }, code: string, status = 400): void {
  const html = step.html ?? '';
  assert.equal(step.res?.status, status, html);
  assert.match(html, /Something went wrong/);
  assert.ok(html.includes(`<code>${code}</code>`), html);
}

async function signUp(
  agent: Agent,
  fields: { name?: string; email: string; password?: string },
): Promise<{ res?: Response; html?: string }> {
  const page = await agent.go('/signup');
  assert.equal(page.res?.status, 200, page.html);
  return agent.submit(
    page.html!,
    { name: 'Sign Up', password: PASSWORD, ...fields },
    `${agent.issuer}/signup`,
  );
}

describe('self-registration and email verification (HTTP)', () => {
  let t: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let client: TestClient;

  before(async () => {
    dir = tempDir();
    t = await testApp({ LATCHKEY_SIGNUP: 'on', LATCHKEY_DB: join(dir.dir, 'latchkey.db') });
    client = { ...(await t.addClient({ redirectUris: [CB], firstParty: true })), redirectUri: CB };
  });
  after(async () => {
    await t.close();
    dir.cleanup();
  });

  it('the login page links to "Create account" with its return_to', async () => {
    const page = await browser(t).go('/login?return_to=%2Faccount');
    assert.ok(page.html?.includes('href="/signup?return_to=%2Faccount">Create account</a>'), page.html);
  });

  it('signs up unverified; the link’s GET changes nothing; its POST verifies, once', async () => {
    const agent = browser(t);
    const email = 'Verify.Me@Example.test';
    const sent = await signUp(agent, { email });
    assert.equal(sent.res?.status, 200, sent.html);
    assert.match(sent.html!, /Check your email/);
    const user = await t.deps.store.users.findByEmail('verify.me@example.test');
    assert.equal(user?.emailVerified, false);
    assert.equal(agent.cookies.has('lk_session'), false, 'not signed in by signing up');

    // Before: the tokens say unverified.
    const before = await tokensFor(
      t,
      client,
      { email: user!.email, password: PASSWORD },
      { scope: 'openid email' },
    );
    const info = await t.request('/userinfo', {
      headers: { authorization: `Bearer ${before['access_token']}` },
    });
    assert.equal(((await info.json()) as Record<string, unknown>)['email_verified'], false);

    const { url } = await verifyLink(t, user!.email);
    const page = await agent.go(url);
    assert.equal(page.res?.status, 200, page.html);
    assert.equal(page.res?.headers.get('referrer-policy'), 'strict-origin');
    assert.match(page.html!, /<button[^>]*>Verify email<\/button>/);
    assert.match(page.html!, /<form method="post" action="\/verify-email"/, 'the token is not in the action');
    assert.equal(
      (await t.deps.store.users.find(user!.id))?.emailVerified,
      false,
      'a GET (a mail scanner) verifies nothing',
    );

    // A post without the browser's CSRF token is refused.
    const forged = await browser(t).post('/verify-email', { token: new URL(url).searchParams.get('token')! });
    expectErrorPage(forged, 'csrf', 403);
    assert.equal((await t.deps.store.users.find(user!.id))?.emailVerified, false);

    const done = await agent.submit(page.html!, {}, url);
    assert.equal(done.res?.status, 200, done.html);
    assert.match(done.html!, /Email verified/);
    assert.equal((await t.deps.store.users.find(user!.id))?.emailVerified, true);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'email_verified');
    assert.equal(event?.userId, user!.id);
    assert.equal(JSON.stringify(event).includes(new URL(url).searchParams.get('token')!), false);

    expectErrorPage(await agent.submit(page.html!, {}, url), 'email_link_invalid');
    expectErrorPage(await agent.go(url), 'email_link_invalid');

    const after = await tokensFor(
      t,
      client,
      { email: user!.email, password: PASSWORD },
      { scope: 'openid email' },
    );
    const info2 = await t.request('/userinfo', {
      headers: { authorization: `Bearer ${after['access_token']}` },
    });
    assert.equal(((await info2.json()) as Record<string, unknown>)['email_verified'], true);
  });

  it('at rest: the token is not in the database file, only its SHA-256', async () => {
    await signUp(browser(t), { email: 'at-rest@example.test' });
    const { token } = await verifyLink(t, 'at-rest@example.test');
    (t.deps.store as SqliteStore).raw.pragma('wal_checkpoint(TRUNCATE)');
    const files = readdirSync(dir.dir).filter((f) => f.startsWith('latchkey.db'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const bytes = readFileSync(join(dir.dir, f));
      assert.equal(bytes.includes(token), false, `${f} holds the token`);
    }
    assert.equal(await t.deps.store.emailTokens.find(token), undefined);
    assert.equal((await t.deps.store.emailTokens.find(sha256(token)))?.purpose, 'verify');
    const bytes = readFileSync(join(dir.dir, 'latchkey.db'));
    assert.ok(bytes.includes(sha256(token)), 'the hash is what is stored');
  });

  it('a link works for 24 hours; an expired one is the email_link_invalid page and verifies nothing', async () => {
    await signUp(browser(t), { email: 'slow@example.test' });
    const { url } = await verifyLink(t, 'slow@example.test');
    const agent = browser(t);
    t.clock.advance(EMAIL_LINK_SECONDS - 1);
    const page = await agent.go(url);
    assert.equal(page.res?.status, 200, page.html);
    t.clock.advance(1);
    expectErrorPage(await agent.submit(page.html!, {}, url), 'email_link_invalid');
    expectErrorPage(await agent.go(url), 'email_link_invalid');
    assert.equal((await t.deps.store.users.findByEmail('slow@example.test'))?.emailVerified, false);
  });

  it('a new verification mail voids the earlier link', async () => {
    const agent = browser(t);
    await signUp(agent, { email: 'twice@example.test' });
    const first = await verifyLink(t, 'twice@example.test');
    await signIn(agent, { email: 'twice@example.test', password: PASSWORD });
    const account = await agent.go('/account');
    assert.match(account.html!, /Not verified/);
    const resent = await agent.post('/account/email/verify', { csrf: csrfOf(account.html!) });
    assert.equal(resent.res?.status, 200);
    assert.match(resent.html!, /We sent a verification link/);
    const second = await verifyLink(t, 'twice@example.test');
    assert.notEqual(first.token, second.token);
    expectErrorPage(await agent.go(first.url), 'email_link_invalid');
    assert.equal((await agent.go(second.url)).res?.status, 200);
  });

  it('an address with an account: the same page, a mail to its owner, the account untouched', async () => {
    const owner = await t.addUser({ email: 'owner@example.test', name: 'Owner' });
    const stored = await t.deps.store.users.find(owner.id);
    const count = await t.deps.store.users.count();
    const taken = await signUp(browser(t), { email: 'owner@example.test', name: 'Intruder' });
    const fresh = await signUp(browser(t), { email: 'other-new@example.test', name: 'Intruder' });
    assert.equal(taken.res?.status, 200);
    assert.equal(
      taken.html!.replaceAll('owner@example.test', 'X'),
      fresh.html!.replaceAll('other-new@example.test', 'X'),
      'the very same page',
    );
    assert.equal(await t.deps.store.users.count(), count + 1);
    assert.deepEqual(await t.deps.store.users.find(owner.id), stored, 'nothing about the account changed');
    const [mail] = await mailsTo(t, 'owner@example.test');
    assert.match(mail!.subject, /tried to create/);
    assert.match(mail!.text, /\/login\/forgot/);
    assert.doesNotMatch(mail!.text, /verify-email/);
  });

  it('refuses a weak password and a bad email with the form again, creating nothing', async () => {
    const weak = await signUp(browser(t), { email: 'weak@example.test', password: 'password' });
    assert.equal(weak.res?.status, 400);
    assert.match(weak.html!, /role="alert"/);
    const bad = await signUp(browser(t), { email: 'not-an-address' });
    assert.equal(bad.res?.status, 400);
    assert.match(bad.html!, /Enter a valid email address/);
    // Addresses the outbox would refuse (no dot in the domain, a list) are refused here, before any write.
    for (const email of ['someone@intranet', 'a,b@example.test', 'a@example.test;b@example.test']) {
      const odd = await signUp(browser(t), { email });
      assert.equal(odd.res?.status, 400, email);
      assert.match(odd.html!, /Enter a valid email address/);
      assert.equal(await t.deps.store.users.findByEmail(email), undefined, email);
    }
    assert.equal(await t.deps.store.users.findByEmail('weak@example.test'), undefined);
    assert.deepEqual(await mailsTo(t, 'weak@example.test'), []);
  });
});

describe('sign-up: the domain allow-list and the throttles', () => {
  it('LATCHKEY_SIGNUP_DOMAINS: other domains get the form again with a clear message', async () => {
    const t = await testApp({ LATCHKEY_SIGNUP: 'on', LATCHKEY_SIGNUP_DOMAINS: 'example.org, Example.NET' });
    try {
      assert.deepEqual(t.deps.config.signupDomains, ['example.org', 'example.net']);
      const refused = await signUp(browser(t), { email: 'someone@example.test' });
      assert.equal(refused.res?.status, 400);
      assert.match(refused.html!, /role="alert"[\s\S]*Sign-up is open only to addresses at certain domains/);
      assert.match(refused.html!, /value="someone@example.test"/, 'the form keeps what was typed');
      assert.equal(await t.deps.store.users.findByEmail('someone@example.test'), undefined);
      assert.deepEqual(await mailsTo(t, 'someone@example.test'), []);
      // A look-alike is not the domain.
      assert.equal((await signUp(browser(t), { email: 'someone@evil-example.net' })).res?.status, 400);
      assert.equal((await signUp(browser(t), { email: 'someone@EXAMPLE.net' })).res?.status, 200);
      assert.ok(await t.deps.store.users.findByEmail('someone@example.net'));
    } finally {
      await t.close();
    }
  });

  it('LATCHKEY_SIGNUP_DOMAINS is validated', () => {
    for (const bad of ['not a domain', 'example', '@example.com', 'example.com,,']) {
      assert.throws(
        () =>
          loadConfig({
            LATCHKEY_DB: ':memory:',
            LATCHKEY_SECRET: 'x'.repeat(32),
            LATCHKEY_SIGNUP_DOMAINS: bad,
          }),
        /LATCHKEY_SIGNUP_DOMAINS/,
        bad,
      );
    }
    assert.throws(
      () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_SECRET: 'x'.repeat(32), LATCHKEY_SIGNUP: 'yes' }),
      /LATCHKEY_SIGNUP/,
    );
  });

  it('sign-ups per address are throttled in the database; so are mails to one address', async () => {
    const t = await testApp({ LATCHKEY_SIGNUP: 'on' });
    try {
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await signUp(browser(t), { email: `bulk${i}@example.test` })).res?.status,
          200,
          `#${i}`,
        );
      const refused = await signUp(browser(t), { email: 'bulk5@example.test' });
      assert.equal(refused.res?.status, 429);
      assert.ok(Number(refused.res?.headers.get('retry-after')) > 0);
      assert.equal(await t.deps.store.users.findByEmail('bulk5@example.test'), undefined, 'no account');
      assert.deepEqual(await mailsTo(t, 'bulk5@example.test'), [], 'no mail');
      // The waits pass.
      t.clock.advance(3600);
      assert.equal((await signUp(browser(t), { email: 'bulk5@example.test' })).res?.status, 200);

      // One mailbox from many addresses: the address typed is counted too.
      for (let i = 0; i < 3; i++) {
        t.clock.advance(3600);
        assert.equal((await signUp(browser(t), { email: 'victim@example.test' })).res?.status, 200, `#${i}`);
      }
      t.clock.advance(1);
      assert.equal((await signUp(browser(t), { email: 'victim@example.test' })).res?.status, 429);
      assert.equal((await mailsTo(t, 'victim@example.test')).length, 3);
    } finally {
      await t.close();
    }
  });

  it('LATCHKEY_THROTTLE=off turns the sign-up throttle off', async () => {
    const t = await testApp({ LATCHKEY_SIGNUP: 'on', LATCHKEY_THROTTLE: 'off' });
    try {
      for (let i = 0; i < 8; i++)
        assert.equal(
          (await signUp(browser(t), { email: `free${i}@example.test` })).res?.status,
          200,
          `#${i}`,
        );
    } finally {
      await t.close();
    }
  });
});

describe('changing the email on /account (HTTP)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  async function signedIn(
    email: string,
  ): Promise<{ agent: Agent; user: { id: string; email: string; password: string } }> {
    const user = await t.addUser({ email });
    const agent = browser(t);
    await signIn(agent, user);
    return { agent, user };
  }

  async function requestChange(agent: Agent, email: string, password: string) {
    const page = await agent.go('/account/email');
    assert.equal(page.res?.status, 200, page.html);
    return agent.submit(page.html!, { email, current_password: password }, `${t.issuer}/account/email`);
  }

  it('taken meanwhile: the link answers a clear message and changes nothing', async () => {
    const { agent, user } = await signedIn('meanwhile@example.test');
    const asked = await requestChange(agent, 'wanted@example.test', user.password);
    assert.equal(asked.res?.status, 200);
    assert.match(asked.html!, /We sent a confirmation link to your new address/);
    const { url } = await verifyLink(t, 'wanted@example.test');
    await t.addUser({ email: 'wanted@example.test' });
    const page = await agent.go(url);
    expectErrorPage(await agent.submit(page.html!, {}, url), 'email_taken');
    assert.match((await agent.submit(page.html!, {}, url)).html!, /belongs to another account now/);
    assert.equal((await t.deps.store.users.find(user.id))?.email, 'meanwhile@example.test');
  });

  it('an address another account has: the same answer, no link to it, the notice to the old address', async () => {
    await t.addUser({ email: 'holder@example.test' });
    const { agent, user } = await signedIn('asker@example.test');
    const asked = await requestChange(agent, 'holder@example.test', user.password);
    assert.match(asked.html!, /We sent a confirmation link to your new address/);
    assert.deepEqual(await mailsTo(t, 'holder@example.test'), []);
    const [notice] = await mailsTo(t, 'asker@example.test');
    assert.match(notice!.subject, /Email change requested/);
  });

  it('a wrong password is refused in role="alert" (and counted by the sign-in throttle); no mail', async () => {
    const { agent } = await signedIn('wrong-pw@example.test');
    const refused = await requestChange(agent, 'elsewhere@example.test', 'not the password');
    assert.equal(refused.res?.status, 401);
    assert.match(refused.html!, /role="alert"[\s\S]*Incorrect email or password/);
    assert.deepEqual(await mailsTo(t, 'elsewhere@example.test'), []);
    assert.deepEqual(await mailsTo(t, 'wrong-pw@example.test'), []);
    const bad = await requestChange(agent, 'nope', 'x');
    assert.equal(bad.res?.status, 400);
    assert.match(bad.html!, /Enter a valid email address/);
  });

  it('the change link, followed, switches the address; the old verify link then no longer works', async () => {
    const { agent, user } = await signedIn('switch@example.test');
    // A verification link to the current address, issued before the change.
    await t.deps.store.users.update(user.id, { emailVerified: false }, t.clock.now(), {
      at: t.clock.now(),
      type: 'test',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    const account = await agent.go('/account');
    await agent.post('/account/email/verify', { csrf: csrfOf(account.html!) });
    const old = await verifyLink(t, 'switch@example.test');
    await requestChange(agent, 'switched@example.test', user.password);
    const { url } = await verifyLink(t, 'switched@example.test');
    const page = await agent.go(url);
    assert.match(page.html!, /Confirm switched@example.test as the new address/);
    const done = await agent.submit(page.html!, {}, url);
    assert.equal(done.res?.status, 200, done.html);
    const changed = await t.deps.store.users.find(user.id);
    assert.equal(changed?.email, 'switched@example.test');
    assert.equal(changed?.emailVerified, true);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'email_changed');
    assert.match((await mailsTo(t, 'switch@example.test')).at(-1)!.subject, /was changed/);
    // The change voided every link mailed before it (the old address's verify link included).
    expectErrorPage(await agent.go(old.url), 'email_link_invalid');
  });

  it('an address no mail can go to is refused on the form, with nothing written', async () => {
    const { agent, user } = await signedIn('odd-change@example.test');
    const answer = await requestChange(agent, 'someone@intranet', user.password);
    assert.equal(answer.res?.status, 400, answer.html);
    assert.match(answer.html!, /Enter a valid email address/);
    assert.deepEqual(await mailsTo(t, 'odd-change@example.test'), []);
  });

  it('an unverified account links no provider (a link removes the password the address’s owner would reset)', async () => {
    await addProvider(
      t.deps,
      { issuer: 'https://upstream.example.test', clientId: 'up', clientSecret: 'up-secret' },
      { slug: 'acme', name: 'Acme ID' },
    );
    const { agent, user } = await signedIn('unproven@example.test');
    const now = t.clock.now();
    await t.deps.store.users.update(user.id, { emailVerified: false }, now, {
      at: now,
      type: 'test',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    const account = await agent.go('/account');
    assert.ok(!account.html!.includes('Link Acme ID'), 'no link button');
    const refused = await agent.post('/account/link/acme', {
      csrf: csrfOf(account.html!),
      password: user.password,
    });
    assert.equal(refused.res?.status, 400, refused.html);
    assert.ok(refused.html!.includes('<code>link_needs_verified_email</code>'), refused.html);
    assert.equal(await t.deps.store.identities.findByUser(user.id), undefined);
    assert.ok((await t.deps.store.users.find(user.id))?.passwordHash, 'the password stays');

    const { agent: verified } = await signedIn('proven-link@example.test');
    assert.ok((await verified.go('/account')).html!.includes('Link Acme ID'), 'a verified account may link');
  });

  it('a user who signs in with a provider cannot change the address here', async () => {
    const { agent, user } = await signedIn('linked@example.test');
    await linkUpstream(t.deps.store, user.id, t.clock.now(), sha256(agent.cookies.get('lk_session')!));
    const account = await agent.go('/account');
    assert.equal(account.res?.status, 200);
    assert.match(account.html!, /change it there/);
    assert.doesNotMatch(account.html!, /href="\/account\/email"/);
    const page = await agent.go('/account/email');
    assert.equal(page.res?.status, 400);
    assert.match(page.html!, /role="alert"/);
    const refused = await agent.post('/account/email', {
      csrf: csrfOf(account.html!),
      email: 'elsewhere2@example.test',
      current_password: user.password,
    });
    assert.equal(refused.res?.status, 400);
    assert.deepEqual(await mailsTo(t, 'elsewhere2@example.test'), []);
  });

  it('change requests are throttled per user in the database (each sends two mails)', async () => {
    const { agent, user } = await signedIn('many-changes@example.test');
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await requestChange(agent, `target${i}@example.test`, user.password)).res?.status,
        200,
        `#${i}`,
      );
    const refused = await requestChange(agent, 'target3@example.test', user.password);
    assert.equal(refused.res?.status, 429);
    assert.match(refused.html!, /role="alert"/);
    assert.deepEqual(await mailsTo(t, 'target3@example.test'), []);
    assert.equal((await mailsTo(t, 'many-changes@example.test')).length, 3);
  });

  it('"Send verification email" is throttled per user in the database', async () => {
    const { agent, user } = await signedIn('resend@example.test');
    await t.deps.store.users.update(user.id, { emailVerified: false }, t.clock.now(), {
      at: t.clock.now(),
      type: 'test',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    const csrf = csrfOf((await agent.go('/account')).html!);
    for (let i = 0; i < 3; i++)
      assert.equal((await agent.post('/account/email/verify', { csrf })).res?.status, 200, `#${i}`);
    const refused = await agent.post('/account/email/verify', { csrf });
    assert.equal(refused.res?.status, 429);
    assert.match(refused.html!, /role="alert"/);
    assert.equal((await mailsTo(t, 'resend@example.test')).length, 3);
  });
});
