import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseMail } from '../../src/config.js';

describe('LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM', () => {
  it('nothing set: no mail', () => {
    assert.deepEqual(parseMail({}), {});
  });

  it('smtp:// and smtps://, with user and password; the display masks the password', () => {
    const a = parseMail({
      LATCHKEY_SMTP_URL: 'smtps://mailer:s3cr%40t@mail.example.test:465',
      LATCHKEY_MAIL_FROM: 'Acme <noreply@example.test>',
    });
    assert.equal(a.smtpUrl, 'smtps://mailer:s3cr%40t@mail.example.test:465');
    assert.equal(a.smtpDisplay, 'smtps://mailer:***@mail.example.test:465');
    assert.equal(a.from, 'Acme <noreply@example.test>');
    const b = parseMail({ LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:2525', LATCHKEY_MAIL_FROM: 'a@example.test' });
    assert.equal(b.smtpDisplay, 'smtp://127.0.0.1:2525');
  });

  it('anything else is refused in one line that never quotes the password', () => {
    for (const url of [
      'http://u:hunter2hunter2@mail.example.test',
      'smtp:hunter2hunter2',
      'mail.example.test:25',
      'smtp://u:hunter2hunter2@mail.example.test/path',
      'smtp://u:hunter2hunter2@mail.example.test#x',
    ]) {
      assert.throws(
        () => parseMail({ LATCHKEY_SMTP_URL: url, LATCHKEY_MAIL_FROM: 'a@example.test' }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith('LATCHKEY_SMTP_URL') &&
          !err.message.includes('hunter2') &&
          !err.message.includes('\n'),
        url,
      );
    }
  });

  it('LATCHKEY_MAIL_FROM: required with SMTP, one address', () => {
    assert.throws(
      () => parseMail({ LATCHKEY_SMTP_URL: 'smtp://mail.example.test' }),
      /LATCHKEY_MAIL_FROM is required/,
    );
    for (const from of [
      'not an address',
      'a@b',
      'a@example.test\r\nBcc: x@y.test',
      'A <a@example.test',
      'a@x.test, b@x.test',
    ])
      assert.throws(
        () => parseMail({ LATCHKEY_SMTP_URL: 'smtp://mail.example.test', LATCHKEY_MAIL_FROM: from }),
        /LATCHKEY_MAIL_FROM must be an address/,
        from,
      );
  });
});
