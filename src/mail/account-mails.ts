import type { MailTemplate } from './templates.js';

/**
 * The password-reset mails (issue 15): the reset link, or, for a user who signs in through an upstream
 * provider and has no password, a note saying so with a link to the sign-in page (and no token at all).
 */

/** The "Forgot password?" form: the reset page links here, and so does the "you already have an account" mail. */
export const FORGOT_PATH = '/login/forgot';
/** The page a reset link opens (`?token=…`). */
export const RESET_PATH = '/login/reset';

/** How long a reset link works: 30 minutes (the mail says so). */
export const RESET_TTL_SECONDS = 30 * 60;

const greeting = (name: string | null | undefined) =>
  name ? ('mail.reset.greeting' as const) : ('mail.reset.greetingAnon' as const);

/** The reset mail: `url` is the single-use `/login/reset?token=…` link; `name` the greeting's, if known. */
export function resetMail(url: string, name: string | null | undefined): MailTemplate {
  return {
    subject: 'mail.reset.subject',
    paragraphs: [greeting(name), 'mail.reset.body'],
    action: { label: 'mail.reset.action', url },
    after: ['mail.reset.expiry', 'mail.reset.notYou'],
    vars: { name: name ?? '' },
  };
}

/** To a user linked to `provider` (its display name): no password to reset; `loginUrl` is the sign-in page. */
export function providerAccountMail(
  provider: string,
  loginUrl: string,
  name: string | null | undefined,
): MailTemplate {
  return {
    subject: 'mail.reset.provider.subject',
    paragraphs: [greeting(name), 'mail.reset.provider.body'],
    action: { label: 'mail.reset.provider.action', url: loginUrl },
    after: ['mail.reset.provider.notYou'],
    vars: { name: name ?? '', provider },
  };
}
