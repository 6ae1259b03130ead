import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FakeClock } from '../../src/clock.js';
import { queueMail } from '../../src/mail/send.js';
import { run } from '../cli/run.js';
import { memoryLog } from '../helpers/memory-log.js';
import { freePort, startTestServer, tempDir } from '../helpers/server.js';
import { smtpEnv, startSmtp } from '../helpers/smtp.js';

/** The real server with a fake clock (backoff is moved, not waited for) and a log the test reads. */
async function startLatchkey(env: Record<string, string>) {
  const clock = new FakeClock();
  const log = memoryLog();
  const s = await startTestServer(env, { clock, log });
  return { server: s.server, clock, log, dbPath: s.dbPath, close: () => s.close() };
}

const message = (token: string) => ({
  to: 'alice@example.test',
  subject: 'Reset your password',
  text: `Open https://id.example.test/login/reset?t=${token} to choose a new password.`,
  html: `<p><a href="https://id.example.test/login/reset?t=${token}">Choose a new password</a></p>`,
});

describe('mail outbox (real SMTP server on loopback)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers a queued mail through SMTP (with AUTH), text and HTML; its body is sealed at rest', async () => {
    const smtp = await startSmtp();
    cleanups.push(smtp.close);
    const t = await startLatchkey(smtpEnv(smtp.port));
    cleanups.push(t.close);
    const token = randomBytes(16).toString('hex');
    const id = await queueMail(t.server.deps, message(token));

    // At rest: the token is nowhere in the row, the body is a sealed value.
    const db = new Database(t.dbPath, { readonly: true });
    const row = db.prepare('select * from mail_outbox where id = ?').get(id) as Record<string, unknown>;
    db.close();
    assert.equal(row['recipient'], 'alice@example.test');
    assert.match(String(row['body_sealed']), /^v1\./);
    assert.ok(!JSON.stringify(row).includes(token), 'the token is not in the clear in the database');

    await t.server.mailSender.drainNow();
    assert.equal(smtp.received.length, 1);
    const got = smtp.received[0]!;
    assert.equal(got.from, 'noreply@example.test');
    assert.deepEqual(got.to, ['alice@example.test']);
    assert.equal(got.user, 'mailer');
    assert.match(got.raw, /^Subject: Reset your password\r?$/m);
    // Quoted-printable: `=` is `=3D`, long lines are soft-broken.
    const decoded = got.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    assert.ok(decoded.includes(`reset?t=${token}`));
    assert.match(got.raw, /text\/plain/);
    assert.match(got.raw, /text\/html/);
    const sent = (await t.server.deps.store.mailOutbox.find(id))!;
    assert.equal(typeof sent.sentAt, 'number');
    assert.equal(sent.attempts, 1);
  });

  it('an SMTP server down, then up: the mail arrives once, after the backoff', async () => {
    const port = await freePort();
    const t = await startLatchkey(smtpEnv(port));
    cleanups.push(t.close);
    const id = await queueMail(t.server.deps, message('downup'));
    await t.server.mailSender.drainNow();
    let row = (await t.server.deps.store.mailOutbox.find(id))!;
    assert.equal(row.sentAt, null);
    assert.equal(row.failedAt, null);
    assert.equal(row.attempts, 1);
    assert.match(row.lastError ?? '', /ECONNREFUSED/);
    assert.equal(row.nextAttemptAt, t.clock.now() + 5);
    assert.ok(t.log.entries.some((e) => e.msg === 'mail not sent; will retry'));
    assert.ok(!JSON.stringify(t.log.entries).includes('pa:ss'), 'the SMTP password is never logged');

    const smtp = await startSmtp(port);
    cleanups.push(smtp.close);
    // Not due yet: nothing is tried.
    assert.equal(await t.server.mailSender.drainNow(), 0);
    assert.equal(smtp.received.length, 0);
    t.clock.advance(5);
    await t.server.mailSender.drainNow();
    assert.equal(smtp.received.length, 1);
    row = (await t.server.deps.store.mailOutbox.find(id))!;
    assert.equal(typeof row.sentAt, 'number');
    assert.equal(row.attempts, 2);
    // Later drains send nothing again.
    t.clock.advance(3600);
    assert.equal(await t.server.mailSender.drainNow(), 0);
    assert.equal(smtp.received.length, 1);
  });

  it('a recipient the SMTP server refuses for good (550) is given up at once; a bad address is not queued', async () => {
    const smtp = await startSmtp(0, { rejectRcpt: true });
    cleanups.push(smtp.close);
    const t = await startLatchkey(smtpEnv(smtp.port));
    cleanups.push(t.close);
    const id = await queueMail(t.server.deps, message('refused'));
    await t.server.mailSender.drainNow();
    const row = (await t.server.deps.store.mailOutbox.find(id))!;
    assert.equal(typeof row.failedAt, 'number');
    assert.equal(row.attempts, 1);
    assert.match(row.lastError ?? '', /550/);
    await assert.rejects(queueMail(t.server.deps, { ...message('x'), to: 'a@example.test, b@example.test' }));
    await assert.rejects(
      queueMail(t.server.deps, { ...message('x'), to: 'a@example.test\r\nBcc: b@x.test' }),
    );
    await assert.rejects(queueMail(t.server.deps, { ...message('x'), subject: 'a\r\nBcc: b@x.test' }));
  });

  it('gives up after 24 h of failures', async () => {
    const port = await freePort();
    const t = await startLatchkey(smtpEnv(port));
    cleanups.push(t.close);
    const id = await queueMail(t.server.deps, message('never'));
    let row = (await t.server.deps.store.mailOutbox.find(id))!;
    for (let i = 0; i < 400 && row.failedAt === null; i++) {
      t.clock.advance(Math.max(0, row.nextAttemptAt - t.clock.now()));
      await t.server.mailSender.drainNow();
      row = (await t.server.deps.store.mailOutbox.find(id))!;
    }
    assert.equal(typeof row.failedAt, 'number');
    assert.ok(row.failedAt! - row.createdAt <= 24 * 3600);
    assert.ok(row.failedAt! - row.createdAt > 23 * 3600);
    assert.ok(t.log.entries.some((e) => e.msg === 'mail given up'));
  });

  it('without SMTP: a warning at start; each mail is written to the log (recipient, subject, text) and counted sent', async () => {
    const t = await startLatchkey({});
    cleanups.push(t.close);
    assert.ok(
      t.log.entries.some((e) => e.level === 'warn' && /LATCHKEY_SMTP_URL is not set/.test(e.msg)),
      'start-up warns that mail links go to the log',
    );
    const id = await queueMail(t.server.deps, message('logged'));
    await t.server.mailSender.drainNow();
    const entry = t.log.entries.find((e) => e.msg.startsWith('mail not sent (no LATCHKEY_SMTP_URL)'));
    assert.ok(entry, 'the mail is logged');
    assert.equal(entry.level, 'warn');
    assert.equal(entry.fields?.['to'], 'alice@example.test');
    assert.equal(entry.fields?.['subject'], 'Reset your password');
    assert.match(String(entry.fields?.['text']), /reset\?t=logged/);
    assert.equal(typeof (await t.server.deps.store.mailOutbox.find(id))!.sentAt, 'number');
  });
});

