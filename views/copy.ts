import type { Locale } from '../src/i18n/locale.js';
import { en, type MessageKey } from './i18n/en.js';
import { catalogues } from './i18n/index.js';

/**
 * Every message a hosted page can show for a stable code. Handlers return a `Code`; the words live in
 * the catalogues (views/i18n/*.ts, the bare keys), and a code without words there fails the build.
 */
export type Code =
  // sign-in and MFA
  | 'invalid_credentials'
  | 'account_disabled'
  | 'throttled'
  | 'invalid_code'
  | 'too_many_codes'
  | 'csrf'
  | 'interaction_expired'
  | 'login_required'
  | 'consent_required'
  // /authorize page errors and OAuth error codes shown on pages
  | 'invalid_client'
  | 'invalid_redirect_uri'
  | 'invalid_request'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'access_denied'
  // upstream sign-in (SPEC §4)
  | 'email_used'
  | 'email_unverified'
  | 'provider_disabled'
  | 'provider_error'
  | 'state_mismatch'
  | 'identity_used'
  | 'password_login_off'
  // passwords
  | 'weak_password'
  | 'password_mismatch'
  | 'invalid_link'
  | 'reset_link_invalid'
  | 'email_link_invalid'
  | 'link_needs_verified_email'
  // password reset (issue 15)
  | 'forgot_email_invalid'
  // a client that requires a verified email address (issue 15)
  | 'email_not_verified'
  // device flow (RFC 8628)
  | 'invalid_user_code'
  | 'expired_user_code'
  // generic
  | 'server_error'
  | 'not_found'
  // the admin console (issue 17)
  | 'admin_forbidden'
  // account page notices (not errors)
  | 'app_revoked'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_codes_regenerated'
  | 'second_factor_confirmed'
  | 'provider_linked'
  | 'session_signed_out'
  | 'password_changed'
  // email verification, email change and sign-up (issue 15)
  | 'invalid_email'
  | 'invalid_name'
  | 'signup_domain'
  | 'email_taken'
  | 'email_unchanged'
  | 'email_managed'
  | 'verification_sent'
  | 'email_change_sent';

/** The catalogue's keys without a dot are the codes (page strings are `page.name`). */
type CodeKey = Exclude<MessageKey, `${string}.${string}`>;
// Both ways, or the build fails here: every code has words, and every bare catalogue key is a code.
export const codesMatchCatalogue: [Code] extends [CodeKey]
  ? [CodeKey] extends [Code]
    ? true
    : never
  : never = true;

const codeKeys: ReadonlySet<string> = new Set(Object.keys(en).filter((k) => !k.includes('.')));

export function isCode(value: string): value is Code {
  return codeKeys.has(value);
}

/** The message for a code in `locale` (English unless told), or `undefined` for a code this file doesn't know. */
export function messageFor(code: string, locale: Locale = 'en'): string | undefined {
  return isCode(code) ? catalogues[locale][code] : undefined;
}
