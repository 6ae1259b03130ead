import type { Context } from 'hono';
import { Hono } from 'hono';
import { type Code, PasswordSetPage, SetPasswordPage } from '../../views/index.js';
import { SET_PASSWORD_PATH } from '../admin/users.js';
import { sha256 } from '../crypto/hash.js';
import { checkPassword, hashPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { csrfToken } from '../http/browser.js';
import { requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { liveSessionHashes, queueBackchannelLogout } from '../oauth/backchannel.js';
import { OAuthError } from '../oauth/errors.js';
import type { PasswordToken, User } from '../store/types.js';

/** Longer than any token we hand out (43 characters): refused before it is hashed. */
const MAX_TOKEN_LENGTH = 100;

const invalidLink = () =>
  new OAuthError('invalid_request', 'the link has expired or was already used', { page: 'invalid_link' });

/**
 * The token rides in the page's URL, so these responses keep it out of every `Referer`. `no-referrer` would
 * do that too, but under it a browser sends `Origin: null` with the page's own form post and the CSRF check
 * refuses it (see `securityHeadersFor`); `strict-origin` sends only the origin, never the path or query.
 * @see https://www.w3.org/TR/referrer-policy/#referrer-policy-strict-origin
 */
function keepTokenPrivate(c: Context): void {
  c.header('Referrer-Policy', 'strict-origin');
}

/**
 * The page a set-password link opens (`latchkey user unlink`): choose a password with the same policy as the
 * CLI, then sign in. CSRF and page errors come from the middleware in app.ts.
 */
export function setPasswordRoutes(deps: Deps): Hono {
  const app = new Hono();

  /** A live link (its token unused and unexpired) and its user; anything else is the `invalid_link` page. */
  const liveLink = async (
    token: string | undefined,
  ): Promise<{ token: string; stored: PasswordToken; user: User }> => {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidLink();
    const stored = await deps.store.passwordTokens.find(sha256(token));
    if (!stored || stored.usedAt !== null || stored.expiresAt <= deps.clock.now()) throw invalidLink();
    const user = await deps.store.users.find(stored.userId);
    if (!user) throw invalidLink();
    return { token, stored, user };
  };

  const render = (c: Context, token: string, error?: Code) =>
    htmlPage(
      c,
      SetPasswordPage,
      { action: SET_PASSWORD_PATH, csrf: csrfToken(c, deps), token, error },
      error ? 400 : 200,
    );

  app.get(SET_PASSWORD_PATH, async (c) => {
    keepTokenPrivate(c);
    const { token } = await liveLink(c.req.query('token'));
    return render(c, token);
  });

  app.post(SET_PASSWORD_PATH, async (c) => {
    keepTokenPrivate(c);
    const form = await readForm(c);
    const { token, stored, user } = await liveLink(form.get('token'));
    const password = form.get('password') ?? '';
    // The policy of every password (`hashValidPassword`, used by the CLI): NIST length, blocklist, context.
    if (await checkPassword(password, { email: user.email }, deps.config.passwordPolicy))
      return render(c, token, 'weak_password');
    const now = deps.clock.now();
    const ending = await liveSessionHashes(deps, user.id);
    // Spends the token (if no other tab did meanwhile), sets the password, ends sessions: one unit of work.
    const redeemed = await deps.store.passwordTokens.redeem(stored.hash, await hashPassword(password), now, {
      at: now,
      type: 'password_set',
      userId: user.id,
      clientId: null,
      ...requestMeta(c),
      detail: { purpose: stored.purpose },
    });
    if (!redeemed) throw invalidLink();
    await queueBackchannelLogout(deps, ending);
    return htmlPage(c, PasswordSetPage, { signInHref: '/login' });
  });

  return app;
}
