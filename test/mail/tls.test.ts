import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../cli/run.js';
import { tempDir } from '../helpers/server.js';
import { SMTP_PASSWORD, SMTP_USER, startSmtp } from '../helpers/smtp.js';

/**
 * `LATCHKEY_SMTP_URL` over TLS, against a real SMTP server on loopback with a self-signed certificate (made by
 * Debian's openssl): `smtps://` is TLS from the start, `smtp://` upgrades with STARTTLS when the server offers
 * it. The certificate is checked: trusted through NODE_EXTRA_CA_CERTS (how an admin trusts a private CA), and
 * refused without it. Run through the CLI's `mail test`, which sends the way the server's sender does.
 */
describe('mail over TLS (smtps:// and STARTTLS, real server, real certificate check)', () => {
  const { dir, cleanup } = tempDir();
  let key = '';
  let cert = '';
  const certFile = join(dir, 'smtp-cert.pem');
  const base = {
    LATCHKEY_DB: join(dir, 'latchkey.db'),
    LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    LATCHKEY_MAIL_FROM: 'noreply@example.test',
  };
  const auth = `${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}`;

  before(() => {
    const keyFile = join(dir, 'smtp-key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(keyFile, 'utf8');
    cert = readFileSync(certFile, 'utf8');
  });
  after(cleanup);

  for (const implicit of [true, false]) {
    const scheme = implicit ? 'smtps' : 'smtp';
    const what = implicit ? 'smtps:// (implicit TLS)' : 'smtp:// with STARTTLS offered';

    it(`${what}: the mail goes out encrypted, the password only inside TLS`, async () => {
      const smtp = await startSmtp(0, { tls: { key, cert, implicit } });
      try {
        const r = await run(['mail', 'test', 'tls@example.test'], {
          ...base,
          LATCHKEY_SMTP_URL: `${scheme}://${auth}@127.0.0.1:${smtp.port}`,
          NODE_EXTRA_CA_CERTS: certFile,
        });
        assert.equal(r.code, 0, r.stderr);
        const mail = await smtp.waitFor('tls@example.test');
        assert.equal(mail.secure, true, 'the session was TLS');
        assert.equal(mail.user, SMTP_USER, 'authenticated');
      } finally {
        await smtp.close();
      }
    });

    it(`${what}: a certificate nobody vouches for is refused, nothing sent`, async () => {
      const smtp = await startSmtp(0, { tls: { key, cert, implicit } });
      try {
        const r = await run(['mail', 'test', 'tls@example.test'], {
          ...base,
          LATCHKEY_SMTP_URL: `${scheme}://${auth}@127.0.0.1:${smtp.port}`,
        });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /certificate/i);
        assert.doesNotMatch(r.stderr, /pa:ss|pa%3Ass/, 'never the password');
        assert.equal(smtp.received.length, 0);
      } finally {
        await smtp.close();
      }
    });
  }
});
