import type { Client, User } from '../store/types.js';

/**
 * A client registered with `--require-verified-email` (issue 15) gets no code or token for a user whose email
 * address is not verified: the hosted `email_not_verified` page in the browser, `invalid_grant` at the token
 * endpoint. Checked only after the user has proven who they are, so it tells nothing to a guesser.
 */
export const refusesUnverified = (
  client: Pick<Client, 'requireVerifiedEmail'> | undefined,
  user: Pick<User, 'emailVerified'>,
): boolean => (client?.requireVerifiedEmail ?? false) && !user.emailVerified;

/** The `error_description` of the token endpoint's refusal (the page says it in the user's language). */
export const EMAIL_NOT_VERIFIED_DESCRIPTION =
  'this application requires a verified email address: follow the link in the verification mail, or send it again from the account page';
