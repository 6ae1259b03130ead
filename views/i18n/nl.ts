import type { Messages } from './en.js';

/** Dutch: "u"; sign in = Inloggen, sign out = Uitloggen, app = app. */
export const nl = {
  invalid_credentials: 'Onjuist e-mailadres of wachtwoord.',
  account_disabled: 'Dit account is uitgeschakeld.',
  throttled: 'Te veel pogingen. Wacht even en probeer het dan opnieuw.',
  invalid_code: 'Die code werkte niet. Controleer uw authenticator-app en probeer het opnieuw.',
  too_many_codes: 'Te veel onjuiste codes. Log opnieuw in om nieuwe pogingen te krijgen.',
  csrf: 'Dit formulier is verlopen. Probeer het opnieuw.',
  interaction_expired: 'Dit inlogverzoek is verlopen. Ga terug naar de app en begin opnieuw.',
  login_required: 'U moet inloggen om verder te gaan.',
  consent_required: 'U moet deze app toegang geven om verder te gaan.',
  invalid_client: 'Deze app is niet geregistreerd bij deze inlogdienst.',
  invalid_redirect_uri:
    'De app wilde u naar een adres sturen dat ze niet heeft geregistreerd. U kunt daarom niet veilig worden teruggestuurd.',
  invalid_request: 'De app heeft een ongeldig verzoek gestuurd. Ga terug naar de app en probeer het opnieuw.',
  invalid_scope: 'De app vroeg om toegang die niet beschikbaar is.',
  unauthorized_client: 'Deze app mag u niet op deze manier laten inloggen.',
  unsupported_response_type: 'De app vroeg om een manier van inloggen die deze dienst niet aanbiedt.',
  access_denied: 'Toegang geweigerd.',
  email_used:
    'Er bestaat al een account met dit e-mailadres. Log in met uw wachtwoord en koppel deze provider daarna via uw accountpagina.',
  email_unverified:
    'De provider heeft niet bevestigd dat dit e-mailadres geverifieerd is. U kunt er daarom niet mee inloggen.',
  provider_disabled: 'Inloggen met deze provider is uitgeschakeld.',
  provider_error: 'De inlogprovider reageerde niet zoals verwacht. Probeer het later opnieuw.',
  state_mismatch: 'Deze inlogpoging kon niet worden geverifieerd. Begin opnieuw.',
  identity_used:
    'Dit provideraccount is hier al aan een ander account gekoppeld. Log daarmee in, of koppel een ander account.',
  password_login_off: 'Inloggen met een wachtwoord is hier uitgeschakeld. Ga verder met een inlogprovider.',
  weak_password: 'Kies een wachtwoord van 8 tot 256 tekens dat niet veel gebruikt wordt.',
  password_mismatch: 'De wachtwoorden komen niet overeen.',
  invalid_link: 'Deze link is verlopen of al gebruikt. Vraag uw beheerder om een nieuwe.',
  invalid_user_code: 'Die code is ongeldig. Controleer de code op uw apparaat en probeer het opnieuw.',
  expired_user_code: 'Die code is verlopen. Begin opnieuw op uw apparaat om een nieuwe te krijgen.',
  server_error: 'Er ging aan onze kant onverwacht iets mis. Probeer het opnieuw.',
  not_found: 'De pagina die u zoekt bestaat niet.',
  app_revoked: 'De toegang van de app is ingetrokken.',
  mfa_enabled: 'Tweestapsverificatie staat nu aan.',
  mfa_disabled: 'Tweestapsverificatie staat nu uit.',
  recovery_codes_regenerated: 'U hebt nieuwe herstelcodes. De oude werken niet meer.',
  second_factor_confirmed: 'Code bevestigd. Probeer nu opnieuw wat u aan het doen was.',
  provider_linked: 'Uw account is nu gekoppeld. Log voortaan in met de provider.',
  session_signed_out: 'Die sessie is uitgelogd.',
  password_changed: 'Uw wachtwoord is gewijzigd. Uw andere sessies zijn uitgelogd.',

  'throttled.wait': 'Te veel pogingen. Probeer het {wait} opnieuw.',

  'layout.language': 'Taal',

  'scope.openid': 'Uw identiteit bevestigen',
  'scope.profile': 'Uw naam',
  'scope.email': 'Uw e-mailadres',
  'scope.offline_access': 'Ingelogd blijven',
  'scope.groups': 'Uw groepen',
  'scope.admin': 'Deze latchkey-server beheren',

  'login.title': 'Inloggen',
  'login.toContinue': 'om verder te gaan naar {client}',
  'login.welcome': 'Welkom terug. Log in op uw account.',
  'login.continueWith': 'Doorgaan met {provider}',
  'login.or': 'of',
  'login.email': 'E-mailadres',
  'login.password': 'Wachtwoord',
  'login.submit': 'Inloggen',
  'login.remember': 'Ingelogd blijven',
  'home.signIn': 'Inloggen op uw account',

  'consent.title': '{client} toestaan',
  'consent.heading': '{client} wil toegang tot uw account',
  'consent.signedInAs': 'Ingelogd als {email}',
  'consent.requested': 'Gevraagde toegang',
  'consent.resource': 'voor {resource}',
  'consent.finePrint':
    'Geef alleen toegang aan apps die u vertrouwt. U kunt deze toegang altijd intrekken via uw accountpagina.',
  'consent.deny': 'Weigeren',
  'consent.allow': 'Toestaan',
  'consent.about': 'Over {client}',
  'consent.website': 'Website',
  'consent.privacy': 'Privacybeleid',
  'consent.terms': 'Servicevoorwaarden',

  'error.title': 'Er is iets misgegaan',
  'error.code': 'Foutcode: {code}',
  'error.backToApp': 'Terug naar {app}',
  'error.toAccount': 'Naar uw account',

  'logout.title': 'Uitloggen',
  'logout.heading': 'Uitloggen?',
  'logout.clientAsks': '{client} vraagt u uit te loggen.',
  'logout.thisBrowser': 'U wordt uitgelogd in deze browser.',
  'logout.submit': 'Uitloggen',
  'logout.cancel': 'Annuleren',
  'signedOut.title': 'Uitgelogd',
  'signedOut.heading': 'U bent uitgelogd',
  'signedOut.lead': 'U kunt dit venster sluiten.',

  'device.title': 'Een apparaat koppelen',
  'device.lead': 'Voer de code in die op uw apparaat staat.',
  'device.code': 'Code',
  'device.submit': 'Doorgaan',
  'deviceDone.approved': 'Apparaat gekoppeld',
  'deviceDone.denied': 'Verzoek geweigerd',
  'deviceDone.approvedLead': 'U kunt terug naar uw apparaat; het inloggen wordt daar zo afgerond.',
  'deviceDone.deniedLead': 'Het apparaat heeft geen toegang gekregen. U kunt dit venster sluiten.',

  'formPost.title': 'Doorgaan',
  'formPost.heading': 'Doorgaan naar de applicatie',
  'formPost.lead': 'U wordt ingelogd.',
  'formPost.submit': 'Doorgaan',

  'setPassword.title': 'Uw wachtwoord instellen',
  'setPassword.lead': 'Kies het wachtwoord waarmee u voortaan inlogt.',
  'setPassword.new': 'Nieuw wachtwoord',
  'setPassword.submit': 'Wachtwoord instellen',
  'passwordSet.title': 'Wachtwoord ingesteld',
  'passwordSet.heading': 'Uw wachtwoord is ingesteld',
  'passwordSet.lead': 'U kunt nu inloggen met uw e-mailadres en het nieuwe wachtwoord.',
  'passwordSet.signIn': 'Inloggen',

  'mfa.title': 'Tweestapsverificatie',
  'mfa.lead': 'Voer de 6-cijferige code uit uw authenticator-app in.',
  'mfa.code': 'Verificatiecode',
  'mfa.hint': 'Apparaat kwijt? Voer dan een van uw herstelcodes in.',
  'mfa.verify': 'Verifiëren',
  'totp.intro':
    'Scan de QR-code met uw authenticator-app, of voer de geheime sleutel handmatig in. Voer daarna de code in die de app toont.',
  'totp.qrAlt': 'QR-code om latchkey aan uw authenticator-app toe te voegen',
  'totp.secret': 'Geheime sleutel',
  'totp.open': 'Openen in uw authenticator-app',
  'totp.code': 'Verificatiecode',
  'totp.enable': 'Inschakelen',
  'recovery.heading': 'Herstelcodes',
  'recovery.save':
    'Bewaar deze codes nu op een veilige plek: ze worden niet opnieuw getoond. Elke code werkt één keer, voor als u uw authenticator-app kwijtraakt.',
  'mfaEnrol.title': 'Tweestapsverificatie instellen',
  'mfaEnrol.required': 'Deze app vraagt bij elke keer inloggen om een code uit een authenticator-app.',
  'mfaEnrol.done': 'Tweestapsverificatie staat nu aan.',
  'mfaEnrol.continue': 'Doorgaan',

  'account.title': 'Uw account',
  'account.signOut': 'Uitloggen',
  'sessions.heading': 'Sessies',
  'sessions.intro': 'Browsers waarin u bent ingelogd.',
  'sessions.thisDevice': 'Dit apparaat',
  'sessions.signedIn': 'Ingelogd: {time}',
  'sessions.lastSeen': 'Laatst actief: {time}',
  'sessions.signOut': 'Uitloggen',
  'sessions.everywhere': 'Overal uitloggen',
  'sessions.everywhereHint': 'Beëindigt alle sessies, ook deze, en logt u uit bij gekoppelde apps.',
  'password.heading': 'Wachtwoord',
  'password.intro': 'Als u het wijzigt, wordt u uitgelogd in uw andere sessies.',
  'password.current': 'Huidig wachtwoord',
  'password.new': 'Nieuw wachtwoord',
  'password.submit': 'Wachtwoord wijzigen',
  'password.show': 'Wachtwoord tonen',
  'apps.heading': 'Gekoppelde apps',
  'apps.empty': 'Geen enkele app heeft toegang tot uw account.',
  'apps.intro': 'Apps die u toegang tot uw account hebt gegeven.',
  'apps.allowed': 'Toegestaan: {time}',
  'apps.revoke': 'Intrekken',
  'mfaSection.heading': 'Tweestapsverificatie',
  'mfaSection.on': 'Aan',
  'mfaSection.offIntro':
    'Beveilig uw account met een code uit een authenticator-app, elke keer dat u inlogt.',
  'mfaSection.setUp': 'Tweestapsverificatie instellen',
  'mfaSection.onIntro':
    'Bij het inloggen wordt gevraagd om een code uit uw authenticator-app of een van uw herstelcodes.',
  'mfaSection.credential': 'Wachtwoord of verificatiecode',
  'mfaSection.newCodes': 'Nieuwe herstelcodes',
  'mfaSection.turnOff': 'Tweestapsverificatie uitschakelen',
  'mfaSection.hintPassword': 'Voer uw wachtwoord, een code uit uw authenticator-app of een herstelcode in.',
  'mfaSection.hintCode': 'Voer een code uit uw authenticator-app of een herstelcode in.',
  'provider.heading': 'Inlogprovider',
  'provider.linked': 'U logt in met {provider}.',
  'provider.none': 'U logt in met uw e-mailadres en wachtwoord.',
  'provider.linkHint':
    'Een provider koppelen vervangt uw wachtwoord: u logt daarna in met de provider, en uw andere sessies worden uitgelogd. Bevestig met uw huidige wachtwoord.',
  'provider.password': 'Wachtwoord',
  'provider.link': '{provider} koppelen',
  'ua.browserOn': '{browser} op {os}',
  'ua.unknown': 'Onbekende browser',

  // Mail (issue 15): every mail's link fallback and footer (src/mail/templates.ts, views/mail.tsx).
  'mail.linkFallback': 'Werkt de knop niet? Kopieer dan dit adres naar je browser:',
  'mail.footer': 'Dit bericht is verzonden door {brand} vanwege een actie op je account.',

  // Password reset (issue 15): forgot-password page, reset mail, federated-account mail.
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  email_not_verified:
    'Deze app vereist een geverifieerd e-mailadres. Volg de link in de verificatiemail, of stuur die opnieuw vanaf uw accountpagina.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  // (end of invitations and password policy)
} satisfies Messages;
