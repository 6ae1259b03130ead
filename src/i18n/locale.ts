/**
 * Which language a hosted page speaks. The order (issue 14): `ui_locales` on `/authorize` (kept with the
 * interaction), then the language switcher's cookie, then `Accept-Language`, then `LATCHKEY_LOCALE`.
 * Tags are BCP 47; a region or script falls back to its base language (`de-AT` → `de`).
 */
export const LOCALES = ['en', 'de', 'fr', 'es', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Each language's name in itself: what the switcher shows, whatever the page's language. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  nl: 'Nederlands',
};

/** The language switcher's cookie: HttpOnly, SameSite=Lax, a year. */
export const LOCALE_COOKIE = 'lk_lang';
export const LOCALE_COOKIE_MAX_AGE = 365 * 86400;

// Bounds on what a client sends: a header or parameter longer than this is read only this far.
const MAX_HEADER = 512;
const MAX_TAGS = 20;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The supported language a BCP 47 tag names, by its primary subtag (`de-AT`, `DE` → `de`). */
export function supportedLocale(tag: string | undefined): Locale | undefined {
  const primary = tag?.trim().split(/[-_]/, 1)[0]?.toLowerCase();
  return isLocale(primary) ? primary : undefined;
}

/** OIDC Core §3.1.2.1 `ui_locales`: space-separated tags in order of preference; the first supported wins. */
export function fromUiLocales(value: string | undefined | null): Locale | undefined {
  if (!value) return undefined;
  for (const tag of value.slice(0, MAX_HEADER).split(' ').slice(0, MAX_TAGS)) {
    const locale = supportedLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** RFC 9110 §12.5.4 `Accept-Language`: the supported language with the highest q-value; ties keep their order. */
export function fromAcceptLanguage(header: string | undefined | null): Locale | undefined {
  if (!header) return undefined;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.slice(0, MAX_HEADER).split(',').slice(0, MAX_TAGS)) {
    const [tag, ...params] = part.split(';');
    const locale = supportedLocale(tag);
    if (!locale) continue;
    const qParam = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    if (!best || q > best.q) best = { locale, q };
  }
  return best?.locale;
}

export interface LocaleSources {
  /** The interaction's `ui_locales` choice, already resolved. */
  uiLocale?: Locale | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
  fallback: Locale;
}

/** The page's language, from the first source that names a supported one. */
export function negotiateLocale(s: LocaleSources): Locale {
  return (
    s.uiLocale ??
    (isLocale(s.cookie) ? s.cookie : undefined) ??
    fromAcceptLanguage(s.acceptLanguage) ??
    s.fallback
  );
}
