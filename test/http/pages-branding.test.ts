import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { browser } from '../helpers/oauth.js';
import { type TestApp, tempDir, testApp } from '../helpers/server.js';

const CB = 'https://partner.example.test/cb';

/** The consent page of a third-party client, as a signed-in browser reaches it. */
async function consentPage(t: TestApp, clientId: string, user: { email: string; password: string }) {
  const agent = browser(t);
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CB,
    scope: 'openid email',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const login = await agent.go(`/authorize?${q}`);
  const consent = await agent.submit(
    login.html ?? '',
    { email: user.email, password: user.password },
    login.res?.url || t.issuer,
  );
  assert.match(consent.html ?? '', /name="decision"/, 'the consent page');
  return consent;
}

/** Issue 14: the deployment's branding on every page, the client's own links on the consent page. */
describe('branding on the pages, client metadata on the consent page', () => {
  const files = tempDir('latchkey-pages-brand-');
  let t: TestApp;
  let user: { email: string; password: string };

  before(async () => {
    const logo = join(files.dir, 'logo.svg');
    writeFileSync(
      logo,
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>',
    );
    t = await testApp({
      LATCHKEY_BRAND_NAME: 'Acme Identity',
      LATCHKEY_BRAND_LOGO: logo,
      LATCHKEY_BRAND_COLOR: '#0b5d3b',
    });
    user = await t.addUser({});
  });
  after(async () => {
    await t.close();
    files.cleanup();
  });

  it('the login page: the name in the title and header, the logo, the accent stylesheet, "Keep me signed in"', async () => {
    const html = await (await t.request('/login?return_to=/account')).text();
    assert.match(html, /<title>Sign in · Acme Identity<\/title>/);
    assert.match(html, /<span class="brand-name">Acme Identity<\/span>/);
    assert.match(html, /<img class="brand-logo" src="\/assets\/brand-logo\?v=[^"]+" alt=""/);
    assert.doesNotMatch(html, /class="brand-mark"/, 'the logo replaces the built-in mark');
    assert.match(html, /<link rel="stylesheet" href="\/assets\/brand-vars\.css\?v=[^"]+"/);
    assert.match(html, /<input id="remember" name="remember" type="checkbox" value="on"\/?>/);
    assert.match(html, /<label for="remember">Keep me signed in<\/label>/);
    const de = await (await t.request('/login', { headers: { 'accept-language': 'de' } })).text();
    assert.match(de, /<label for="remember">Angemeldet bleiben<\/label>/);
  });

  it('the front door speaks the page’s language', async () => {
    const html = await (
      await t.request('/', { headers: { accept: 'text/html', 'accept-language': 'fr' } })
    ).text();
    assert.match(html, /<html lang="fr">/);
    assert.match(html, /<h1>Acme Identity<\/h1>/);
    assert.match(html, />Se connecter à votre compte</);
  });

  it('the consent page links the client’s website, privacy policy and terms; no remote logo without the opt-in', async () => {
    const client = await t.addClient({
      name: 'Partner App',
      redirectUris: [CB],
      logoUri: 'https://partner.example.test/logo.png',
      clientUri: 'https://partner.example.test/',
      policyUri: 'https://partner.example.test/privacy',
      tosUri: 'https://partner.example.test/terms',
    });
    const page = await consentPage(t, client.id, user);
    const html = page.html ?? '';
    assert.match(html, /<nav class="client-links" aria-label="About Partner App">/);
    assert.match(html, /<a href="https:\/\/partner\.example\.test\/" rel="noopener noreferrer">Website<\/a>/);
    assert.match(
      html,
      /href="https:\/\/partner\.example\.test\/privacy" rel="noopener noreferrer">Privacy policy</,
    );
    assert.match(
      html,
      /href="https:\/\/partner\.example\.test\/terms" rel="noopener noreferrer">Terms of service</,
    );
    assert.doesNotMatch(html, /logo\.png/, 'a third party’s image is not loaded without the admin’s opt-in');
    assert.match(html, /class="app-badge"/);
    assert.doesNotMatch(
      page.res?.headers.get('content-security-policy') ?? '',
      /partner\.example\.test.*img|img-src[^;]*partner/,
    );
    // No links registered: no empty navigation.
    const bare = await t.addClient({ name: 'Bare App', redirectUris: [CB] });
    assert.doesNotMatch((await consentPage(t, bare.id, user)).html ?? '', /client-links/);
  });
});

describe('the error page offers a way back', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('to the app’s registered home page when it has one, never to the unverified redirect URI', async () => {
    const client = await t.addClient({
      name: 'Shop',
      redirectUris: [CB],
      clientUri: 'https://shop.example.test/',
    });
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: 'https://evil.example/cb',
    });
    const res = await t.request(`/authorize?${q}`, { headers: { 'accept-language': 'de' } });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(
      html,
      /<a href="https:\/\/shop\.example\.test\/" rel="noopener noreferrer">Zurück zu Shop<\/a>/,
    );
    assert.doesNotMatch(html, /href="https:\/\/evil/, 'never a link to the unverified redirect URI');
  });

  it('else to the account page', async () => {
    const html = await (await t.request('/authorize?client_id=nobody')).text();
    assert.match(html, /<p class="way-back"><a href="\/account">Go to your account<\/a><\/p>/);
  });
});

describe('LATCHKEY_CLIENT_LOGOS=on', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_CLIENT_LOGOS: 'on' });
  });
  after(() => t.close());

  it('shows the client’s logo and lets exactly its origin into img-src for that page', async () => {
    const user = await t.addUser({});
    const client = await t.addClient({
      name: 'Logo App',
      redirectUris: [CB],
      logoUri: 'https://cdn.partner.example.test/logo.png',
    });
    const page = await consentPage(t, client.id, user);
    assert.match(
      page.html ?? '',
      /<img class="app-logo" src="https:\/\/cdn\.partner\.example\.test\/logo\.png" alt=""/,
    );
    const csp = page.res?.headers.get('content-security-policy') ?? '';
    assert.match(csp, /img-src 'self' data: https:\/\/cdn\.partner\.example\.test(;|$)/);
    assert.match(csp, /form-action 'self' https:\/\/partner\.example\.test/, 'the form targets stay');
    // Other pages load no third party.
    const login = await t.request('/login');
    assert.match(login.headers.get('content-security-policy') ?? '', /img-src 'self' data:;/);
  });

  it('is on or off, nothing else', () => {
    assert.throws(
      () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CLIENT_LOGOS: 'yes' }),
      (err: Error) => err instanceof ConfigError && err.message.includes('LATCHKEY_CLIENT_LOGOS'),
    );
  });
});
