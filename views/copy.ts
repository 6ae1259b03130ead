/**
 * Every message a hosted page can show for a stable code. Handlers return a `Code`; the words
 * live here only, and `satisfies Record<Code, string>` means no code ships without them.
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
  // device flow (RFC 8628)
  | 'invalid_user_code'
  | 'expired_user_code'
  // generic
  | 'server_error'
  | 'not_found'
  // account page notices (not errors)
  | 'app_revoked'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_codes_regenerated'
  | 'second_factor_confirmed'
  | 'provider_linked'
  | 'session_signed_out'
  | 'password_changed';

export const messages = {
  // Same words for an unknown email and a wrong password: SPEC §3 "Brute force".
  invalid_credentials: 'Incorrect email or password.',
  account_disabled: 'This account is disabled.',
  throttled: 'Too many attempts. Wait a moment, then try again.',
  invalid_code: 'That code didn’t work. Check your authenticator app and try again.',
  too_many_codes: 'Too many wrong codes. Sign in again to get new attempts.',
  csrf: 'This form has expired. Please try again.',
  interaction_expired: 'This sign-in request has expired. Go back to the app and start again.',
  login_required: 'You need to sign in to continue.',
  consent_required: 'You need to approve this app’s access to continue.',

  invalid_client: 'This app isn’t registered with this sign-in service.',
  invalid_redirect_uri:
    'The app asked to send you to an address it hasn’t registered, so you can’t be sent back safely.',
  invalid_request: 'The app sent a request that isn’t valid. Go back to the app and try again.',
  invalid_scope: 'The app asked for access that isn’t available.',
  unauthorized_client: 'This app isn’t allowed to sign you in this way.',
  unsupported_response_type: 'The app asked for a kind of sign-in this service doesn’t offer.',
  access_denied: 'Access was denied.',

  email_used:
    'An account with this email address already exists. Sign in with your password, then link this provider from your account page.',
  email_unverified:
    'The provider didn’t confirm that this email address is verified, so you can’t sign in with it.',
  provider_disabled: 'Signing in with this provider is turned off.',
  provider_error: 'The sign-in provider didn’t respond as expected. Please try again later.',
  state_mismatch: 'This sign-in attempt couldn’t be verified. Please start again.',
  identity_used:
    'This provider account is already linked to another account here. Sign in with it, or link a different one.',
  password_login_off:
    'Signing in with a password is turned off here. Continue with a sign-in provider instead.',

  weak_password: 'Choose a password of 8 to 256 characters that isn’t a commonly used one.',
  password_mismatch: 'The passwords don’t match.',
  invalid_link: 'This link has expired or was already used. Ask your administrator for a new one.',

  invalid_user_code: 'That code isn’t valid. Check the code on your device and try again.',
  expired_user_code: 'That code has expired. Start again on your device to get a new one.',

  server_error: 'Something unexpected happened on our side. Please try again.',
  not_found: 'The page you’re looking for doesn’t exist.',

  app_revoked: 'The app’s access has been removed.',
  mfa_enabled: 'Two-factor authentication is now on.',
  mfa_disabled: 'Two-factor authentication is now off.',
  recovery_codes_regenerated: 'You have new recovery codes. The old ones no longer work.',
  // The action that asked for the code is not replayed after the detour: the user repeats it.
  second_factor_confirmed: 'Code confirmed. You can now do what you were doing: please try it again.',
  provider_linked: 'Your account is now linked. Use the provider to sign in from now on.',
  session_signed_out: 'That session is signed out.',
  password_changed: 'Your password is changed. Your other sessions are signed out.',
} satisfies Record<Code, string>;

export function isCode(value: string): value is Code {
  return Object.hasOwn(messages, value);
}

/** The message for a code, or `undefined` for a code this file doesn't know. */
export function messageFor(code: string): string | undefined {
  return isCode(code) ? messages[code] : undefined;
}
