import type { Context } from 'hono';
import { Hono } from 'hono';
import { type Code, ForgotPage, ForgotSentPage } from '../../views/index.js';
import { checkMailableEmail } from '../admin/validate.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { csrfToken } from '../http/browser.js';
import { addressGroup, clientIp } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import type { Locale } from '../i18n/locale.js';
import {
  FORGOT_PATH,
  providerAccountMail,
  RESET_PATH,
  RESET_TTL_SECONDS,
  resetMail,
} from '../mail/account-mails.js';
import { mailLink, mailLocale, sendTemplate } from '../mail/templates.js';
import type { ThrottleRule } from '../store/types.js';
import { passwordLoginOff, safeReturnTo } from './login.js';
import { passwordLinkRoutes } from './set-password.js';

export { FORGOT_PATH, RESET_PATH };

/**
 * Reset mails per email address and requester (an IPv4 address, an IPv6 /64): 3 at once, then one after 20
 * minutes, 40, 60…; a key quiet for an hour starts again. Over it the answer is the same page, and no mail is
 * sent. Keyed by requester too, so someone who asks again and again for another's address uses up their own
 * allowance, not the owner's (README "Password reset").
 */
export const RESET_ACCOUNT_RULE: ThrottleRule = {
  free: 3,
  baseMs: 20 * 60_000,
  maxMs: 60 * 60_000,
  forgetMs: 60 * 60_000,
};
/** Reset mails per email address from everyone together: 10, then the same waits. Bounds the mail one inbox gets. */
export const RESET_INBOX_RULE: ThrottleRule = {
  free: 10,
  baseMs: 20 * 60_000,
  maxMs: 60 * 60_000,
  forgetMs: 60 * 60_000,
};
/** Reset requests per client address (an IPv4 address, an IPv6 /64): 10, then waits from 1 min to 15 min (429). */
export const RESET_ADDRESS_RULE: ThrottleRule = {
  free: 10,
  baseMs: 60_000,
  maxMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};

const accountKey = (email: string, ip: string) => `reset-acct:${sha256(`${email}\n${addressGroup(ip)}`)}`;
const inboxKey = (email: string) => `reset-inbox:${sha256(email)}`;
const addressKey = (ip: string) => `reset-addr:${sha256(addressGroup(ip))}`;

/** Longer than any interaction id: not carried. */
const MAX_INTERACTION_LENGTH = 128;

/**
 * The requests' mail work still under way, per store (so per server): tests await it (`resetMailsSettled`).
 * Each entry lives for one request's look-up and queueing, so the set stays as small as the requests in flight.
 */
const inFlight = new WeakMap<object, Set<Promise<void>>>();

/** Resolves once every reset request answered so far has done its look-up and queued its mail (if any). */
export async function resetMailsSettled(deps: Pick<Deps, 'store'>): Promise<void> {
  const tasks = inFlight.get(deps.store);
  while (tasks?.size) await Promise.allSettled([...tasks]);
}

/**
 * The work an accepted request does after its answer is built, detached from it: the per-address throttle,
 * the account look-up, the token and the mail. Nothing here changes the answer, its status or its timing, so
 * they cannot tell whether an account uses the address. Errors are logged, never thrown to the request.
 */
function detach(deps: Deps, work: () => Promise<void>): void {
  const set = inFlight.get(deps.store) ?? new Set<Promise<void>>();
  inFlight.set(deps.store, set);
  const task = new Promise<void>((resolve) => setImmediate(resolve))
    .then(work)
    .catch((err: unknown) => deps.log.error('password reset mail failed', { error: String(err) }))
    .finally(() => set.delete(task));
  set.add(task);
}

