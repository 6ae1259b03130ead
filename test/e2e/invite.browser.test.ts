import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { sha256 } from '../../src/crypto/hash.js';
import { json, run } from '../cli/run.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { linkUpstream } from '../helpers/identity.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { linkIn, type Smtp, smtpEnv, startSmtp } from '../helpers/smtp.js';

const DAY = 86400;

/** Every row of every table, as text: what an attacker with a copy of the database file reads. */
function wholeDatabase(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    return tables.map((t) => JSON.stringify(db.prepare(`select * from "${t.name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('invitations: latchkey user add --invite and the admin API (real SMTP, Chromium)', () => {
  let smtp: Smtp;
  let t: TestServer;
  let browser: Browser;
  const secret = randomBytes(24).toString('base64url');
  /** The CLI (dist) against the server's database, with or without SMTP. */
  let cli: Record<string, string>;
  let cliNoMail: Record<string, string>;

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ ...smtpEnv(smtp.port), LATCHKEY_SECRET: secret });
    cliNoMail = { LATCHKEY_DB: t.dbPath, LATCHKEY_SECRET: secret, ISSUER: t.issuer };
    cli = { ...cliNoMail, ...smtpEnv(smtp.port) };
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('user add --invite → the mail → its link → "New password" → "Set password" → signed in; the link again is invalid', async () => {
    const before = t.deps.clock.now();
    const out = await json(
      ['user', 'add', '--email', 'grace@example.test', '--invite', '--name', 'Grace'],
      cli,
    );
    assert.equal(out['email'], 'grace@example.test');
    assert.equal(out['has_password'], false);
    assert.equal(out['email_verified'], false, 'unverified until the link is used');
    const invitation = out['invitation'] as Record<string, unknown>;
    assert.equal(invitation['mailed'], true);
    assert.equal(invitation['url'], undefined, 'with SMTP the link is never printed');
    const expiresAt = invitation['expires_at'] as number;
    assert.ok(Math.abs(expiresAt - (before + 7 * DAY)) < 60, '7 days');

    await t.server.mailSender.drainNow();
    const mail = await smtp.waitFor('grace@example.test');
    assert.equal(mail.subject, 'You have been invited to latchkey');
    assert.match(mail.text, /You have been invited to latchkey\./);
    assert.match(mail.text, /7 days/);
    const link = linkIn(mail, '/password/set');
    assert.equal(link.origin, t.issuer);
    const token = link.searchParams.get('token')!;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.ok(mail.html.includes(link.pathname), 'the HTML carries the link too');

    // At rest: the token's hash, never the token.
    const dump = wholeDatabase(t.dbPath);
    assert.ok(!dump.includes(token), 'no invitation token in the clear in the database');
    const stored = await t.deps.store.passwordTokens.find(sha256(token));
    assert.equal(stored?.purpose, 'invite');
    assert.equal(stored?.expiresAt, expiresAt);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link.href);
    const newPassword = page.getByRole('textbox', { name: 'New password', exact: true });
    await newPassword.fill('grace-hopper-cobol-1959');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByRole('heading', { name: 'Your password is set', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await fillSignIn(page, 'grace@example.test', 'grace-hopper-cobol-1959');
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');

    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Something went wrong', exact: true }).waitFor();
    assert.match(await page.locator('code').innerText(), /^invalid_link$/);
    await context.close();
  });

  it('the admin API (POST /admin/v1/users with "invite": true) mails the invitation too', async () => {
    const console = await t.addClient({ grants: ['password'], scopes: ['admin'], firstParty: true });
    const admin = await t.addUser({ roles: ['admin'] });
    const tokenRes = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(console.id, console.secret!),
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: admin.email,
        password: admin.password,
        scope: 'admin',
      }).toString(),
    });
    assert.equal(tokenRes.status, 200);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const call = (body: unknown) =>
      fetch(`${t.url}/admin/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const both = await call({ email: 'both@example.test', invite: true, password: 'a-long-enough-one-9' });
    assert.equal(both.status, 400);
    assert.match(
      ((await both.json()) as { error_description?: string; message?: string }).error_description ?? '',
      /password/,
    );
    assert.equal(await t.deps.store.users.findByEmail('both@example.test'), undefined);

    const res = await call({ email: 'alan@example.test', invite: true, name: 'Alan' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['has_password'], false);
    assert.equal(body['email_verified'], false);
    assert.deepEqual(Object.keys(body['invitation'] as object).sort(), ['expires_at', 'mailed']);
    assert.equal((body['invitation'] as Record<string, unknown>)['mailed'], true);

    await t.server.mailSender.drainNow();
    const mail = await smtp.waitFor('alan@example.test');
    assert.equal(mail.subject, 'You have been invited to latchkey');
    const token = linkIn(mail, '/password/set').searchParams.get('token')!;
    assert.equal((await t.deps.store.passwordTokens.find(sha256(token)))?.purpose, 'invite');
  });

  it('--invite with --password is a usage error; nothing is created', async () => {
    const r = await run(
      [
        'user',
        'add',
        '--email',
        'nope@example.test',
        '--invite',
        '--password',
        'a-long-enough-one-9',
        '--json',
      ],
      cli,
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--invite and --password contradict each other/);
    assert.equal(await t.deps.store.users.findByEmail('nope@example.test'), undefined);
  });

  it('without SMTP the CLI prints the link (and says the mail waits in the outbox and the log)', async () => {
    const out = await json(['user', 'add', '--email', 'ada@example.test', '--invite'], cliNoMail);
    const invitation = out['invitation'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(invitation).sort(), ['expires_at', 'url']);
    const url = new URL(invitation['url'] as string);
    assert.equal(`${url.origin}${url.pathname}`, `${t.issuer}/password/set`);
    const token = url.searchParams.get('token')!;
    assert.equal((await t.deps.store.passwordTokens.find(sha256(token)))?.purpose, 'invite');
    assert.ok(!wholeDatabase(t.dbPath).includes(token), 'the printed token is not stored in the clear');

    const text = await run(['user', 'add', '--email', 'bob@example.test', '--invite'], cliNoMail);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /LATCHKEY_SMTP_URL is not set: the invitation waits in the outbox/);
    assert.match(text.stdout, /\/password\/set\?token=[A-Za-z0-9_-]{43}\n/);

    const page = await fetch(invitation['url'] as string);
    assert.equal(page.status, 200, 'the printed link opens the set-password page');
  });

  it('user unlink with SMTP mails the set-password link and does not print it', async () => {
    const user = await t.addUser({ email: 'linked@example.test' });
    await linkUpstream(t.deps.store, user.id, t.deps.clock.now());
    const r = await run(['user', 'unlink', user.email, '--json'], cli);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out['mailed'], true);
    assert.equal(out['set_password_url'], undefined);
    assert.doesNotMatch(r.stdout + r.stderr, /token=/);

    await t.server.mailSender.drainNow();
    const mail = await smtp.waitFor(user.email);
    assert.equal(mail.subject, 'Choose a password for latchkey');
    assert.match(mail.text, /24 hours/);
    const link = linkIn(mail, '/password/set');
    const stored = await t.deps.store.passwordTokens.find(sha256(link.searchParams.get('token')!));
    assert.equal(stored?.purpose, 'set');
    assert.equal(stored?.userId, user.id);
    assert.equal((await fetch(link)).status, 200);
  });
});
