import { getCookie } from 'hono/cookie';
import { LOCALE_COOKIE } from './locale.js';

/** The switcher's cookie; `__Host-` under https, like the session cookies (src/http/browser.ts). */
export const localeCookieName = (secure: boolean) => (secure ? `__Host-${LOCALE_COOKIE}` : LOCALE_COOKIE);

/** The language the switcher chose, if any (either name: an http deployment moved to https keeps it). */
export function switcherLocale(c: Parameters<typeof getCookie>[0]): string | undefined {
  return getCookie(c, `__Host-${LOCALE_COOKIE}`) ?? getCookie(c, LOCALE_COOKIE);
}