/** Looks the address up and queues the mail it gets: a reset link, the provider note, or nothing. */
async function mailReset(deps: Deps, email: string, ip: string, locale: Locale): Promise<void> {
  if (deps.config.throttle) {
    const verdict = await deps.store.throttle.reserve(
      [
        { key: accountKey(email, ip), rule: RESET_ACCOUNT_RULE },
        { key: inboxKey(email), rule: RESET_INBOX_RULE },
      ],
      deps.clock.nowMs(),
    );
    if (!verdict.allowed) {
      // The address is never logged in the clear: its key's hash prefix is enough to follow a flood.
      deps.log.info('password reset mail throttled', { address: sha256(email).slice(0, 16) });
      return;
    }
  }
  const user = await deps.store.users.findByEmail(email);
  // Unknown or disabled: no mail (the page said "if an account uses this address").
  if (!user || user.disabledAt !== null) return;
  const identity = await deps.store.identities.findByUser(user.id);
  if (identity) {
    // Signs in upstream and has no password: a note saying so, and no token.
    const provider = await deps.store.providers.find(identity.providerSlug);
    await sendTemplate(
      deps,
      user.email,
      locale,
      providerAccountMail(provider?.name ?? identity.providerSlug, mailLink(deps, '/login'), user.name),
    );
    deps.log.info('password reset: provider note queued', { user_id: user.id });
    return;
  }
  const token = randomToken();
  const now = deps.clock.now();
  await deps.store.passwordTokens.save({
    hash: sha256(token),
    userId: user.id,
    purpose: 'reset',
    createdAt: now,
    expiresAt: now + RESET_TTL_SECONDS,
    usedAt: null,
  });
  // A name typed at sign-up by whoever used the address is no greeting to its owner until the address is proven.
  const greeting = user.emailVerified ? user.name : null;
  await sendTemplate(deps, user.email, locale, resetMail(mailLink(deps, RESET_PATH, { token }), greeting));
  deps.log.info('password reset link queued', { user_id: user.id });
}

/**
 * "Forgot password?" (issue 15, SPEC §5): `GET/POST /login/forgot` asks for the address and answers every
 * well-formed one with the same page; `GET/POST /login/reset?token=` is the set-password page for a reset link
 * (30 minutes, single use, voided by any later password change). CSRF and page errors come from app.ts.
 */
export function resetRoutes(deps: Deps): Hono {
  const app = new Hono();

  /** The login page's `interaction` or `return_to`, carried through so the user can go back to it. */
  const carried = (c: Context): string => {
    const interaction = c.req.query('interaction');
    if (interaction && interaction.length <= MAX_INTERACTION_LENGTH)
      return `interaction=${encodeURIComponent(interaction)}`;
    const returnTo = c.req.query('return_to');
    return returnTo === undefined ? '' : `return_to=${encodeURIComponent(safeReturnTo(returnTo))}`;
  };
  const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

  const renderForm = (c: Context, props: { email?: string; error?: Code }, status = 200) => {
    const query = carried(c);
    return htmlPage(
      c,
      ForgotPage,
      {
        action: withQuery(FORGOT_PATH, query),
        csrf: csrfToken(c, deps),
        signInHref: withQuery('/login', query),
        email: props.email,
        error: props.error,
      },
      status,
    );
  };

  app.get(FORGOT_PATH, async (c) => {
    if (!deps.config.passwordLogin) throw passwordLoginOff();
    return renderForm(c, {});
  });

  app.post(FORGOT_PATH, async (c) => {
    if (!deps.config.passwordLogin) throw passwordLoginOff();
    const form = await readForm(c);
    const raw = (form.get('email') ?? '').slice(0, 320);
    // Per client address, before anything else: the same for every address typed, so it reveals nothing.
    if (deps.config.throttle) {
      const verdict = await deps.store.throttle.reserve(
        [{ key: addressKey(clientIp(c)), rule: RESET_ADDRESS_RULE }],
        deps.clock.nowMs(),
      );
      if (!verdict.allowed) {
        c.header('Retry-After', String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))));
        return renderForm(c, { email: raw, error: 'throttled' }, 429);
      }
    }
    let email: string;
    try {
      email = checkMailableEmail(raw);
    } catch {
      return renderForm(c, { email: raw, error: 'forgot_email_invalid' }, 400);
    }
    // The answer is decided here, before and apart from the look-up: the same page for every address.
    const answer = await htmlPage(c, ForgotSentPage, { signInHref: withQuery('/login', carried(c)) });
    const locale = mailLocale(c);
    const ip = clientIp(c);
    detach(deps, () => mailReset(deps, email, ip, locale));
    return answer;
  });

  app.route(
    '/',
    passwordLinkRoutes(deps, {
      path: RESET_PATH,
      accepts: ['reset'],
      wording: 'reset',
      needsPasswordLogin: true,
      invalidPage: 'reset_link_invalid',
    }),
  );

  return app;
}
