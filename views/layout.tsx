import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { LANGUAGE_NAMES, LOCALES } from '../src/i18n/locale.js';
import { type Code, messageFor } from './copy.js';
import { type Lang, type PageBrand, renderInLang, useLang } from './i18n/index.js';
import { weakPasswordText } from './password-rules.js';

/** latchkey's own look when the deployment configures none. */
const LATCHKEY_BRAND: PageBrand = { name: 'latchkey', stylesheets: [] };

export interface LayoutProps {
  /** The page's own title; " · <brand name>" is appended. */
  title: string;
  /** A wider card for pages with more content (the account page). */
  wide?: boolean;
  /** The language links; off on the admin console, whose words are English only. */
  languages?: boolean;
  children?: Child;
}

/**
 * The document every hosted page shares. The CSP forbids inline styles and scripts, so the only
 * styling is the external stylesheet, and the one script (the "Show password" buttons) is a file, a
 * courtesy the pages work without.
 */
export function Layout({ title, wide, languages = true, children }: LayoutProps) {
  const { locale, brand = LATCHKEY_BRAND } = useLang();
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${title} · ${brand.name}`}</title>
        <link rel="stylesheet" href="/assets/latchkey.css" />
        <script src="/assets/show-password.js" defer />
        {brand.stylesheets.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
      </head>
      <body>
        <div class="page">
          <header class="brand">
            {/* The name is written beside it, so the logo itself says nothing more to a screen reader. */}
            {brand.logoUrl ? (
              <img class="brand-logo" src={brand.logoUrl} alt="" width="28" height="28" />
            ) : (
              <BrandMark />
            )}
            <span class="brand-name">{brand.name}</span>
          </header>
          <main class={wide ? 'card card-wide' : 'card'}>{children}</main>
          {languages && <LanguageSwitcher />}
        </div>
      </body>
    </html>
  );
}

/**
 * Renders a page in `lang` and serialises it. The page is called here, not by the caller, so its words
 * come from `useLang()` (views/i18n/index.ts). Views are synchronous, so this never awaits.
 */
export function renderPage<P>(lang: Lang, Page: (props: P) => JSX.Element, props: P): string {
  return '<!doctype html>' + renderInLang(lang, () => Page(props));
}

/**
 * Links to every language, each written in itself: they work without JavaScript. `/language` sets the
 * cookie and comes back to this page (src/i18n/routes.ts).
 */
function LanguageSwitcher() {
  const { locale, returnTo, t } = useLang();
  if (returnTo === null) return null;
  // Plain links, not a list: the pages' list items are their content (SPEC §5 counts the consent page's). Written
  // as one string: five links on every page view, built and escaped as elements, cost more than the rest of it.
  const back = encodeURIComponent(returnTo);
  const links = LOCALES.map(
    (l) =>
      `<a href="/language?lang=${l}&amp;return_to=${back}" lang="${l}" hreflang="${l}"${l === locale ? ' aria-current="true"' : ''}>${LANGUAGE_NAMES[l]}</a>`,
  ).join('');
  return raw(`<nav class="languages" aria-label="${escapeAttribute(t('layout.language'))}">${links}</nav>`);
}

/** `&`, `<`, `>` and `"` escaped, for a value written into a double-quoted attribute by hand. */
const escapeAttribute = (value: string) =>
  value.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch] as string);

function BrandMark() {
  return (
    <svg class="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path
        d="M16 7.5a5 5 0 0 0-5 5v2.5h-.5A1.5 1.5 0 0 0 9 16.5v7A1.5 1.5 0 0 0 10.5 25h11a1.5 1.5 0 0 0 1.5-1.5v-7a1.5 1.5 0 0 0-1.5-1.5H21v-2.5a5 5 0 0 0-5-5Zm-3 5a3 3 0 0 1 6 0V15h-6v-2.5Zm3 6a1.5 1.5 0 0 1 .75 2.8V23h-1.5v-1.7A1.5 1.5 0 0 1 16 18.5Z"
        fill="#fff"
      />
    </svg>
  );
}

/** The CSRF token every form carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

/** Hidden inputs that carry parameters through a form unchanged. */
export function HiddenFields({ fields }: { fields: Record<string, string> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/** A failed form's message (SPEC §5: an element with role="alert"). */
export function ErrorAlert({ code, id }: { code?: Code | undefined; id?: string }) {
  const lang = useLang();
  const { t, retryAfterSeconds, inDuration } = lang;
  if (!code) return null;
  const text =
    code === 'throttled' && retryAfterSeconds
      ? t('throttled.wait', { wait: inDuration(retryAfterSeconds) })
      : code === 'weak_password'
        ? weakPasswordText(lang)
        : t(code);
  return (
    <div class="alert alert-error" role="alert" id={id}>
      <AlertIcon />
      <p>{text}</p>
    </div>
  );
}

/**
 * The attributes of a field a failed form's message is about: `aria-invalid`, and the message (the
 * `ErrorAlert` with id `alertId`) first among its descriptions, so a screen reader says why on the field.
 */
export function fieldState(failed: boolean, alertId: string, ...hints: string[]) {
  const describedBy = [...(failed ? [alertId] : []), ...hints].join(' ');
  return {
    ...(failed ? { 'aria-invalid': 'true' as const } : {}),
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
  };
}

/** A success message; takes a known code or ready-made text. */
export function Notice({ text }: { text?: string | undefined }) {
  const { locale } = useLang();
  if (!text) return null;
  return (
    <div class="alert alert-success" role="status">
      <CheckIcon />
      <p>{messageFor(text, locale) ?? text}</p>
    </div>
  );
}

function AlertIcon() {
  return (
    <svg class="alert-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        fill-rule="evenodd"
        d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-4.75a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0V6a.75.75 0 0 1 .75-.75ZM10 15a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
      />
    </svg>
  );
}

export function CheckIcon({ class: className = 'alert-icon' }: { class?: string }) {
  return (
    <svg class={className} viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        fill-rule="evenodd"
        d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm3.86-9.86a.75.75 0 0 0-1.22-.88l-3.24 4.5-1.6-1.6a.75.75 0 1 0-1.06 1.06l2.22 2.22a.75.75 0 0 0 1.14-.09l3.76-5.21Z"
      />
    </svg>
  );
}
