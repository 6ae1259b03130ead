import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Agent, attemptSignIn, pkce } from '../helpers/agent.js';
import { browser, json, signIn } from '../helpers/oauth.js';
import { form, type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

const htmlLang = (html: string | undefined) => /<html lang="([^"]*)"/.exec(html ?? '')?.[1];

describe('languages of the hosted pages (issue 14)', () => {
  let t: TestApp;
  let clientId: string;
  let user: { id: string; email: string; password: string };

  before(async () => {
    t = await testApp();
    clientId = (await t.addClient({ redirectUris: [CB], scopes: ['openid', 'email'] })).id;
    user = await t.addUser({});
  });
  after(() => t.close());

  function authorizeUrl(extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CB,
      scope: 'openid email',
      state: 's',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    return `/authorize?${q}`;
  }

  /** GET with extra request headers, following redirects on the issuer. */
  async function get(agent: Agent, path: string, headers: Record<string, string> = {}) {
    let url = path;
    for (let i = 0; i < 10; i++) {
      const res = await agent.request(url, { headers });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location?.startsWith('/')) {
        url = location;
        continue;
      }
      return { res, url, html: await res.text() };
    }
    throw new Error('too many redirects');
  }

  it('ui_locales=de: the login page, a failed attempt and the consent page that follow speak German', async () => {
    const agent = browser(t);
    const login = await get(agent, authorizeUrl({ ui_locales: 'ja de-AT fr' }), { 'accept-language': 'fr' });
    assert.equal(login.res.status, 200);
    assert.equal(htmlLang(login.html), 'de');
    assert.equal(login.res.headers.get('content-language'), 'de');
    assert.match(login.html, />Anmelden<\/button>/);
    assert.match(login.html, /<label for="email">E-Mail<\/label>/);

    const failed = await agent.submit(
      login.html,
      { email: user.email, password: 'wrong' },
      t.issuer + login.url,
    );
    assert.equal(failed.res?.status, 401);
    assert.match(failed.html ?? '', /role="alert"[\s\S]*E-Mail-Adresse oder Passwort ist falsch\./);

    const consent = await agent.submit(
      login.html,
      { email: user.email, password: user.password },
      t.issuer + login.url,
    );
    assert.equal(htmlLang(consent.html), 'de');
    assert.match(consent.html ?? '', /möchte auf Ihr Konto zugreifen/);
    assert.match(consent.html ?? '', /<span>Ihre Identität bestätigen<\/span>/, 'built-in scopes in German');
    assert.match(consent.html ?? '', /<span>Ihre E-Mail-Adresse<\/span>/);
    assert.match(consent.html ?? '', />Erlauben<\/button>/);
  });

  it('ui_locales on /authorize words its error page too', async () => {
    const page = await get(browser(t), '/authorize?response_type=code&ui_locales=es');
    assert.equal(page.res.status, 400);
    assert.equal(htmlLang(page.html), 'es');
    assert.match(page.html, /<h1>Algo ha salido mal<\/h1>/);
    assert.match(page.html, /Código de error: <code>invalid_client<\/code>/);
  });

  it('Accept-Language picks the language by q-value; a region falls back to its base language', async () => {
    const fr = await get(browser(t), '/login', { 'accept-language': 'ja, fr-CA;q=0.9, de;q=0.8' });
    assert.equal(htmlLang(fr.html), 'fr');
    assert.match(fr.html, />Se connecter<\/button>/);
    const de = await get(browser(t), '/device', { 'accept-language': 'de-AT' });
    assert.equal(htmlLang(de.html), 'de');
    assert.match(de.html, /<h1>Gerät verbinden<\/h1>/);
  });

  it('an unsupported language falls back to the default (English), keeping SPEC §5 names', async () => {
    const page = await get(browser(t), authorizeUrl({ ui_locales: 'pt-BR ja' }), {
      'accept-language': 'pt, ja;q=0.5',
    });
    assert.equal(htmlLang(page.html), 'en');
    assert.match(page.html, /<label for="email">Email<\/label>/);
    assert.match(page.html, /<label for="password">Password<\/label>/);
    assert.match(page.html, />Sign in<\/button>/);
  });

  it('the switcher sets a year-long HttpOnly SameSite=Lax cookie and comes back; the cookie outranks Accept-Language', async () => {
    const agent = browser(t);
    const res = await agent.request('/language?lang=nl&return_to=%2Flogin%3Freturn_to%3D%252Faccount');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/login?return_to=%2Faccount');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lk_lang=nl'));
    assert.ok(cookie, 'the language cookie');
    assert.match(cookie, /Max-Age=31536000/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    const page = await get(agent, '/login', { 'accept-language': 'fr' });
    assert.equal(htmlLang(page.html), 'nl');
    assert.match(page.html, />Inloggen<\/button>/);
    assert.match(page.html, /lang="nl" hreflang="nl" aria-current="true">Nederlands</);
  });

  it('the switcher goes back to a local path only, and ignores a language it does not have', async () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await browser(t).request(`/language?lang=de&return_to=${encodeURIComponent(target)}`);
      assert.equal(res.status, 303, target);
      assert.equal(res.headers.get('location'), '/account', target);
    }
    const agent = browser(t);
    const res = await agent.request('/language?lang=pt&return_to=/login');
    assert.equal(res.status, 303);
    assert.equal(res.headers.getSetCookie().length, 0, 'no cookie for an unknown language');
    assert.equal((await agent.request('/language?lang=de')).headers.get('location'), '/account');
  });

  it('the switcher changes the language of a sign-in that ui_locales started', async () => {
    const agent = browser(t);
    const login = await get(agent, authorizeUrl({ ui_locales: 'de' }));
    assert.equal(htmlLang(login.html), 'de');
    const link = /href="(\/language\?lang=es[^"]*)"/.exec(login.html)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(link, 'the switcher links to Spanish');
    const back = await get(agent, link);
    assert.equal(back.url, login.url, 'back on the same sign-in');
    assert.equal(htmlLang(back.html), 'es');
    assert.match(back.html, />Iniciar sesión<\/button>/);
    // Another browser can't change this browser's interaction.
    const stranger = browser(t);
    await stranger.request(`/language?lang=fr&return_to=${encodeURIComponent(login.url)}`);
    assert.equal(htmlLang((await get(agent, login.url)).html), 'es');
  });

  it('the account page writes its dates in the language, in UTC, saying so', async () => {
    const agent = browser(t);
    await signIn(agent, user);
    await agent.request('/language?lang=de&return_to=/account');
    const page = await get(agent, '/account');
    assert.equal(htmlLang(page.html), 'de');
    assert.match(page.html, /<h2 id="sessions-heading">Sitzungen<\/h2>/);
    assert.match(page.html, /Angemeldet: <time datetime="[^"]+">\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC<\/time>/);
    // A failed form on the account page keeps the language, and its switcher returns to the page itself.
    const csrf = /name="csrf" value="([^"]*)"/.exec(page.html)?.[1] ?? '';
    const res = await agent.request(
      '/account/password',
      form({ csrf, current_password: 'nope-nope-nope', new_password: 'a fresh and long passphrase' }),
    );
    assert.equal(res.status, 401);
    const html = await res.text();
    assert.equal(htmlLang(html), 'de');
    assert.match(html, /role="alert"[\s\S]*E-Mail-Adresse oder Passwort ist falsch\./);
    assert.match(html, /return_to=%2Faccount"/);
  });

  it('discovery advertises ui_locales_supported', async () => {
    const doc = await json(await t.request('/.well-known/openid-configuration'));
    assert.deepEqual(doc['ui_locales_supported'], ['en', 'de', 'fr', 'es', 'nl']);
  });
});

