import type { Messages } from './en.js';

/** German: formal "Sie"; sign in = Anmelden, sign out = Abmelden, app = App. */
export const de = {
  invalid_credentials: 'E-Mail-Adresse oder Passwort ist falsch.',
  account_disabled: 'Dieses Konto ist deaktiviert.',
  throttled: 'Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
  invalid_code:
    'Dieser Code hat nicht funktioniert. Prüfen Sie Ihre Authenticator-App und versuchen Sie es erneut.',
  too_many_codes: 'Zu viele falsche Codes. Melden Sie sich erneut an, um weitere Versuche zu erhalten.',
  csrf: 'Dieses Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
  interaction_expired:
    'Diese Anmeldeanfrage ist abgelaufen. Kehren Sie zur App zurück und beginnen Sie von vorn.',
  login_required: 'Bitte melden Sie sich an, um fortzufahren.',
  consent_required: 'Bitte erlauben Sie dieser App den Zugriff, um fortzufahren.',
  invalid_client: 'Diese App ist bei diesem Anmeldedienst nicht registriert.',
  invalid_redirect_uri:
    'Die App wollte Sie an eine Adresse weiterleiten, die sie nicht registriert hat. Eine sichere Rückleitung ist daher nicht möglich.',
  invalid_request:
    'Die App hat eine ungültige Anfrage gesendet. Kehren Sie zur App zurück und versuchen Sie es erneut.',
  invalid_scope: 'Die App hat einen Zugriff angefordert, der nicht verfügbar ist.',
  unauthorized_client: 'Diese App darf Sie auf diese Weise nicht anmelden.',
  unsupported_response_type: 'Die App hat eine Anmeldeart angefordert, die dieser Dienst nicht anbietet.',
  access_denied: 'Der Zugriff wurde verweigert.',
  email_used:
    'Es gibt bereits ein Konto mit dieser E-Mail-Adresse. Melden Sie sich mit Ihrem Passwort an und verknüpfen Sie diesen Anbieter anschließend auf Ihrer Kontoseite.',
  email_unverified:
    'Der Anbieter hat nicht bestätigt, dass diese E-Mail-Adresse verifiziert ist. Eine Anmeldung damit ist daher nicht möglich.',
  provider_disabled: 'Die Anmeldung über diesen Anbieter ist deaktiviert.',
  provider_error:
    'Der Anmeldeanbieter hat nicht wie erwartet geantwortet. Bitte versuchen Sie es später erneut.',
  state_mismatch: 'Dieser Anmeldeversuch konnte nicht überprüft werden. Bitte beginnen Sie von vorn.',
  identity_used:
    'Dieses Anbieterkonto ist hier bereits mit einem anderen Konto verknüpft. Melden Sie sich damit an oder verknüpfen Sie ein anderes.',
  password_login_off:
    'Die Anmeldung mit Passwort ist hier deaktiviert. Fahren Sie stattdessen mit einem Anmeldeanbieter fort.',
  weak_password: 'Wählen Sie ein Passwort mit 8 bis 256 Zeichen, das nicht häufig verwendet wird.',
  password_mismatch: 'Die Passwörter stimmen nicht überein.',
  invalid_link:
    'Dieser Link ist abgelaufen oder wurde bereits verwendet. Bitten Sie Ihre Administration um einen neuen Link.',
  reset_link_invalid:
    'Dieser Link ist abgelaufen oder wurde bereits verwendet. Fordern Sie auf der Anmeldeseite einen neuen an.',
  email_link_invalid:
    'Dieser Link ist abgelaufen oder wurde bereits verwendet. Melden Sie sich an, um auf Ihrer Kontoseite einen neuen zu senden.',
  link_needs_verified_email:
    'Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie einen Anmeldeanbieter verknüpfen: Folgen Sie dem Link in der Bestätigungs-E-Mail oder senden Sie sie auf Ihrer Kontoseite erneut.',
  invalid_user_code:
    'Dieser Code ist ungültig. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.',
  expired_user_code:
    'Dieser Code ist abgelaufen. Beginnen Sie auf Ihrem Gerät von vorn, um einen neuen zu erhalten.',
  server_error: 'Bei uns ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es erneut.',
  not_found: 'Die gesuchte Seite existiert nicht.',
  admin_forbidden: 'Sie haben keinen Zugriff auf die Verwaltungskonsole.',
  app_revoked: 'Der Zugriff der App wurde entfernt.',
  mfa_enabled: 'Die Zwei-Faktor-Authentifizierung ist jetzt aktiviert.',
  mfa_disabled: 'Die Zwei-Faktor-Authentifizierung ist jetzt deaktiviert.',
  recovery_codes_regenerated: 'Sie haben neue Wiederherstellungscodes. Die alten gelten nicht mehr.',
  second_factor_confirmed: 'Code bestätigt. Bitte wiederholen Sie jetzt Ihre letzte Aktion.',
  provider_linked: 'Ihr Konto ist jetzt verknüpft. Melden Sie sich ab sofort über den Anbieter an.',
  session_signed_out: 'Diese Sitzung ist abgemeldet.',
  password_changed: 'Ihr Passwort wurde geändert. Ihre anderen Sitzungen sind abgemeldet.',

  'throttled.wait': 'Zu viele Versuche. Versuchen Sie es {wait} erneut.',

  'layout.language': 'Sprache',

  'scope.openid': 'Ihre Identität bestätigen',
  'scope.profile': 'Ihr Name',
  'scope.email': 'Ihre E-Mail-Adresse',
  'scope.offline_access': 'Angemeldet bleiben',
  'scope.groups': 'Ihre Gruppen',
  'scope.admin': 'Diesen latchkey-Server verwalten',

  'login.title': 'Anmelden',
  'login.toContinue': 'um mit {client} fortzufahren',
  'login.welcome': 'Willkommen zurück. Melden Sie sich bei Ihrem Konto an.',
  'login.continueWith': 'Weiter mit {provider}',
  'login.or': 'oder',
  'login.email': 'E-Mail',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.remember': 'Angemeldet bleiben',
  'home.signIn': 'Bei Ihrem Konto anmelden',

  'consent.title': '{client} erlauben',
  'consent.heading': '{client} möchte auf Ihr Konto zugreifen',
  'consent.signedInAs': 'Angemeldet als {email}',
  'consent.requested': 'Angeforderter Zugriff',
  'consent.resource': 'für {resource}',
  'consent.finePrint':
    'Erlauben Sie nur Apps, denen Sie vertrauen. Sie können diesen Zugriff jederzeit auf Ihrer Kontoseite entfernen.',
  'consent.deny': 'Ablehnen',
  'consent.allow': 'Erlauben',
  'consent.about': 'Über {client}',
  'consent.website': 'Website',
  'consent.privacy': 'Datenschutzerklärung',
  'consent.terms': 'Nutzungsbedingungen',

  'error.title': 'Etwas ist schiefgelaufen',
  'error.code': 'Fehlercode: {code}',
  'error.backToApp': 'Zurück zu {app}',
  'error.toAccount': 'Zu Ihrem Konto',

  'logout.title': 'Abmelden',
  'logout.heading': 'Abmelden?',
  'logout.clientAsks': '{client} möchte Sie abmelden.',
  'logout.thisBrowser': 'Sie werden in diesem Browser abgemeldet.',
  'logout.submit': 'Abmelden',
  'logout.cancel': 'Abbrechen',
  'signedOut.title': 'Abgemeldet',
  'signedOut.heading': 'Sie sind abgemeldet',
  'signedOut.lead': 'Sie können dieses Fenster jetzt schließen.',

  'device.title': 'Gerät verbinden',
  'device.lead': 'Geben Sie den Code ein, der auf Ihrem Gerät angezeigt wird.',
  'device.code': 'Code',
  'device.submit': 'Weiter',
  'deviceDone.approved': 'Gerät verbunden',
  'deviceDone.denied': 'Anfrage abgelehnt',
  'deviceDone.approvedLead':
    'Sie können zu Ihrem Gerät zurückkehren; die Anmeldung wird in Kürze abgeschlossen.',
  'deviceDone.deniedLead': 'Das Gerät hat keinen Zugriff erhalten. Sie können dieses Fenster schließen.',

  'formPost.title': 'Weiter',
  'formPost.heading': 'Weiter zur Anwendung',
  'formPost.lead': 'Sie werden angemeldet.',
  'formPost.submit': 'Weiter',

  'setPassword.title': 'Passwort festlegen',
  'setPassword.lead': 'Wählen Sie das Passwort, mit dem Sie sich künftig anmelden.',
  'setPassword.new': 'Neues Passwort',
  'setPassword.submit': 'Passwort festlegen',
  'passwordSet.title': 'Passwort festgelegt',
  'passwordSet.heading': 'Ihr Passwort ist festgelegt',
  'passwordSet.lead': 'Sie können sich jetzt mit Ihrer E-Mail-Adresse und dem neuen Passwort anmelden.',
  'passwordSet.signIn': 'Anmelden',

  'mfa.title': 'Zwei-Faktor-Authentifizierung',
  'mfa.lead': 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.',
  'mfa.code': 'Authentifizierungscode',
  'mfa.hint': 'Gerät verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.',
  'mfa.verify': 'Bestätigen',
  'totp.intro':
    'Scannen Sie den QR-Code mit Ihrer Authenticator-App oder geben Sie den geheimen Schlüssel von Hand ein. Geben Sie dann den Code ein, den die App anzeigt.',
  'totp.qrAlt': 'QR-Code, um latchkey zu Ihrer Authenticator-App hinzuzufügen',
  'totp.secret': 'Geheimer Schlüssel',
  'totp.open': 'In Ihrer Authenticator-App öffnen',
  'totp.code': 'Authentifizierungscode',
  'totp.enable': 'Aktivieren',
  'recovery.heading': 'Wiederherstellungscodes',
  'recovery.save':
    'Bewahren Sie diese Codes jetzt an einem sicheren Ort auf: Sie werden nicht noch einmal angezeigt. Jeder Code funktioniert einmal, falls Sie Ihre Authenticator-App verlieren.',
  'mfaEnrol.title': 'Zwei-Faktor-Authentifizierung einrichten',
  'mfaEnrol.required': 'Diese App verlangt bei jeder Anmeldung einen Code aus einer Authenticator-App.',
  'mfaEnrol.done': 'Die Zwei-Faktor-Authentifizierung ist jetzt aktiviert.',
  'mfaEnrol.continue': 'Weiter',

  'account.title': 'Ihr Konto',
  'account.signOut': 'Abmelden',
  'sessions.heading': 'Sitzungen',
  'sessions.intro': 'Browser, in denen Sie angemeldet sind.',
  'sessions.thisDevice': 'Dieses Gerät',
  'sessions.signedIn': 'Angemeldet: {time}',
  'sessions.lastSeen': 'Zuletzt aktiv: {time}',
  'sessions.signOut': 'Abmelden',
  'sessions.everywhere': 'Überall abmelden',
  'sessions.everywhereHint': 'Beendet alle Sitzungen, auch diese, und meldet Sie bei verbundenen Apps ab.',
  'password.heading': 'Passwort',
  'password.intro': 'Wenn Sie es ändern, werden Ihre anderen Sitzungen abgemeldet.',
  'password.current': 'Aktuelles Passwort',
  'password.new': 'Neues Passwort',
  'password.submit': 'Passwort ändern',
  'password.show': 'Passwort anzeigen',
  'apps.heading': 'Verbundene Apps',
  'apps.empty': 'Keine App hat Zugriff auf Ihr Konto.',
  'apps.intro': 'Apps, denen Sie den Zugriff auf Ihr Konto erlaubt haben.',
  'apps.allowed': 'Erlaubt: {time}',
  'apps.revoke': 'Widerrufen',
  'mfaSection.heading': 'Zwei-Faktor-Authentifizierung',
  'mfaSection.on': 'Aktiv',
  'mfaSection.offIntro':
    'Schützen Sie Ihr Konto mit einem Code aus einer Authenticator-App, den Sie bei jeder Anmeldung eingeben.',
  'mfaSection.setUp': 'Zwei-Faktor-Authentifizierung einrichten',
  'mfaSection.onIntro':
    'Bei der Anmeldung werden Sie nach einem Code aus Ihrer Authenticator-App oder einem Ihrer Wiederherstellungscodes gefragt.',
  'mfaSection.credential': 'Passwort oder Authentifizierungscode',
  'mfaSection.newCodes': 'Neue Wiederherstellungscodes',
  'mfaSection.turnOff': 'Zwei-Faktor-Authentifizierung deaktivieren',
  'mfaSection.hintPassword':
    'Geben Sie Ihr Passwort, einen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.',
  'mfaSection.hintCode':
    'Geben Sie einen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.',
  'provider.heading': 'Anmeldeanbieter',
  'provider.linked': 'Sie melden sich über {provider} an.',
  'provider.none': 'Sie melden sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.',
  'provider.linkHint':
    'Wenn Sie einen Anbieter verknüpfen, ersetzt er Ihr Passwort: Sie melden sich danach über den Anbieter an, und Ihre anderen Sitzungen werden abgemeldet. Bestätigen Sie mit Ihrem aktuellen Passwort.',
  'provider.password': 'Passwort',
  'provider.link': '{provider} verknüpfen',
  'ua.browserOn': '{browser} unter {os}',
  'ua.unknown': 'Unbekannter Browser',

  // Mail (issue 15): every mail's link fallback and footer (src/mail/templates.ts, views/mail.tsx).
  'mail.linkFallback':
    'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  'mail.footer': 'Diese Nachricht wurde von {brand} gesendet, weil für Ihr Konto etwas angefordert wurde.',

  // Password reset (issue 15): forgot-password page, reset mail, federated-account mail.
  forgot_email_invalid: 'Geben Sie eine E-Mail-Adresse wie name@example.com ein.',
  'login.forgot': 'Passwort vergessen?',
  'forgot.title': 'Passwort zurücksetzen',
  'forgot.lead':
    'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  'forgot.email': 'E-Mail',
  'forgot.submit': 'Link zum Zurücksetzen senden',
  'forgot.back': 'Zurück zur Anmeldung',
  'forgotSent.title': 'Prüfen Sie Ihre E-Mails',
  'forgotSent.lead':
    'Falls ein Konto mit Passwort diese Adresse verwendet, ist ein Link für ein neues Passwort unterwegs. Er funktioniert einmal, 30 Minuten lang.',
  'forgotSent.hint':
    'Nach einigen Minuten keine E-Mail? Sehen Sie im Spam-Ordner nach oder fordern Sie einen neuen Link an.',
  'reset.title': 'Neues Passwort wählen',
  'reset.lead':
    'Wählen Sie das Passwort, mit dem Sie sich künftig anmelden. Alle Ihre Sitzungen werden abgemeldet.',
  'mail.reset.subject': 'Ihr Passwort für {brand} zurücksetzen',
  'mail.reset.greeting': 'Hallo {name},',
  'mail.reset.greetingAnon': 'Hallo,',
  'mail.reset.body':
    'Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts Ihres Kontos bei {brand} angefordert.',
  'mail.reset.action': 'Neues Passwort wählen',
  'mail.reset.expiry':
    'Der Link funktioniert einmal, 30 Minuten lang. Sobald das Passwort geändert ist, werden alle Sitzungen Ihres Kontos abgemeldet.',
  'mail.reset.notYou':
    'Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
  'mail.reset.provider.subject': 'Anmeldung bei {brand}',
  'mail.reset.provider.body':
    'Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts Ihres Kontos bei {brand} angefordert. Ihr Konto hat kein Passwort, das sich zurücksetzen ließe: Sie melden sich über {provider} an.',
  'mail.reset.provider.action': 'Zur Anmeldeseite',
  'mail.reset.provider.notYou': 'Falls Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  invalid_email: 'Geben Sie eine gültige E-Mail-Adresse ein.',
  invalid_name: 'Geben Sie einen Namen mit höchstens 200 Zeichen ein.',
  signup_domain:
    'Die Registrierung ist nur für Adressen bestimmter Domains möglich. Verwenden Sie eine Adresse einer dieser Domains.',
  email_taken:
    'Diese Adresse gehört inzwischen zu einem anderen Konto; Ihre Adresse wurde daher nicht geändert.',
  email_unchanged: 'Das ist bereits Ihre Adresse.',
  email_managed: 'Ihre Adresse stammt von dem Anbieter, über den Sie sich anmelden; ändern Sie sie dort.',
  verification_sent: 'Wir haben einen Bestätigungslink an Ihre Adresse gesendet. Er ist 24 Stunden gültig.',
  email_change_sent:
    'Wir haben einen Bestätigungslink an Ihre neue Adresse gesendet. Ihre Adresse ändert sich, sobald Sie ihm folgen.',
  'login.createAccount': 'Konto erstellen',
  'signup.title': 'Konto erstellen',
  'signup.lead': 'Geben Sie Ihren Namen, Ihre E-Mail-Adresse und ein Passwort ein.',
  'signup.name': 'Ihr Name',
  'signup.email': 'E-Mail',
  'signup.password': 'Passwort',
  'signup.submit': 'Konto erstellen',
  'signup.haveAccount': 'Sie haben bereits ein Konto?',
  'signup.signIn': 'Anmelden',
  'signupSent.title': 'Prüfen Sie Ihr Postfach',
  'signupSent.lead':
    'Wir haben eine Nachricht an {email} gesendet. Folgen Sie dem Link darin, um Ihre Adresse zu bestätigen, und melden Sie sich dann an.',
  'signupSent.hint':
    'Der Link ist 24 Stunden gültig. Keine Nachricht erhalten? Sehen Sie im Spam-Ordner nach oder versuchen Sie es später erneut.',
  'signupSent.back': 'Zurück zur Anmeldung',
  'verifyEmail.title': 'E-Mail-Adresse bestätigen',
  'verifyEmail.lead': 'Bestätigen Sie, dass {email} Ihre Adresse ist.',
  'verifyEmail.leadChange': 'Bestätigen Sie {email} als neue Adresse Ihres Kontos.',
  'verifyEmail.submit': 'E-Mail bestätigen',
  'emailVerified.title': 'E-Mail bestätigt',
  'emailVerified.lead': 'Ihre Adresse {email} ist bestätigt.',
  'emailVerified.leadChange': 'Ihre Adresse ist jetzt {email} und bestätigt.',
  'emailVerified.continue': 'Weiter zu Ihrem Konto',
  'emailSection.heading': 'E-Mail',
  'emailSection.verified': 'Bestätigt',
  'emailSection.unverified': 'Nicht bestätigt',
  'emailSection.unverifiedHint':
    'Manche Apps verlangen eine bestätigte Adresse. Wir können Ihnen einen neuen Link senden.',
  'emailSection.resend': 'Bestätigungs-E-Mail senden',
  'emailSection.change': 'E-Mail-Adresse ändern',
  'emailSection.managed': 'Ihre Adresse stammt von {provider}, wo Sie sich anmelden; ändern Sie sie dort.',
  'accountEmail.title': 'E-Mail-Adresse ändern',
  'accountEmail.lead':
    'Ihre Adresse ist {email}. Wir senden einen Link an die neue Adresse; die Änderung gilt, sobald Sie ihm folgen.',
  'accountEmail.new': 'Neue E-Mail-Adresse',
  'accountEmail.password': 'Aktuelles Passwort',
  'accountEmail.submit': 'E-Mail-Adresse ändern',
  'accountEmail.back': 'Zurück zu Ihrem Konto',
  'mail.verify.subject': 'Bestätigen Sie Ihre E-Mail-Adresse für {brand}',
  'mail.verify.body': 'Folgen Sie dem Link, um {email} für Ihr {brand}-Konto zu bestätigen.',
  'mail.verify.action': 'E-Mail bestätigen',
  'mail.verify.expiry': 'Der Link funktioniert einmal und ist 24 Stunden gültig.',
  'mail.verify.notYou': 'Wenn Sie kein Konto erstellt haben, ignorieren Sie diese Nachricht.',
  'mail.emailChange.subject': 'Bestätigen Sie Ihre neue E-Mail-Adresse für {brand}',
  'mail.emailChange.body': 'Folgen Sie dem Link, um {email} zur Adresse Ihres {brand}-Kontos zu machen.',
  'mail.emailChange.action': 'Neue Adresse bestätigen',
  'mail.emailChange.notYou':
    'Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Es ändert sich nichts.',
  'mail.emailChangeRequested.subject': 'Änderung der E-Mail-Adresse Ihres {brand}-Kontos angefordert',
  'mail.emailChangeRequested.body':
    'Jemand hat angefordert, die Adresse Ihres {brand}-Kontos in {email} zu ändern. Sie ändert sich erst, wenn dem dorthin gesendeten Link gefolgt wird.',
  'mail.emailChangeRequested.notYou': 'Wenn Sie das nicht waren, ändern Sie jetzt Ihr Passwort.',
  'mail.emailChanged.subject': 'Ihre E-Mail-Adresse bei {brand} wurde geändert',
  'mail.emailChanged.body':
    'Die Adresse Ihres {brand}-Kontos wurde in {email} geändert. Nachrichten zu Ihrem Konto gehen jetzt dorthin.',
  'mail.emailChanged.notYou': 'Wenn Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.',
  'mail.signupExists.subject': 'Jemand wollte mit Ihrer Adresse ein {brand}-Konto erstellen',
  'mail.signupExists.body':
    'Jemand, vielleicht Sie, wollte mit {email} ein {brand}-Konto erstellen. Sie haben bereits ein Konto mit dieser Adresse; es wurde nichts geändert.',
  'mail.signupExists.action': 'Anmelden',
  'mail.signupExists.forgot': 'Passwort vergessen? Wählen Sie hier ein neues: {forgotUrl}',
  'mail.signupExists.notYou': 'Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.',
  email_not_verified:
    'Diese App benötigt eine bestätigte E-Mail-Adresse. Folgen Sie dem Link in der Bestätigungs-E-Mail oder senden Sie sie auf Ihrer Kontoseite erneut.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  'passwordRules.intro': 'Ihr Passwort muss:',
  'passwordRules.minLength': 'Mindestens {min} Zeichen lang sein',
  'passwordRules.notCommon': 'Kein häufig verwendetes Passwort sein',
  'passwordRules.notContext': 'Weder Ihre E-Mail-Adresse noch der Name {brand} sein',
  'passwordRules.hardToGuess': 'Schwer zu erraten sein',
  'passwordRules.weakLength': 'Wählen Sie ein Passwort mit {min} bis {max} Zeichen.',
  'passwordRules.weakCommon':
    'Es darf kein häufig verwendetes Passwort, nicht Ihre E-Mail-Adresse und nicht der Name {brand} sein.',
  'passwordRules.weakContext': 'Es darf weder Ihre E-Mail-Adresse noch der Name {brand} sein.',
  'passwordRules.weakScore':
    'Es muss außerdem schwer zu erraten sein: Vermeiden Sie Namen, Daten, einzelne Wörter und Tastaturmuster.',
  'mail.invite.subject': 'Sie wurden zu {brand} eingeladen',
  'mail.invite.intro':
    'Sie wurden zu {brand} eingeladen. Ihr Konto für die Adresse {email} ist bereit: Wählen Sie ein Passwort, um es zu nutzen.',
  'mail.invite.action': 'Passwort wählen',
  'mail.invite.expiry':
    'Der Link funktioniert einmal und {days} Tage lang. Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.',
  'mail.setPassword.subject': 'Wählen Sie ein Passwort für {brand}',
  'mail.setPassword.intro':
    'Ihr {brand}-Konto ({email}) ist nicht mehr mit einem Anmeldeanbieter verknüpft. Um sich weiter anzumelden, wählen Sie ein Passwort.',
  'mail.setPassword.action': 'Passwort wählen',
  'mail.setPassword.expiry':
    'Der Link funktioniert einmal und {hours} Stunden lang. Wenn Sie das nicht erwartet haben, wenden Sie sich an Ihre Administration.',
  // (end of invitations and password policy)
} satisfies Messages;
