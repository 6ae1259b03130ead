import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { composeMail, mailLink } from '../../src/mail/templates.js';

const config = (env: Record<string, string> = {}) =>
  loadConfig({ ISSUER: 'https://id.example.test', LATCHKEY_SECRET: 'x'.repeat(32), ...env });

describe('mail templates', () => {
  const template = (url: string, name: string) => ({
    subject: 'mail.footer' as const,
    paragraphs: ['mail.footer' as const],
    action: { label: 'mail.linkFallback' as const, url },
    vars: { name },
  });

  it('writes the link on its own line in the text, as a button and written out in the HTML, with the brand name', () => {
    const url = mailLink({ config: config() }, '/login/reset', { token: 'abc_-123' });
    assert.equal(url, 'https://id.example.test/login/reset?token=abc_-123');
    const mail = composeMail(
      { config: config({ LATCHKEY_BRAND_NAME: 'Acme ID' }) },
      'en',
      template(url, 'x'),
    );
    assert.ok(mail.text.split('\n').includes(url), 'the link stands alone on a line');
    assert.match(mail.subject, /Acme ID/);
    assert.equal(
      (mail.html.match(new RegExp(`href="${url.replace(/[?.]/g, '\\$&')}"`, 'g')) ?? []).length,
      2,
    );
    assert.match(mail.html, /^<!doctype html><html lang="en">/);
    // Nothing remote and nothing that runs: no image, no stylesheet link, no script.
    assert.doesNotMatch(mail.html, /<img|<link|<script|src=/i);
  });

  it('escapes what it is given in the HTML, and keeps the subject on one line', () => {
    const url = 'https://id.example.test/x?a=1&b="2"';
    const mail = composeMail(
      { config: config({ LATCHKEY_BRAND_NAME: 'A <b>&' }) },
      'de',
      template(url, '<script>alert(1)</script>'),
    );
    assert.doesNotMatch(mail.subject, /[\r\n]/);
    assert.doesNotMatch(mail.html, /<b>|<script>/);
    assert.match(mail.html, /&lt;b&gt;&amp;/);
    assert.match(mail.html, /href="https:\/\/id\.example\.test\/x\?a=1&amp;b=&quot;2&quot;"/);
    assert.match(mail.html, /<html lang="de">/);
  });
});
