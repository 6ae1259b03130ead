import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import type { Locale } from '../i18n/locale.js';
import { FORGOT_PATH } from '../mail/account-mails.js';
import { mailLink, sendTemplate } from '../mail/templates.js';
import type { EmailTokenPurpose, ThrottleRule, User } from '../store/types.js';

/**
 * Email verification and email change (issue 15): single-use links mailed to the address they prove (32
 * random bytes, stored only as SHA-256), followed on `/verify-email`, which confirms on a POST.
 */

/** The page a verification or change link opens. */
export const VERIFY_EMAIL_PATH = '/verify-email';
/** How long a verification or change link works. */
export const EMAIL_LINK_SECONDS = 24 * 3600;

type MailDeps = Pick<Deps, 'config' | 'store' | 'clock' | 'sealer'>;

/** Saves a new link (voiding the user's earlier one of the same purpose); returns the token for the mail. */
async function issueLink(
  deps: MailDeps,
  userId: string,
  email: string,
  purpose: EmailTokenPurpose,
): Promise<string> {
  const token = randomToken();
  const now = deps.clock.now();
  await deps.store.emailTokens.issue({
    hash: sha256(token),
    userId,
    email,
    purpose,
    createdAt: now,
    expiresAt: now + EMAIL_LINK_SECONDS,
    usedAt: null,
  });
  return token;
}

/** Mails `user` a link that verifies their current address (a new one replaces any earlier link). */
export async function sendVerificationMail(deps: MailDeps, user: User, locale: Locale): Promise<void> {
  const token = await issueLink(deps, user.id, user.email, 'verify');
  await sendTemplate(deps, user.email, locale, {
    subject: 'mail.verify.subject',
    paragraphs: ['mail.verify.body'],
    action: { label: 'mail.verify.action', url: mailLink(deps, VERIFY_EMAIL_PATH, { token }) },
    after: ['mail.verify.expiry', 'mail.verify.notYou'],
    vars: { email: user.email },
  });
}

/**
 * An email change the user asked for (the password checked): a link to the NEW address that makes it the
 * user's once followed, and a notice to the current one. `newEmail` is normalised and checked by the caller.
 */
export async function requestEmailChange(
  deps: MailDeps,
  user: User,
  newEmail: string,
  locale: Locale,
): Promise<void> {
  const token = await issueLink(deps, user.id, newEmail, 'change');
  await sendTemplate(deps, newEmail, locale, {
    subject: 'mail.emailChange.subject',
    paragraphs: ['mail.emailChange.body'],
    action: { label: 'mail.emailChange.action', url: mailLink(deps, VERIFY_EMAIL_PATH, { token }) },
    after: ['mail.verify.expiry', 'mail.emailChange.notYou'],
    vars: { email: newEmail },
  });
  await sendEmailChangeRequestedNotice(deps, user.email, newEmail, locale);
}

/** To the current address: a change to `newEmail` was asked for; "if it wasn't you, change your password". */
export function sendEmailChangeRequestedNotice(
  deps: MailDeps,
  currentEmail: string,
  newEmail: string,
  locale: Locale,
): Promise<number> {
  return sendTemplate(deps, currentEmail, locale, {
    subject: 'mail.emailChangeRequested.subject',
    paragraphs: ['mail.emailChangeRequested.body'],
    after: ['mail.emailChangeRequested.notYou'],
    vars: { email: newEmail },
  });
}

/** To the previous address, once the change took effect. */
export function sendEmailChangedNotice(
  deps: MailDeps,
  previousEmail: string,
  newEmail: string,
  locale: Locale,
): Promise<number> {
  return sendTemplate(deps, previousEmail, locale, {
    subject: 'mail.emailChanged.subject',
    paragraphs: ['mail.emailChanged.body'],
    after: ['mail.emailChanged.notYou'],
    vars: { email: newEmail },
  });
}

/** To the owner of an address someone tried to sign up with: nothing changed; sign in, or reset the password. */
export function sendSignupExistsMail(deps: MailDeps, user: User, locale: Locale): Promise<number> {
  return sendTemplate(deps, user.email, locale, {
    subject: 'mail.signupExists.subject',
    paragraphs: ['mail.signupExists.body'],
    action: { label: 'mail.signupExists.action', url: mailLink(deps, '/login') },
    after: ['mail.signupExists.forgot', 'mail.signupExists.notYou'],
    vars: { email: user.email, forgotUrl: mailLink(deps, FORGOT_PATH) },
  });
}

/**
 * Mail sent on a user's request is limited in the database (not in memory), so no script sends mail in bulk:
 * a few at once, then waits that double. `LATCHKEY_THROTTLE=off` turns it off.
 */
export const MAIL_RULE: ThrottleRule = {
  free: 3,
  baseMs: 5 * 60_000,
  maxMs: 60 * 60_000,
  // No longer than the sign-in rules: the sweeper forgets keys idle for an hour (`SignInThrottle.prune`).
  forgetMs: 60 * 60_000,
};

/**
 * Reserves one mail (or sign-up) on every key (hashed); `allowed: false` with the wait in seconds while any waits.
 */
export async function reserveMail(
  deps: Pick<Deps, 'config' | 'store' | 'clock'>,
  keys: readonly { key: string; rule?: ThrottleRule }[],
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  if (!deps.config.throttle) return { allowed: true };
  const verdict = await deps.store.throttle.reserve(
    keys.map(({ key, rule }) => ({ key: `mail:${sha256(key)}`, rule: rule ?? MAIL_RULE })),
    deps.clock.nowMs(),
  );
  return verdict.allowed
    ? verdict
    : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)) };
}
