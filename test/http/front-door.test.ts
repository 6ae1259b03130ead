import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CSP } from '../../src/http/security.js';
import { type TestApp, testApp } from '../helpers/server.js';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Issue 14: `GET /` is a front door, not a 404 — a page for a browser, a pointer for an API client. */
describe('the front door (GET /)', () => {
  let t: TestApp;
  let branded: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'https://id.example.test' });
    branded = await testApp({ ISSUER: 'https://id.example.test/auth', LATCHKEY_BRAND_NAME: 'Acme <ID>' });
  });
  after(async () => {
    await t.close();
    await branded.close();
  });

  it('a browser gets a small page: the deployment’s name and a link to sign in to the account', async () => {
    const res = await t.request('/', { headers: HTML });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('content-security-policy'), CSP, 'the strict CSP, unchanged');
    assert.match(res.headers.get('vary') ?? '', /accept/i);
    const html = await res.text();
    assert.match(html, /<h1>latchkey<\/h1>/);
    assert.match(html, /<a class="button button-primary" href="\/account">Sign in to your account<\/a>/);
    assert.doesNotMatch(html, /<form/, 'nothing else on it');
  });

  it('the page says the configured name, escaped; under an issuer path its link is too', async () => {
    const res = await branded.request('/auth/', { headers: HTML });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1>Acme &lt;ID&gt;<\/h1>/);
    assert.match(html, /href="\/auth\/account"/);
  });

  it('an API client gets JSON that points at the discovery document', async () => {
    for (const accept of [undefined, 'application/json', '*/*', 'text/plain']) {
      const res = await t.request('/', accept ? { headers: { accept } } : {});
      assert.equal(res.status, 200, String(accept));
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), {
        issuer: 'https://id.example.test',
        discovery: 'https://id.example.test/.well-known/openid-configuration',
      });
    }
    const under = await branded.request('/auth', { headers: { accept: 'application/json' } });
    assert.deepEqual(await under.json(), {
      issuer: 'https://id.example.test/auth',
      discovery: 'https://id.example.test/auth/.well-known/openid-configuration',
    });
  });

  it('the discovery document it points at is there', async () => {
    const { discovery } = (await (await t.request('/')).json()) as { discovery: string };
    const res = await t.request(new URL(discovery).pathname);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { issuer: string }).issuer, 'https://id.example.test');
  });

  it('HEAD answers as GET does, without a body; other methods are a 405 naming GET', async () => {
    const head = await t.request('/', { method: 'HEAD', headers: HTML });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await head.text(), '');
    const post = await t.request('/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.match(post.headers.get('allow') ?? '', /\bGET\b/);
  });
});
