import type { Context } from 'hono';
import { Hono } from 'hono';
import { EmailVerifiedPage, VerifyEmailPage } from '../../views/index.js';
import { sendEmailChangedNotice, VERIFY_EMAIL_PATH } from '../account/email.js';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { csrfToken } from '../http/browser.js';
import { requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { mailLocale } from '../mail/templates.js';
import { OAuthError } from '../oauth/errors.js';
import type { EmailToken } from '../store/types.js';

/** Longer than any token we hand out (43 characters): refused before it is hashed. */
const MAX_TOKEN_LENGTH = 100;

const invalidLink = () =>
  new OAuthError('invalid_request', 'the link has expired or was already used', {
    page: 'email_link_invalid',
  });

/** The token rides in the URL: `strict-origin` keeps it out of every `Referer` (see set-password.ts). */
function keepTokenPrivate(c: Context): void {
  c.header('Referrer-Policy', 'strict-origin');
}

/**
 * `GET /verify-email?token=` (SPEC §4): the link of a verification or email-change mail. The GET only shows
 * a page with one button; the POST confirms. Mail scanners fetch links before the user does, and a GET that
 * confirmed would let them verify an address nobody read. CSRF and page errors: the middleware in app.ts.
 */
export function verifyEmailRoutes(deps: Deps): Hono {
  const app = new Hono();

  /** A live link (unused, unexpired); anything else is the `invalid_link` page. */
  const liveLink = async (token: string | undefined): Promise<EmailToken> => {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidLink();
    const stored = await deps.store.emailTokens.find(sha256(token));
    if (!stored || stored.usedAt !== null || stored.expiresAt <= deps.clock.now()) throw invalidLink();
    return stored;
  };

  app.get(VERIFY_EMAIL_PATH, async (c) => {
    keepTokenPrivate(c);
    const token = c.req.query('token');
    const stored = await liveLink(token);
    return htmlPage(c, VerifyEmailPage, {
      action: VERIFY_EMAIL_PATH,
      csrf: csrfToken(c, deps),
      token: token as string,
      email: stored.email,
      purpose: stored.purpose,
    });
  });

  app.post(VERIFY_EMAIL_PATH, async (c) => {
    keepTokenPrivate(c);
    const form = await readForm(c);
    const stored = await liveLink(form.get('token'));
    const now = deps.clock.now();
    const result = await deps.store.emailTokens.confirm(stored.hash, now, {
      at: now,
      type: stored.purpose === 'change' ? 'email_changed' : 'email_verified',
      userId: stored.userId,
      clientId: null,
      ...requestMeta(c),
      detail: null,
    });
    if (result.status === 'taken')
      throw new OAuthError('invalid_request', 'the address belongs to another account now', {
        page: 'email_taken',
      });
    if (result.status !== 'confirmed') throw invalidLink();
    if (result.purpose === 'change' && result.previousEmail !== result.email)
      await sendEmailChangedNotice(deps, result.previousEmail, result.email, mailLocale(c));
    return htmlPage(c, EmailVerifiedPage, {
      email: result.email,
      purpose: result.purpose,
      continueHref: '/account',
    });
  });

  return app;
}
