import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsx } from 'hono/jsx';
import { loadConfig } from '../../src/config.js';
import {
  fromAcceptLanguage,
  fromUiLocales,
  LOCALES,
  negotiateLocale,
  supportedLocale,
} from '../../src/i18n/locale.js';
import { BUILTIN_SCOPES } from '../../src/oauth/scope.js';
import { isCode, messageFor } from '../../views/copy.js';
import { en } from '../../views/i18n/en.js';
import { catalogues, dateTime, format, inDuration, placeholders, useLang } from '../../views/i18n/index.js';
import { ErrorPage, LoginPage, renderPage } from '../../views/index.js';

describe('message catalogues', () => {
  const keys = Object.keys(en) as (keyof typeof en)[];

  it('have every key, non-empty, with the same placeholders, in every language', () => {
    assert.deepEqual(Object.keys(catalogues).sort(), [...LOCALES].sort());
    for (const locale of LOCALES) {
      const m = catalogues[locale];
      assert.deepEqual(Object.keys(m).sort(), [...keys].sort(), `${locale}: the same keys as en`);
      for (const key of keys) {
        const text = m[key];
        assert.equal(typeof text, 'string', `${locale}.${key}`);
        assert.ok(text.trim().length > 0, `${locale}.${key} is empty`);
        assert.deepEqual(placeholders(text), placeholders(en[key]), `${locale}.${key}: placeholders`);
      }
    }
  });

  it('are translated: a page string left in English is a catalogue bug (names that read alike excepted)', () => {
    // "Code", "Sessions", "Website": the same word in some languages
    const same = new Set(['device.code', 'sessions.heading', 'consent.website']);
    for (const locale of LOCALES.filter((l) => l !== 'en'))
      for (const key of Object.keys(en) as (keyof typeof en)[])
        if (!same.has(key))
          assert.notEqual(catalogues[locale][key], en[key], `${locale}.${key} is still English`);
  });

  it('use the house terms for signing in and out in every language', () => {
    const signIn = {
      en: 'Sign in',
      de: 'Anmelden',
      fr: 'Se connecter',
      es: 'Iniciar sesión',
      nl: 'Inloggen',
    };
    const signOut = {
      en: 'Sign out',
      de: 'Abmelden',
      fr: 'Se déconnecter',
      es: 'Cerrar sesión',
      nl: 'Uitloggen',
    };
    for (const locale of LOCALES) {
      assert.equal(catalogues[locale]['login.submit'], signIn[locale]);
      assert.equal(catalogues[locale]['logout.submit'], signOut[locale]);
    }
  });

  it('word every built-in scope and every code', () => {
    for (const s of BUILTIN_SCOPES) {
      const key = `scope.${s.name}` as keyof typeof en;
      assert.equal(en[key], s.description, `scope.${s.name} is the built-in description`);
    }
    assert.equal(isCode('invalid_credentials'), true);
    assert.equal(isCode('login.title'), false, 'a page string is not a code');
    assert.equal(messageFor('invalid_credentials', 'de'), 'E-Mail-Adresse oder Passwort ist falsch.');
    assert.equal(messageFor('no_such_code', 'de'), undefined);
  });

  it('format placeholders, leaving an unknown one visible', () => {
    assert.equal(format('Link {provider}', { provider: 'Google' }), 'Link Google');
    assert.equal(format('{a} and {b}', { a: 1 }), '1 and {b}');
  });
});