describe('LATCHKEY_LOCALE', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_LOCALE: 'es' });
  });
  after(() => t.close());

  it('is the language when nothing else picks one', async () => {
    const res = await t.request('/login', { headers: { 'accept-language': 'ja' } });
    const html = await res.text();
    assert.equal(htmlLang(html), 'es');
    assert.match(html, />Iniciar sesión<\/button>/);
  });
});

describe('the language switcher under an issuer with a path', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'http://localhost:3000/auth' });
  });
  after(() => t.close());

  it('links under the path and comes back under it', async () => {
    const html = await (await t.request('/auth/login')).text();
    assert.match(html, /href="\/auth\/language\?lang=de&amp;return_to=%2Flogin"/);
    const res = await t.request('/auth/language?lang=de&return_to=%2Flogin');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/auth/login');
    assert.match(res.headers.get('set-cookie') ?? '', /lk_lang=de;.*Path=\/auth/);
  });
});

describe('the language cookie under https', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ ISSUER: 'https://id.example.test' });
  });
  after(() => t.close());

  it('only the __Host- cookie counts: a plain one (planted by a sibling or over http) is ignored', async () => {
    const planted = await t.request('/login', { headers: { cookie: 'lk_lang=de' } });
    assert.equal(htmlLang(await planted.text()), 'en');
    const own = await t.request('/login', { headers: { cookie: '__Host-lk_lang=de' } });
    assert.equal(htmlLang(await own.text()), 'de');
  });
});

describe('a page that answers a form and shows what a GET would not', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('has no language switcher (switching would lose it); a failed sign-in keeps one', async () => {
    const res = await t.request('/password/set', form({ token: 'x', csrf: 'y', password: 'short' }));
    assert.doesNotMatch(await res.text(), /class="languages"/);
    const login = await attemptSignIn(browser(t), 'nobody@example.test', 'wrong-password-123');
    assert.match(await login.text(), /class="languages"/);
  });
});
