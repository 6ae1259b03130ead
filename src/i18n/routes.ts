import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Deps } from '../deps.js';
import type { InteractionFlow } from '../interaction/flow.js';
import { safeReturnTo } from '../interaction/login.js';
import { localeCookieName } from './cookie.js';
import { isLocale, LOCALE_COOKIE_MAX_AGE, type Locale } from './locale.js';

export const LANGUAGE_PATH = '/language';

/**
 * `GET /language?lang=de&return_to=/login?…`: the language switcher on every page, a plain link so it works
 * without JavaScript. It only stores a preference, so a GET without CSRF token is harmless; it returns to a
 * local path only (`safeReturnTo`), never to another site. Within a sign-in started with `ui_locales`, the
 * choice also replaces that interaction's language, which would otherwise outrank the cookie.
 */
export function languageRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();
  app.get(LANGUAGE_PATH, async (c) => {
    const back = safeReturnTo(c.req.query('return_to'));
    const lang = c.req.query('lang');
    if (isLocale(lang)) {
      setCookie(c, localeCookieName(deps.config.secureCookies), lang, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: deps.config.secureCookies,
        maxAge: LOCALE_COOKIE_MAX_AGE,
      });
      await replaceInteractionLocale(c, flow, back, lang);
    }
    return c.redirect(back, 303);
  });
  return app;
}

async function replaceInteractionLocale(
  c: Parameters<InteractionFlow['load']>[0],
  flow: InteractionFlow,
  back: string,
  lang: Locale,
): Promise<void> {
  const id = new URL(back, 'http://x').searchParams.get('interaction');
  if (!id) return;
  // Another browser's or an expired interaction: nothing to change, the cookie alone applies.
  const interaction = await flow.load(c, id).catch(() => undefined);
  if (interaction?.state.kind !== 'authorize' || !interaction.state.request.uiLocale) return;
  interaction.state.request.uiLocale = lang;
  await flow.save(interaction);
}
