/**
 * English, the default and the reference catalogue: every other language `satisfies Messages`, so a key
 * added here fails the build until each language has words for it. SPEC §5's accessible names are these
 * exact strings. `{name}` is a placeholder; each translation keeps the same ones (test/unit/i18n.test.ts).
 */
export const en = {
  // Error and notice codes (the `Code` type in views/copy.ts).
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
  reset_link_invalid: 'This link has expired or was already used. Ask for a new one on the sign-in page.',
  email_link_invalid:
    'This link has expired or was already used. Sign in to send a new one from your account page.',
  link_needs_verified_email:
    'Verify your email address before you link a sign-in provider: follow the link in the verification mail, or send it again from your account page.',
  invalid_user_code: 'That code isn’t valid. Check the code on your device and try again.',
  expired_user_code: 'That code has expired. Start again on your device to get a new one.',
  server_error: 'Something unexpected happened on our side. Please try again.',
  not_found: 'The page you’re looking for doesn’t exist.',
  admin_forbidden: 'You do not have access to the admin console.',
  app_revoked: 'The app’s access has been removed.',
  mfa_enabled: 'Two-factor authentication is now on.',
  mfa_disabled: 'Two-factor authentication is now off.',
  recovery_codes_regenerated: 'You have new recovery codes. The old ones no longer work.',
  // The action that asked for the code is not replayed after the detour: the user repeats it.
  second_factor_confirmed: 'Code confirmed. You can now do what you were doing: please try it again.',
  provider_linked: 'Your account is now linked. Use the provider to sign in from now on.',
  session_signed_out: 'That session is signed out.',
  password_changed: 'Your password is changed. Your other sessions are signed out.',

  // The throttled message when the wait is known; `{wait}` is Intl.RelativeTimeFormat's "in 2 minutes".
  'throttled.wait': 'Too many attempts. Try again {wait}.',

  // Every page
  'layout.language': 'Language',

  // Built-in scopes (src/oauth/scope.ts BUILTIN_SCOPES): shown in place of their English descriptions.
  'scope.openid': 'Confirm your identity',
  'scope.profile': 'Your name',
  'scope.email': 'Your email address',
  'scope.offline_access': 'Stay signed in',
  'scope.groups': 'Your groups',
  'scope.admin': 'Manage this latchkey server',

  'login.title': 'Sign in',
  'login.toContinue': 'to continue to {client}',
  'login.welcome': 'Welcome back. Sign in to your account.',
  'login.continueWith': 'Continue with {provider}',
  'login.or': 'or',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.remember': 'Keep me signed in',
  'home.signIn': 'Sign in to your account',

  'consent.title': 'Allow {client}',
  'consent.heading': '{client} wants to access your account',
  'consent.signedInAs': 'Signed in as {email}',
  'consent.requested': 'Requested access',
  'consent.resource': 'for {resource}',
  'consent.finePrint':
    'Only allow apps you trust. You can remove this access at any time from your account page.',
  'consent.deny': 'Deny',
  'consent.allow': 'Allow',
  'consent.about': 'About {client}',
  'consent.website': 'Website',
  'consent.privacy': 'Privacy policy',
  'consent.terms': 'Terms of service',

  'error.title': 'Something went wrong',
  'error.code': 'Error code: {code}',
  'error.backToApp': 'Back to {app}',
  'error.toAccount': 'Go to your account',

  'logout.title': 'Sign out',
  'logout.heading': 'Sign out?',
  'logout.clientAsks': '{client} is asking to sign you out.',
  'logout.thisBrowser': 'You will be signed out of this browser.',
  'logout.submit': 'Sign out',
  'logout.cancel': 'Cancel',
  'signedOut.title': 'Signed out',
  'signedOut.heading': 'You are signed out',
  'signedOut.lead': 'You can close this window.',

  'device.title': 'Connect a device',
  'device.lead': 'Enter the code shown on your device.',
  'device.code': 'Code',
  'device.submit': 'Continue',
  'deviceDone.approved': 'Device connected',
  'deviceDone.denied': 'Request denied',
  'deviceDone.approvedLead': 'You can return to your device; it will finish signing in shortly.',
  'deviceDone.deniedLead': 'The device was not given access. You can close this window.',

  'formPost.title': 'Continue',
  'formPost.heading': 'Continue to the application',
  'formPost.lead': 'You are being signed in.',
  'formPost.submit': 'Continue',

  'setPassword.title': 'Set your password',
  'setPassword.lead': 'Choose the password you will sign in with from now on.',
  'setPassword.new': 'New password',
  'setPassword.submit': 'Set password',
  'passwordSet.title': 'Password set',
  'passwordSet.heading': 'Your password is set',
  'passwordSet.lead': 'You can now sign in with your email address and the new password.',
  'passwordSet.signIn': 'Sign in',

  'mfa.title': 'Two-factor authentication',
  'mfa.lead': 'Enter the 6-digit code from your authenticator app.',
  'mfa.code': 'Authentication code',
  'mfa.hint': 'Lost your device? Enter one of your recovery codes instead.',
  'mfa.verify': 'Verify',
  'totp.intro':
    'Scan the QR code with your authenticator app, or enter the secret key by hand. Then enter the code the app shows.',
  'totp.qrAlt': 'QR code for adding latchkey to your authenticator app',
  'totp.secret': 'Secret key',
  'totp.open': 'Open in your authenticator app',
  'totp.code': 'Authentication code',
  'totp.enable': 'Enable',
  'recovery.heading': 'Recovery codes',
  'recovery.save':
    'Save these somewhere safe now: they won’t be shown again. Each one works once, if you lose your authenticator app.',
  'mfaEnrol.title': 'Set up two-factor authentication',
  'mfaEnrol.required': 'This app requires a code from an authenticator app each time you sign in.',
  'mfaEnrol.done': 'Two-factor authentication is now on.',
  'mfaEnrol.continue': 'Continue',

  'account.title': 'Your account',
  'account.signOut': 'Sign out',
  'sessions.heading': 'Sessions',
  'sessions.intro': 'Browsers where you are signed in.',
  'sessions.thisDevice': 'This device',
  'sessions.signedIn': 'Signed in {time}',
  'sessions.lastSeen': 'Last seen {time}',
  'sessions.signOut': 'Sign out',
  'sessions.everywhere': 'Sign out everywhere',
  'sessions.everywhereHint': 'Ends every session, this one included, and signs you out of connected apps.',
  'password.heading': 'Password',
  'password.intro': 'Changing it signs you out of your other sessions.',
  'password.current': 'Current password',
  'password.new': 'New password',
  'password.submit': 'Change password',
  'password.show': 'Show password',
  'apps.heading': 'Connected apps',
  'apps.empty': 'No apps have access to your account.',
  'apps.intro': 'Apps you have allowed to access your account.',
  'apps.allowed': 'Allowed {time}',
  'apps.revoke': 'Revoke',
  'mfaSection.heading': 'Two-factor authentication',
  'mfaSection.on': 'On',
  'mfaSection.offIntro': 'Protect your account with a code from an authenticator app each time you sign in.',
  'mfaSection.setUp': 'Set up two-factor authentication',
  'mfaSection.onIntro':
    'Signing in asks for a code from your authenticator app, or one of your recovery codes.',
  'mfaSection.credential': 'Password or authentication code',
  'mfaSection.newCodes': 'New recovery codes',
  'mfaSection.turnOff': 'Turn off two-factor authentication',
  'mfaSection.hintPassword': 'Enter your password, a code from your authenticator app, or a recovery code.',
  'mfaSection.hintCode': 'Enter a code from your authenticator app, or a recovery code.',
  'provider.heading': 'Sign-in provider',
  'provider.linked': 'You sign in with {provider}.',
  'provider.none': 'You sign in with your email and password.',
  'provider.linkHint':
    'Linking a provider replaces your password: you will sign in with the provider from then on, and your other sessions will be signed out. Confirm with your current password.',
  'provider.password': 'Password',
  'provider.link': 'Link {provider}',
  'ua.browserOn': '{browser} on {os}',
  'ua.unknown': 'Unknown browser',

  // Mail (issue 15): every mail's link fallback and footer (src/mail/templates.ts, views/mail.tsx).
  'mail.linkFallback': 'If the button doesn’t work, copy this address into your browser:',
  'mail.footer': 'This message was sent by {brand}. You received it because of an action on your account.',

  // Password reset (issue 15): forgot-password page, reset mail, federated-account mail.
  forgot_email_invalid: 'Enter an email address such as name@example.com.',
  'login.forgot': 'Forgot password?',
  'forgot.title': 'Reset your password',
  'forgot.lead': 'Enter the email address of your account. We will send you a link to choose a new password.',
  'forgot.email': 'Email',
  'forgot.submit': 'Send reset link',
  'forgot.back': 'Back to sign in',
  'forgotSent.title': 'Check your email',
  'forgotSent.lead':
    'If an account with a password uses this address, a link to choose a new password is on its way. It works once, for 30 minutes.',
  'forgotSent.hint': 'No mail after a few minutes? Check your spam folder, or ask for a new link.',
  'reset.title': 'Choose a new password',
  'reset.lead':
    'Choose the password you will sign in with from now on. Your sessions everywhere will be signed out.',
  'mail.reset.subject': 'Reset your {brand} password',
  'mail.reset.greeting': 'Hello {name},',
  'mail.reset.greetingAnon': 'Hello,',
  'mail.reset.body': 'Someone, hopefully you, asked to reset the password of your {brand} account.',
  'mail.reset.action': 'Choose a new password',
  'mail.reset.expiry':
    'The link works once, for 30 minutes. Once the password is changed, every session of your account is signed out.',
  'mail.reset.notYou': 'If you did not ask for this, ignore this mail: your password stays as it is.',
  'mail.reset.provider.subject': 'Signing in to {brand}',
  'mail.reset.provider.body':
    'Someone, hopefully you, asked to reset the password of your {brand} account. Your account has no password to reset: you sign in with {provider}.',
  'mail.reset.provider.action': 'Go to the sign-in page',
  'mail.reset.provider.notYou': 'If you did not ask for this, you can ignore this mail.',
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  invalid_email: 'Enter a valid email address.',
  invalid_name: 'Enter a name of at most 200 characters.',
  signup_domain: 'Sign-up is open only to addresses at certain domains. Use an address at one of them.',
  email_taken: 'This address belongs to another account now, so your address was not changed.',
  email_unchanged: 'That is already your address.',
  email_managed: 'Your address comes from the provider you sign in with; change it there.',
  verification_sent: 'We sent a verification link to your address. It works for 24 hours.',
  email_change_sent:
    'We sent a confirmation link to your new address. Your address changes once you follow it.',
  'login.createAccount': 'Create account',
  'signup.title': 'Create account',
  'signup.lead': 'Enter your name, your email address and a password.',
  'signup.name': 'Name',
  'signup.email': 'Email',
  'signup.password': 'Password',
  'signup.submit': 'Create account',
  'signup.haveAccount': 'Already have an account?',
  'signup.signIn': 'Sign in',
  'signupSent.title': 'Check your email',
  'signupSent.lead':
    'We sent a message to {email}. Follow the link in it to verify your address, then sign in.',
  'signupSent.hint': 'The link works for 24 hours. No message? Check your spam folder, or try again later.',
  'signupSent.back': 'Back to sign in',
  'verifyEmail.title': 'Verify your email',
  'verifyEmail.lead': 'Confirm that {email} is your address.',
  'verifyEmail.leadChange': 'Confirm {email} as the new address of your account.',
  'verifyEmail.submit': 'Verify email',
  'emailVerified.title': 'Email verified',
  'emailVerified.lead': 'Your address {email} is verified.',
  'emailVerified.leadChange': 'Your address is now {email}, and it is verified.',
  'emailVerified.continue': 'Continue to your account',
  'emailSection.heading': 'Email',
  'emailSection.verified': 'Verified',
  'emailSection.unverified': 'Not verified',
  'emailSection.unverifiedHint': 'Some apps need a verified address. We can send you a new link.',
  'emailSection.resend': 'Send verification email',
  'emailSection.change': 'Change email',
  'emailSection.managed': 'Your address comes from {provider}, where you sign in; change it there.',
  'accountEmail.title': 'Change email',
  'accountEmail.lead':
    'Your address is {email}. We send a link to the new address; the change takes effect when you follow it.',
  'accountEmail.new': 'New email',
  'accountEmail.password': 'Current password',
  'accountEmail.submit': 'Change email',
  'accountEmail.back': 'Back to your account',
  'mail.verify.subject': 'Verify your email address for {brand}',
  'mail.verify.body': 'Follow the link to verify {email} for your {brand} account.',
  'mail.verify.action': 'Verify email',
  'mail.verify.expiry': 'The link works once, for 24 hours.',
  'mail.verify.notYou': 'If you didn’t create an account, ignore this message.',
  'mail.emailChange.subject': 'Confirm your new email address for {brand}',
  'mail.emailChange.body': 'Follow the link to make {email} the address of your {brand} account.',
  'mail.emailChange.action': 'Confirm new address',
  'mail.emailChange.notYou': 'If you didn’t ask for this, ignore this message: nothing changes.',
  'mail.emailChangeRequested.subject': 'Email change requested for your {brand} account',
  'mail.emailChangeRequested.body':
    'Someone asked to change the address of your {brand} account to {email}. It changes only when the link sent there is followed.',
  'mail.emailChangeRequested.notYou': 'If this wasn’t you, change your password now.',
  'mail.emailChanged.subject': 'Your {brand} email address was changed',
  'mail.emailChanged.body':
    'The address of your {brand} account was changed to {email}. Messages about your account now go there.',
  'mail.emailChanged.notYou': 'If you didn’t do this, contact your administrator at once.',
  'mail.signupExists.subject': 'Someone tried to create an account at {brand} with your address',
  'mail.signupExists.body':
    'Someone, perhaps you, tried to create an account at {brand} with {email}. You already have an account with this address, so nothing was changed.',
  'mail.signupExists.action': 'Sign in',
  'mail.signupExists.forgot': 'Forgot your password? Choose a new one here: {forgotUrl}',
  'mail.signupExists.notYou': 'If this wasn’t you, you can ignore this message.',
  email_not_verified:
    'This app needs a verified email address. Follow the link in the verification mail, or send it again from your account page.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  'passwordRules.intro': 'Your password needs to be:',
  'passwordRules.minLength': 'At least {min} characters',
  'passwordRules.notCommon': 'Not a commonly used password',
  'passwordRules.notContext': 'Not your email address or the name {brand}',
  'passwordRules.hardToGuess': 'Hard to guess',
  'passwordRules.weakLength': 'Choose a password of {min} to {max} characters.',
  'passwordRules.weakCommon':
    'It must not be a commonly used password, your email address or the name {brand}.',
  'passwordRules.weakContext': 'It must not be your email address or the name {brand}.',
  'passwordRules.weakScore':
    'It must also be hard to guess: avoid names, dates, single words and keyboard patterns.',
  'mail.invite.subject': 'You have been invited to {brand}',
  'mail.invite.intro':
    'You have been invited to {brand}. Your account is ready for the address {email}: choose a password to start using it.',
  'mail.invite.action': 'Choose your password',
  'mail.invite.expiry':
    'The link works once, for {days} days. If you weren’t expecting this invitation, you can ignore this message.',
  'mail.setPassword.subject': 'Choose a password for {brand}',
  'mail.setPassword.intro':
    'Your {brand} account ({email}) is no longer linked to a sign-in provider. To keep signing in, choose a password.',
  'mail.setPassword.action': 'Choose a password',
  'mail.setPassword.expiry':
    'The link works once, for {hours} hours. If you didn’t expect this, contact your administrator.',
  // (end of invitations and password policy)
};

export type MessageKey = keyof typeof en;
/** What every language provides: words for every key. */
export type Messages = { readonly [K in MessageKey]: string };