describe('latchkey mail test (the CLI, dist)', () => {
  const { dir, cleanup } = tempDir();
  const base = {
    LATCHKEY_DB: join(dir, 'latchkey.db'),
    LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
  };
  after(cleanup);

  it('sends one mail synchronously and prints one line', async () => {
    const smtp = await startSmtp();
    try {
      const r = await run(['mail', 'test', 'bob@example.test'], { ...base, ...smtpEnv(smtp.port) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.match(
        r.stdout,
        /^ok: test mail sent to bob@example\.test via smtp:\/\/mailer:\*\*\*@127\.0\.0\.1:\d+\n$/,
      );
      assert.equal(smtp.received.length, 1);
      assert.deepEqual(smtp.received[0]!.to, ['bob@example.test']);
      // Not through the outbox: the database is not even opened.
      assert.equal(existsSync(base.LATCHKEY_DB), false);
    } finally {
      await smtp.close();
    }
  });

  it("an SMTP refusal: exit 1, the server's answer in one line, never the password", async () => {
    const smtp = await startSmtp(0, { rejectRcpt: true });
    try {
      const r = await run(['mail', 'test', 'bob@example.test'], { ...base, ...smtpEnv(smtp.port) });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /mail not sent to bob@example\.test .*550/);
      assert.ok(!r.stderr.includes('pa:ss') && !r.stderr.includes('pa%3Ass'));
    } finally {
      await smtp.close();
    }
  });

  it('a server that is down: exit 1, one line', async () => {
    const r = await run(['mail', 'test', 'bob@example.test'], { ...base, ...smtpEnv(await freePort()) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^latchkey: mail not sent .*ECONNREFUSED.*\n$/);
  });

  it('without SMTP configured: says so, exit 1', async () => {
    const r = await run(['mail', 'test', 'bob@example.test'], base);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mail is not configured: set LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM/);
  });

  it('a bad LATCHKEY_SMTP_URL or LATCHKEY_MAIL_FROM is refused in one line', async () => {
    let r = await run(['mail', 'test', 'x@example.test'], {
      ...base,
      LATCHKEY_SMTP_URL: 'http://u:topsecret@example.test',
      LATCHKEY_MAIL_FROM: 'a@example.test',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /LATCHKEY_SMTP_URL must be smtp:\/\//);
    assert.ok(!r.stderr.includes('topsecret'));
    r = await run(['mail', 'test', 'x@example.test'], { ...base, LATCHKEY_SMTP_URL: 'smtp://example.test' });
    assert.match(r.stderr, /LATCHKEY_MAIL_FROM is required/);
    r = await run(['mail', 'test', 'x@example.test'], {
      ...base,
      LATCHKEY_SMTP_URL: 'smtp://example.test',
      LATCHKEY_MAIL_FROM: 'not an address',
    });
    assert.match(r.stderr, /LATCHKEY_MAIL_FROM must be an address/);
  });
});