describe('language negotiation', () => {
  it('takes the primary subtag of a BCP 47 tag', () => {
    assert.equal(supportedLocale('de-AT'), 'de');
    assert.equal(supportedLocale('FR-ca'), 'fr');
    assert.equal(supportedLocale('zh-Hant'), undefined);
    assert.equal(supportedLocale(''), undefined);
  });

  it('ui_locales: the first supported of the space-separated list wins', () => {
    assert.equal(fromUiLocales('ja de-CH fr'), 'de');
    assert.equal(fromUiLocales('ja zh'), undefined);
    assert.equal(fromUiLocales(undefined), undefined);
  });

  it('Accept-Language: the highest q-value wins, q=0 never, ties keep their order', () => {
    assert.equal(fromAcceptLanguage('ja, fr;q=0.5, nl;q=0.9'), 'nl');
    assert.equal(fromAcceptLanguage('de;q=0, es;q=0.1'), 'es');
    assert.equal(fromAcceptLanguage('es-MX, nl'), 'es');
    assert.equal(fromAcceptLanguage('*'), undefined);
    assert.equal(fromAcceptLanguage('fr;q=abc'), undefined);
    assert.equal(fromAcceptLanguage(`${'x-'.repeat(5000)}, de`), undefined, 'read only so far');
  });

  it('orders the sources: ui_locales, cookie, Accept-Language, default', () => {
    assert.equal(
      negotiateLocale({ uiLocale: 'de', cookie: 'fr', acceptLanguage: 'es', fallback: 'en' }),
      'de',
    );
    assert.equal(negotiateLocale({ cookie: 'fr', acceptLanguage: 'es', fallback: 'en' }), 'fr');
    assert.equal(negotiateLocale({ cookie: 'xx', acceptLanguage: 'es', fallback: 'en' }), 'es');
    assert.equal(negotiateLocale({ acceptLanguage: 'ja', fallback: 'nl' }), 'nl');
  });

  it('LATCHKEY_LOCALE: a supported language, else refused at start with one line', () => {
    const base = { LATCHKEY_DB: ':memory:', LATCHKEY_SECRET: 'test-secret-test-secret-test-secret' };
    assert.equal(loadConfig(base).locale, 'en');
    assert.equal(loadConfig({ ...base, LATCHKEY_LOCALE: 'NL' }).locale, 'nl');
    assert.throws(
      () => loadConfig({ ...base, LATCHKEY_LOCALE: 'pt' }),
      (err: Error) =>
        err.name === 'ConfigError' &&
        err.message === 'LATCHKEY_LOCALE must be one of en, de, fr, es, nl, got "pt"' &&
        !err.message.includes('\n'),
    );
  });
});

describe('rendering in a language', () => {
  it('sets <html lang> and the words; the same page in English keeps SPEC §5 names', () => {
    const props = { action: '/login', csrf: 'x', providers: [{ name: 'Google', href: '/g' }] };
    const de = renderPage({ locale: 'de', returnTo: '/login' }, LoginPage, props);
    assert.match(de, /<html lang="de">/);
    assert.match(de, />Anmelden<\/button>/);
    assert.match(de, /Weiter mit Google/);
    const enPage = renderPage({ locale: 'en', returnTo: '/login' }, LoginPage, props);
    assert.match(enPage, /<html lang="en">/);
    assert.match(enPage, /<label for="email">Email<\/label>/);
    assert.match(enPage, /<label for="password">Password<\/label>/);
    assert.match(enPage, />Sign in<\/button>/);
    assert.match(enPage, /Continue with Google/);
  });

  it('links every language, each in itself, back to the page', () => {
    const html = renderPage({ locale: 'fr', returnTo: '/login?interaction=a&b' }, ErrorPage, {
      code: 'csrf',
    });
    assert.match(html, /<nav class="languages" aria-label="Langue">/);
    for (const [l, name] of [
      ['en', 'English'],
      ['de', 'Deutsch'],
      ['nl', 'Nederlands'],
    ])
      assert.match(
        html,
        new RegExp(
          `href="/language\\?lang=${l}&amp;return_to=%2Flogin%3Finteraction%3Da%26b" lang="${l}" hreflang="${l}"[^>]*>${name}<`,
        ),
      );
    assert.match(html, /lang="fr" hreflang="fr" aria-current="true">Français</);
    assert.match(html, /Ce formulaire a expiré/);
    assert.match(html, /Code d’erreur : <code>csrf<\/code>/);
  });

  it('refuses useLang() outside a render, and a view that is not synchronous', () => {
    assert.throws(() => useLang(), /outside renderPage/);
    const Async = () => jsx('p', {}, Promise.resolve('later')) as never;
    assert.throws(() => renderPage({ locale: 'en', returnTo: '/' }, Async, {}), /synchronously/);
  });

  it('writes dates in the language, in UTC, saying so; waits in words', () => {
    const at = Date.UTC(2026, 2, 5, 14, 7) / 1000;
    assert.equal(dateTime('en', at), '5 Mar 2026, 14:07 UTC');
    assert.match(dateTime('de', at), /^05\.03\.2026, 14:07 UTC$/);
    assert.match(dateTime('fr', at), /^5 mars 2026.*14:07 UTC$/);
    assert.equal(inDuration('en', 90), 'in 2 minutes');
    assert.equal(inDuration('de', 120), 'in 2 Minuten');
    assert.equal(inDuration('fr', 30), 'dans 30 secondes');
    assert.equal(inDuration('nl', 3600), 'over 1 uur');
  });
});
