import { getCookie } from 'hono/cookie';
import { LOCALE_COOKIE } from './locale.js';

/** The switcher's cookie; `__Host-` under https, like the session cookies (src/http/browser.ts). */
export const localeCookieName = (secure: boolean) => (secure ? `__Host-${LOCALE_COOKIE}` : LOCALE_COOKIE);

/**
 * The language the switcher chose, if any. Under https only the `__Host-` cookie counts: a plain one may have been
 * planted by a sibling subdomain or over plain http, which is what the prefix is there to refuse.
 */
export function switcherLocale(c: Parameters<typeof getCookie>[0], secure: boolean): string | undefined {
  return getCookie(c, localeCookieName(secure));
}
