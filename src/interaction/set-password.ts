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
import { passwordLoginOff } from './login.js';

/** Longer than any token we hand out (43 characters): refused before it is hashed. */
const MAX_TOKEN_LENGTH = 100;

const invalidLink = (page: Code) =>
  new OAuthError('invalid_request', 'the link has expired or was already used', { page });

/**
 * The token rides in the page's URL, so these responses keep it out of every `Referer`. `no-referrer` would
 * do that too, but under it a browser sends `Origin: null` with the page's own form post and the CSRF check
 * refuses it (see `securityHeadersFor`); `strict-origin` sends only the origin, never the path or query.
 * @see https://www.w3.org/TR/referrer-policy/#referrer-policy-strict-origin
 */
function keepTokenPrivate(c: Context): void {
  c.header('Referrer-Policy', 'strict-origin');
}

/** Where a link of this kind opens, which tokens it takes, and how its page is worded. */
export interface PasswordLinkOptions {
  path: string;
  /** The token purposes this path accepts; any other is the `invalid_link` page. */
  accepts: readonly PasswordToken['purpose'][];
  /** The page's title and lead (`reset`: "Choose a new password"); the form is the same. */
  wording: 'set' | 'reset';
  /** `LATCHKEY_PASSWORD_LOGIN=off` answers the `password_login_off` page instead (the reset link). */
  needsPasswordLogin?: boolean;
  /** The page a dead link shows: `reset_link_invalid` says where to ask for a new one. */
  invalidPage: Code;
}

/**
 * The page a single-use password link opens (`latchkey user unlink`, invitations, password reset): choose a
 * password with the same policy as the CLI, then sign in. Redeeming the token sets the password, ends every
 * session and refresh token of the user and voids the user's other links (one unit of work in the store);
 * back-channel logout goes to the apps of the ended sessions. CSRF and page errors come from the middleware
 * in app.ts.
 */
export function passwordLinkRoutes(deps: Deps, options: PasswordLinkOptions): Hono {
  const app = new Hono();
  const { path } = options;

  /** A live link (its token unused and unexpired) and its user; anything else is the `invalid_link` page. */
  const liveLink = async (
    token: string | undefined,
  ): Promise<{ token: string; stored: PasswordToken; user: User }> => {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidLink(options.invalidPage);
    const stored = await deps.store.passwordTokens.find(sha256(token));
    if (
      !stored ||
      stored.usedAt !== null ||
      stored.expiresAt <= deps.clock.now() ||
      !options.accepts.includes(stored.purpose)
    )
      throw invalidLink(options.invalidPage);
    const user = await deps.store.users.find(stored.userId);
    if (!user) throw invalidLink(options.invalidPage);
    return { token, stored, user };
  };

  const render = (c: Context, token: string, error?: Code) =>
    htmlPage(
      c,
      SetPasswordPage,
      { action: path, csrf: csrfToken(c, deps), token, error, purpose: options.wording },
      error ? 400 : 200,
    );

  const allowed = () => {
    if (options.needsPasswordLogin && !deps.config.passwordLogin) throw passwordLoginOff();
  };

  app.get(path, async (c) => {
    keepTokenPrivate(c);
    allowed();
    const { token } = await liveLink(c.req.query('token'));
    return render(c, token);
  });

  app.post(path, async (c) => {
    keepTokenPrivate(c);
    allowed();
    const form = await readForm(c);
    const { token, stored, user } = await liveLink(form.get('token'));
    const password = form.get('password') ?? '';
    // The policy of every password (`hashValidPassword`, used by the CLI): NIST length, blocklist, context.
    if (
      await checkPassword(
        password,
        { email: user.email, serviceName: deps.config.brand.name },
        deps.config.passwordPolicy,
      )
    )
      return render(c, token, 'weak_password');
    const now = deps.clock.now();
    const ending = await liveSessionHashes(deps, user.id);
    // Spends the token (if no other tab did meanwhile), sets the password, ends sessions, voids the user's
    // other links: one unit of work.
    const redeemed = await deps.store.passwordTokens.redeem(stored.hash, await hashPassword(password), now, {
      at: now,
      type: 'password_set',
      userId: user.id,
      clientId: null,
      ...requestMeta(c),
      detail: { purpose: stored.purpose },
    });
    if (!redeemed) throw invalidLink(options.invalidPage);
    await queueBackchannelLogout(deps, ending);
    return htmlPage(c, PasswordSetPage, { signInHref: '/login' });
  });

  return app;
}

/** The page a set-password link opens (`latchkey user unlink`, invitations); a reset link opens `/login/reset`. */
export function setPasswordRoutes(deps: Deps): Hono {
  return passwordLinkRoutes(deps, {
    path: SET_PASSWORD_PATH,
    accepts: ['set', 'invite'],
    wording: 'set',
    // Both come from an admin (an invitation, an unlink): the admin hands out a new one.
    invalidPage: 'invalid_link',
    // A password nothing accepts would be no use (the CLI and the API refuse to invite or unlink then).
    needsPasswordLogin: true,
  });
}
