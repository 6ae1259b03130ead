import type { Context, MiddlewareHandler } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage, type Lang, renderPage } from '../../views/index.js';
import type { PasswordPolicy } from '../config-password.js';
import { switcherLocale } from '../i18n/cookie.js';
import { DEFAULT_LOCALE, type Locale, negotiateLocale } from '../i18n/locale.js';
import { OAuthError } from '../oauth/errors.js';

/** How an error reaches the user: set by a route; JSON unless it says otherwise. */
export type ErrorMode =
  | { kind: 'json' }
  | { kind: 'page' }
  | { kind: 'redirect'; respond: (err: OAuthError) => Response | Promise<Response> };

declare module 'hono' {
  interface ContextVariableMap {
    errorMode: ErrorMode;
    /** `ui_locales` from `/authorize`, kept with the interaction (set where the interaction is read). */
    uiLocale: Locale | undefined;
    /** `LATCHKEY_LOCALE` and whether cookies are `__Host-` (https), set for every request in app.ts. */
    pageDefaults: { locale: Locale; secureCookies: boolean; passwordPolicy?: PasswordPolicy };
    /** The app the error page may lead back to: its registered home page (`client_uri`), never a redirect URI. */
    wayBack: { href: string; app: string } | undefined;
  }
}

/**
 * The error page may offer "Back to <app>": the client's registered home page is a safe place to send the user
 * (a URI the admin registered, not one from the request), unlike an unverified `redirect_uri`.
 */
export function offerWayBack(c: Context, client: { name: string; clientUri?: string | null }): void {
  if (client.clientUri) c.set('wayBack', { href: client.clientUri, app: client.name });
}

/**
 * The page's language (src/i18n/locale.ts: `ui_locales`, the switcher's cookie, `Accept-Language`,
 * `LATCHKEY_LOCALE`) and where the switcher comes back to: this page, or for a form's answer the page
 * the form is on (the account page's forms post to their own paths).
 */
export function pageLang(c: Context): Lang {
  const locale = negotiateLocale({
    uiLocale: c.get('uiLocale'),
    cookie: switcherLocale(c, c.get('pageDefaults')?.secureCookies ?? false),
    acceptLanguage: c.req.header('accept-language'),
    fallback: c.get('pageDefaults')?.locale ?? DEFAULT_LOCALE,
  });
  const url = new URL(c.req.url);
  const here = `${url.pathname}${url.search}`;
  // A form's answer: the account page's forms come back to the account page; a sign-in's failed attempt to its
  // page (its query holds the interaction); any other (a new password, recovery codes) shows what a GET would not
  // show again, so it gets no switcher.
  const returnTo =
    c.req.method === 'GET'
      ? here
      : url.pathname.startsWith('/account')
        ? '/account'
        : url.pathname === '/login' || url.pathname === '/login/mfa' || url.pathname === '/device'
          ? here
          : null;
  // A throttled answer says the wait in words: the same number as its `Retry-After` header, set before.
  const retryAfter = Number(c.res.headers.get('retry-after'));
  const brand = c.get('branding');
  const passwordPolicy = c.get('pageDefaults')?.passwordPolicy;
  return {
    locale,
    returnTo,
    ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    ...(brand ? { brand } : {}),
    ...(passwordPolicy ? { passwordPolicy } : {}),
  };
}

/** Errors on these routes are the hosted error page (until a handler verifies a redirect URI). */
export function pageErrors(): MiddlewareHandler {
  return async function pageErrors(c, next) {
    c.set('errorMode', { kind: 'page' });
    await next();
  };
}

/** Errors from here on go to `respond` (a verified redirect URI, RFC 6749 §4.1.2.1). */
export function redirectErrors(c: Context, respond: (err: OAuthError) => Response | Promise<Response>): void {
  c.set('errorMode', { kind: 'redirect', respond });
}

/** Thrown by a guard to send the browser elsewhere (see `requireSession`); `app.onError` answers 303. */
export class Redirect extends Error {
  override name = 'Redirect';
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}

/** A hosted page in the request's language: `Page(props)` is called while rendering (views/i18n). */
export function htmlPage<P>(c: Context, Page: (props: P) => JSX.Element, props: P, status = 200): Response {
  c.header('Cache-Control', 'no-store');
  const lang = pageLang(c);
  c.header('Content-Language', lang.locale);
  return c.html(renderPage(lang, Page, props), status as 200);
}

/** The hosted error page: its stable code is the error's page code, else the OAuth error; `detail` never shows. */
export function errorPage(c: Context, err: OAuthError): Response {
  const status = err.status >= 500 || [403, 404, 405, 429].includes(err.status) ? err.status : 400;
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  const back = c.get('wayBack');
  return htmlPage(
    c,
    ErrorPage,
    { code: err.page ?? err.error, description: err.description, ...(back ? { back } : {}) },
    status,
  );
}

/** RFC 6749 §5.2: the JSON error, with the headers the middleware set (security headers, `no-store`). */
export function errorJson(c: Context, err: OAuthError): Response {
  return c.body(JSON.stringify(err.toJSON()), err.status as ContentfulStatusCode, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...err.headers,
  });
}

/** The three renderers, chosen in one place. */
export function renderError(c: Context, err: OAuthError): Response | Promise<Response> {
  const mode = c.get('errorMode') ?? { kind: 'json' };
  if (mode.kind === 'redirect') return mode.respond(err);
  if (mode.kind === 'page') return errorPage(c, err);
  return errorJson(c, err);
}

export { OAuthError };
