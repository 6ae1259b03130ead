import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { type Code, SignupPage, SignupSentPage } from '../../views/index.js';
import { reserveMail, sendSignupExistsMail, sendVerificationMail } from '../account/email.js';
import { AdminError, checkMailableEmail } from '../admin/validate.js';
import { checkPassword, hashPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { csrfToken } from '../http/browser.js';
import { addressGroup, clientIp, requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { mailLocale } from '../mail/templates.js';
import { OAuthError } from '../oauth/errors.js';
import { uniqueViolation } from '../store/index.js';
import type { ThrottleRule } from '../store/types.js';
import { safeReturnTo } from './login.js';

export const SIGNUP_PATH = '/signup';

/**
 * Sign-ups per address (an IPv4 address, an IPv6 /64), counted in the database whatever the outcome: a few at
 * once, then waits that double to an hour, so no script creates accounts or sends mail in bulk. Each address
 * typed also counts (`MAIL_RULE`), so nobody floods one mailbox from many addresses.
 */
export const SIGNUP_ADDRESS_RULE: ThrottleRule = {
  free: 5,
  baseMs: 60_000,
  maxMs: 60 * 60_000,
  forgetMs: 60 * 60_000,
};

const MAX_NAME = 200;
/** A UTF-16 string with a lone surrogate cannot be stored as UTF-8 as it is. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_INTERACTION_ID = 100;

/** Self-registration is on only with `LATCHKEY_SIGNUP=on` and password sign-in (its accounts sign in with one). */
export const signupEnabled = (deps: Pick<Deps, 'config'>): boolean =>
  deps.config.signup && deps.config.passwordLogin;

/** `/signup` with the login page's `interaction` or `return_to`, so "Create account" and "Sign in" keep them. */
export function signupHref(query: {
  interaction?: string | undefined;
  returnTo?: string | undefined;
}): string {
  if (query.interaction) return `${SIGNUP_PATH}?interaction=${encodeURIComponent(query.interaction)}`;
  return `${SIGNUP_PATH}?return_to=${encodeURIComponent(safeReturnTo(query.returnTo))}`;
}

function checkName(raw: string): string | undefined {
  const name = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!name || [...name].length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(name) || LONE_SURROGATE.test(name))
    return undefined;
  return name;
}

/**
 * "Create account" (SPEC §5, `LATCHKEY_SIGNUP=on`): name, email, password. Enumeration-safe like the reset
 * form: a new address gets an unverified account and a verification mail; an address that has an account gets
 * the very same page, its owner a mail saying so, and no account is touched. The user signs in once the
 * address is verified (or before: `requireVerifiedEmail` is per client). CSRF and page errors: app.ts.
 */
export function signupRoutes(deps: Deps): Hono {
  const app = new Hono();

  const notFound = () =>
    new OAuthError('invalid_request', 'sign-up is turned off', { status: 404, page: 'not_found' });

  /** The login page's query, carried through: the interaction id (the login page loads it) or `return_to`. */
  const carried = (c: Context) => {
    const interaction = c.req.query('interaction');
    return interaction && interaction.length <= MAX_INTERACTION_ID
      ? { interaction }
      : { returnTo: safeReturnTo(c.req.query('return_to')) };
  };
  const loginHref = (c: Context) => {
    const q = carried(c);
    return q.interaction
      ? `/login?interaction=${encodeURIComponent(q.interaction)}`
      : `/login?return_to=${encodeURIComponent(q.returnTo ?? '/account')}`;
  };

  const render = (c: Context, props: { name?: string; email?: string; error?: Code }, status = 200) =>
    htmlPage(
      c,
      SignupPage,
      { action: signupHref(carried(c)), csrf: csrfToken(c, deps), signInHref: loginHref(c), ...props },
      status,
    );

  app.get(SIGNUP_PATH, (c) => {
    if (!signupEnabled(deps)) throw notFound();
    return render(c, {});
  });

  app.post(SIGNUP_PATH, async (c) => {
    if (!signupEnabled(deps)) throw notFound();
    const form = await readForm(c);
    const rawName = (form.get('name') ?? '').slice(0, 1000);
    const rawEmail = (form.get('email') ?? '').slice(0, 1000);
    const password = form.get('password') ?? '';
    const echo = { name: rawName.slice(0, MAX_NAME), email: rawEmail.slice(0, 254) };

    const name = checkName(rawName);
    if (!name) return render(c, { ...echo, error: 'invalid_name' }, 400);
    let email: string;
    try {
      email = checkMailableEmail(rawEmail);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return render(c, { ...echo, error: 'invalid_email' }, 400);
    }
    const domain = email.slice(email.lastIndexOf('@') + 1);
    // Says which domains may sign up, nothing about accounts.
    if (deps.config.signupDomains.length > 0 && !deps.config.signupDomains.includes(domain))
      return render(c, { ...echo, error: 'signup_domain' }, 400);
    if (
      await checkPassword(
        password,
        { email, serviceName: deps.config.brand.name },
        deps.config.passwordPolicy,
      )
    )
      return render(c, { ...echo, error: 'weak_password' }, 400);

    const ip = clientIp(c);
    const reserved = await reserveMail(deps, [
      { key: `signup-ip:${addressGroup(ip)}`, rule: SIGNUP_ADDRESS_RULE },
      { key: `signup-to:${email}` },
    ]);
    if (!reserved.allowed) {
      c.header('Retry-After', String(reserved.retryAfterSeconds));
      return render(c, { ...echo, error: 'throttled' }, 429);
    }

    const locale = mailLocale(c);
    // Hashed whether or not the address has an account: both answers take about the same time.
    const passwordHash = await hashPassword(password);
    const existing = await deps.store.users.findByEmail(email);
    if (existing) {
      await sendSignupExistsMail(deps, existing, locale);
    } else {
      const now = deps.clock.now();
      const id = randomUUID();
      try {
        const user = await deps.store.users.create(
          {
            id,
            email,
            // Nobody vouches for the address yet: the verification mail's link does.
            emailVerified: false,
            name,
            givenName: null,
            familyName: null,
            roles: [],
            passwordHash,
            createdAt: now,
          },
          {
            at: now,
            type: 'user_created',
            userId: id,
            clientId: null,
            ...requestMeta(c),
            detail: { via: 'signup' },
          },
        );
        await sendVerificationMail(deps, user, locale);
      } catch (err) {
        // Another request took the address between the check and the insert: the same answer.
        if (uniqueViolation(err) === undefined) throw err;
        const owner = await deps.store.users.findByEmail(email);
        if (owner) await sendSignupExistsMail(deps, owner, locale);
      }
    }
    return htmlPage(c, SignupSentPage, { email, signInHref: loginHref(c) });
  });

  return app;
}
