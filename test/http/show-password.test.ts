import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestApp, testApp } from '../helpers/server.js';

describe('the "Show password" script: a file the CSP allows, and no inline script on the pages', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('serves /assets/show-password.js as JavaScript, cached like the stylesheet', async () => {
    const res = await t.request('/assets/show-password.js');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
    const body = await res.text();
    assert.match(body, /button\[data-password-toggle\]/);
    assert.match(body, /aria-pressed/);
  });

  it('the login page loads it by src, has no inline script, and renders the toggle hidden', async () => {
    const res = await t.request('/login', { headers: { 'accept-language': 'de' } });
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await res.text();

    const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? [];
    assert.deepEqual(scripts, ['<script src="/assets/show-password.js" defer=""></script>']);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler');

    const button = html.match(/<button type="button"[^>]*data-password-toggle[^>]*>[\s\S]*?<\/button>/)?.[0];
    assert.ok(button, 'the toggle is on the page');
    assert.match(button, /\shidden(="")?[\s>]/);
    assert.match(button, /aria-controls="password"/);
    assert.match(button, /aria-pressed="false"/);
    assert.match(button, /Passwort anzeigen/);
    assert.doesNotMatch(
      button,
      /aria-label/,
      'its name is its text: the field keeps the only "Password" label',
    );
  });
});
