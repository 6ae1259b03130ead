/**
 * How a page gets its words. Every string a page shows is a key of the catalogues (views/i18n/en.ts is the
 * reference; de, fr, es, nl `satisfies Messages`). A view calls `useLang()` and writes `t('login.title')`,
 * or `rich('login.toContinue', { client: <strong>…</strong> })` where a placeholder holds markup.
 *
 * The language reaches the views through `renderPage(lang, Page, props)`: it sets the page's language, calls
 * the page and serialises it in one synchronous step, so `useLang()` anywhere inside (nested components
 * included) reads it without a prop threaded through every component. Views stay synchronous (renderPage
 * refuses a promise), and outside a render `useLang()` throws, so a view can't silently fall back to English.
 * To add a string: add the key to en.ts, then the build fails until de, fr, es and nl have it too.
 */
import type { Child } from 'hono/jsx';
import type { PasswordPolicy } from '../../src/config-password.js';
import { DEFAULT_LOCALE, type Locale } from '../../src/i18n/locale.js';
import { de } from './de.js';
import { en, type MessageKey, type Messages } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

export type { MessageKey, Messages };

export const catalogues: Readonly<Record<Locale, Messages>> = { en, de, fr, es, nl };

export interface Lang {
  locale: Locale;
  /** The local path (and query) the language switcher returns to. */
  /**
   * The local path (and query) the language switcher returns to; null on a page that answers a form and holds
   * something a plain GET would not show again (a new password's error, new recovery codes): no switcher there.
   */
  returnTo: string | null;
  /** The answer's `Retry-After`, when throttled: the "throttled" message gives the wait in words. */
  retryAfterSeconds?: number | undefined;
  /** The deployment's name, logo and stylesheets (`LATCHKEY_BRAND_*`); latchkey's own when absent. */
  brand?: PageBrand | undefined;
  /** `LATCHKEY_PASSWORD_*`: what views/password-rules.tsx shows and the `weak_password` message says. */
  passwordPolicy?: PasswordPolicy | undefined;
}

/** What the layout shows of the deployment's branding (src/http/branding.ts makes it from the configuration). */
export interface PageBrand {
  readonly name: string;
  readonly logoUrl?: string;
  readonly stylesheets: readonly string[];
}

export interface Translator extends Lang {
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** Like `t`, but a placeholder may hold markup: the parts come back as children, in the language's order. */
  rich(key: MessageKey, vars: Record<string, Child>): Child[];
  /** A date and time in the page's language, in UTC, saying so (see `dateTime`). */
  dateTime(epochSeconds: number): string;
  /** "in 2 minutes", in the page's language. */
  inDuration(seconds: number): string;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** `{name}` placeholders replaced by `vars`; one missing stays as written, visible rather than blank. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

/** The placeholders a message names, for the catalogue test. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string).sort();
}

function richFormat(template: string, vars: Record<string, Child>): Child[] {
  const parts: Child[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (!Object.hasOwn(vars, name)) continue;
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push(vars[name]);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

// Intl locales with a region, so dates read as they do in the language's main country (en: day month year).
const INTL_LOCALE: Readonly<Record<Locale, string>> = {
  en: 'en-GB',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-ES',
  nl: 'nl-NL',
};
// Made on first use (building a formatter loads ICU data, which start-up does not need); at most one each.
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();
const relativeFormats = new Map<Locale, Intl.RelativeTimeFormat>();

/**
 * A date and time in `locale`, in UTC with "UTC" written after it. The pages work without JavaScript, so they
 * never learn the browser's time zone (no header carries it): UTC, said so, is what the issue asks then.
 */
export function dateTime(locale: Locale, epochSeconds: number): string {
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    dateFormats.set(locale, f);
  }
  return `${f.format(new Date(epochSeconds * 1000))} UTC`;
}

/** A wait in words ("in 2 minutes", "dans 2 minutes"): whole minutes, or seconds under one minute. */
export function inDuration(locale: Locale, seconds: number): string {
  let f = relativeFormats.get(locale);
  if (!f) {
    f = new Intl.RelativeTimeFormat(INTL_LOCALE[locale], { numeric: 'always' });
    relativeFormats.set(locale, f);
  }
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return f.format(s, 'second');
  if (s < 3600) return f.format(Math.ceil(s / 60), 'minute');
  return f.format(Math.ceil(s / 3600), 'hour');
}

export function translator(lang: Lang): Translator {
  const m = catalogues[lang.locale];
  return {
    ...lang,
    t: (key, vars) => format(m[key], vars),
    rich: (key, vars) => richFormat(m[key], vars),
    dateTime: (epochSeconds) => dateTime(lang.locale, epochSeconds),
    inDuration: (seconds) => inDuration(lang.locale, seconds),
  };
}

/** English at the root: what a page renders in when nothing else is known (tests of a single view). */
export const defaultLang: Lang = { locale: DEFAULT_LOCALE, returnTo: '/account' };

let current: Translator | undefined;

/** The language of the page being rendered; only inside `renderPage`. */
export function useLang(): Translator {
  if (!current)
    throw new Error('useLang() outside renderPage: render views with renderPage(lang, Page, props)');
  return current;
}

/** Renders `Page(props)` in `lang` and serialises it, synchronously (see the comment at the top). */
export function renderInLang(lang: Lang, build: () => { toString(): unknown }): string {
  const previous = current;
  current = translator(lang);
  try {
    const html = build().toString();
    if (typeof html !== 'string') throw new TypeError('views must render synchronously');
    return html;
  } finally {
    current = previous;
  }
}
