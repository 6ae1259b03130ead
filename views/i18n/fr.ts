import type { Messages } from './en.js';

/** French: "vous"; sign in = Se connecter, sign out = Se déconnecter, app = application. */
export const fr = {
  invalid_credentials: 'Adresse e-mail ou mot de passe incorrect.',
  account_disabled: 'Ce compte est désactivé.',
  throttled: 'Trop de tentatives. Patientez un instant, puis réessayez.',
  invalid_code: 'Ce code n’a pas fonctionné. Vérifiez votre application d’authentification et réessayez.',
  too_many_codes: 'Trop de codes erronés. Reconnectez-vous pour obtenir de nouvelles tentatives.',
  csrf: 'Ce formulaire a expiré. Veuillez réessayer.',
  interaction_expired: 'Cette demande de connexion a expiré. Retournez dans l’application et recommencez.',
  login_required: 'Vous devez vous connecter pour continuer.',
  consent_required: 'Vous devez autoriser l’accès de cette application pour continuer.',
  invalid_client: 'Cette application n’est pas enregistrée auprès de ce service de connexion.',
  invalid_redirect_uri:
    'L’application a demandé à vous rediriger vers une adresse qu’elle n’a pas enregistrée : vous ne pouvez donc pas y être renvoyé en toute sécurité.',
  invalid_request:
    'L’application a envoyé une requête non valide. Retournez dans l’application et réessayez.',
  invalid_scope: 'L’application a demandé un accès qui n’est pas disponible.',
  unauthorized_client: 'Cette application n’est pas autorisée à vous connecter de cette manière.',
  unsupported_response_type: 'L’application a demandé un type de connexion que ce service ne propose pas.',
  access_denied: 'L’accès a été refusé.',
  email_used:
    'Un compte existe déjà avec cette adresse e-mail. Connectez-vous avec votre mot de passe, puis associez ce fournisseur depuis la page de votre compte.',
  email_unverified:
    'Le fournisseur n’a pas confirmé que cette adresse e-mail est vérifiée : vous ne pouvez donc pas l’utiliser pour vous connecter.',
  provider_disabled: 'La connexion avec ce fournisseur est désactivée.',
  provider_error: 'Le fournisseur de connexion n’a pas répondu comme prévu. Veuillez réessayer plus tard.',
  state_mismatch: 'Cette tentative de connexion n’a pas pu être vérifiée. Veuillez recommencer.',
  identity_used:
    'Ce compte du fournisseur est déjà associé à un autre compte ici. Connectez-vous avec celui-ci, ou associez-en un autre.',
  password_login_off:
    'La connexion par mot de passe est désactivée ici. Continuez plutôt avec un fournisseur de connexion.',
  weak_password: 'Choisissez un mot de passe de 8 à 256 caractères qui ne soit pas couramment utilisé.',
  password_mismatch: 'Les mots de passe ne correspondent pas.',
  invalid_link: 'Ce lien a expiré ou a déjà été utilisé. Demandez-en un nouveau à votre administrateur.',
  reset_link_invalid:
    'Ce lien a expiré ou a déjà été utilisé. Demandez-en un nouveau sur la page de connexion.',
  email_link_invalid:
    'Ce lien a expiré ou a déjà été utilisé. Connectez-vous pour en envoyer un nouveau depuis la page de votre compte.',
  link_needs_verified_email:
    'Confirmez votre adresse e-mail avant de lier un fournisseur de connexion : suivez le lien de l’e-mail de confirmation, ou renvoyez-le depuis la page de votre compte.',
  invalid_user_code: 'Ce code n’est pas valide. Vérifiez le code affiché sur votre appareil et réessayez.',
  expired_user_code: 'Ce code a expiré. Recommencez sur votre appareil pour en obtenir un nouveau.',
  server_error: 'Une erreur inattendue s’est produite de notre côté. Veuillez réessayer.',
  not_found: 'La page que vous recherchez n’existe pas.',
  admin_forbidden: 'Vous n’avez pas accès à la console d’administration.',
  app_revoked: 'L’accès de l’application a été supprimé.',
  mfa_enabled: 'L’authentification à deux facteurs est maintenant activée.',
  mfa_disabled: 'L’authentification à deux facteurs est maintenant désactivée.',
  recovery_codes_regenerated:
    'Vous avez de nouveaux codes de récupération. Les anciens ne fonctionnent plus.',
  second_factor_confirmed:
    'Code confirmé. Vous pouvez maintenant reprendre votre action : veuillez la refaire.',
  provider_linked: 'Votre compte est maintenant associé. Désormais, connectez-vous avec ce fournisseur.',
  session_signed_out: 'Cette session est déconnectée.',
  password_changed: 'Votre mot de passe a été modifié. Vos autres sessions ont été déconnectées.',

  'throttled.wait': 'Trop de tentatives. Réessayez {wait}.',

  'layout.language': 'Langue',

  'scope.openid': 'Confirmer votre identité',
  'scope.profile': 'Votre nom',
  'scope.email': 'Votre adresse e-mail',
  'scope.offline_access': 'Rester connecté',
  'scope.groups': 'Vos groupes',
  'scope.admin': 'Administrer ce serveur latchkey',

  'login.title': 'Se connecter',
  'login.toContinue': 'pour continuer vers {client}',
  'login.welcome': 'Bon retour parmi nous. Connectez-vous à votre compte.',
  'login.continueWith': 'Continuer avec {provider}',
  'login.or': 'ou',
  'login.email': 'E-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.remember': 'Rester connecté',
  'home.signIn': 'Se connecter à votre compte',

  'consent.title': 'Autoriser {client}',
  'consent.heading': '{client} souhaite accéder à votre compte',
  'consent.signedInAs': 'Connecté en tant que {email}',
  'consent.requested': 'Accès demandé',
  'consent.resource': 'pour {resource}',
  'consent.finePrint':
    'N’autorisez que les applications auxquelles vous faites confiance. Vous pouvez retirer cet accès à tout moment depuis la page de votre compte.',
  'consent.deny': 'Refuser',
  'consent.allow': 'Autoriser',
  'consent.about': 'À propos de {client}',
  'consent.website': 'Site web',
  'consent.privacy': 'Politique de confidentialité',
  'consent.terms': 'Conditions d’utilisation',

  'error.title': 'Une erreur s’est produite',
  'error.code': 'Code d’erreur : {code}',
  'error.backToApp': 'Retour à {app}',
  'error.toAccount': 'Aller à votre compte',

  'logout.title': 'Se déconnecter',
  'logout.heading': 'Se déconnecter ?',
  'logout.clientAsks': '{client} demande à vous déconnecter.',
  'logout.thisBrowser': 'Vous serez déconnecté de ce navigateur.',
  'logout.submit': 'Se déconnecter',
  'logout.cancel': 'Annuler',
  'signedOut.title': 'Déconnecté',
  'signedOut.heading': 'Vous êtes déconnecté',
  'signedOut.lead': 'Vous pouvez fermer cette fenêtre.',

  'device.title': 'Connecter un appareil',
  'device.lead': 'Saisissez le code affiché sur votre appareil.',
  'device.code': 'Code',
  'device.submit': 'Continuer',
  'deviceDone.approved': 'Appareil connecté',
  'deviceDone.denied': 'Demande refusée',
  'deviceDone.approvedLead':
    'Vous pouvez retourner sur votre appareil ; la connexion va se terminer sous peu.',
  'deviceDone.deniedLead': 'L’appareil n’a pas obtenu l’accès. Vous pouvez fermer cette fenêtre.',

  'formPost.title': 'Continuer',
  'formPost.heading': 'Continuer vers l’application',
  'formPost.lead': 'Connexion en cours.',
  'formPost.submit': 'Continuer',

  'setPassword.title': 'Définir votre mot de passe',
  'setPassword.lead': 'Choisissez le mot de passe avec lequel vous vous connecterez désormais.',
  'setPassword.new': 'Nouveau mot de passe',
  'setPassword.submit': 'Définir le mot de passe',
  'passwordSet.title': 'Mot de passe défini',
  'passwordSet.heading': 'Votre mot de passe est défini',
  'passwordSet.lead':
    'Vous pouvez maintenant vous connecter avec votre adresse e-mail et le nouveau mot de passe.',
  'passwordSet.signIn': 'Se connecter',

  'mfa.title': 'Authentification à deux facteurs',
  'mfa.lead': 'Saisissez le code à 6 chiffres de votre application d’authentification.',
  'mfa.code': 'Code d’authentification',
  'mfa.hint': 'Appareil perdu ? Saisissez plutôt l’un de vos codes de récupération.',
  'mfa.verify': 'Vérifier',
  'totp.intro':
    'Scannez le QR code avec votre application d’authentification, ou saisissez la clé secrète à la main. Saisissez ensuite le code affiché par l’application.',
  'totp.qrAlt': 'QR code pour ajouter latchkey à votre application d’authentification',
  'totp.secret': 'Clé secrète',
  'totp.open': 'Ouvrir dans votre application d’authentification',
  'totp.code': 'Code d’authentification',
  'totp.enable': 'Activer',
  'recovery.heading': 'Codes de récupération',
  'recovery.save':
    'Conservez-les dès maintenant en lieu sûr : ils ne seront plus affichés. Chacun fonctionne une fois, si vous perdez votre application d’authentification.',
  'mfaEnrol.title': 'Configurer l’authentification à deux facteurs',
  'mfaEnrol.required':
    'Cette application exige un code d’une application d’authentification à chaque connexion.',
  'mfaEnrol.done': 'L’authentification à deux facteurs est maintenant activée.',
  'mfaEnrol.continue': 'Continuer',

  'account.title': 'Votre compte',
  'account.signOut': 'Se déconnecter',
  'sessions.heading': 'Sessions',
  'sessions.intro': 'Les navigateurs sur lesquels vous êtes connecté.',
  'sessions.thisDevice': 'Cet appareil',
  'sessions.signedIn': 'Connecté le {time}',
  'sessions.lastSeen': 'Dernière activité : {time}',
  'sessions.signOut': 'Se déconnecter',
  'sessions.everywhere': 'Se déconnecter partout',
  'sessions.everywhereHint':
    'Met fin à toutes les sessions, y compris celle-ci, et vous déconnecte des applications connectées.',
  'password.heading': 'Mot de passe',
  'password.intro': 'Le modifier vous déconnecte de vos autres sessions.',
  'password.current': 'Mot de passe actuel',
  'password.new': 'Nouveau mot de passe',
  'password.submit': 'Modifier le mot de passe',
  'password.show': 'Afficher le mot de passe',
  'apps.heading': 'Applications connectées',
  'apps.empty': 'Aucune application n’a accès à votre compte.',
  'apps.intro': 'Les applications que vous avez autorisées à accéder à votre compte.',
  'apps.allowed': 'Autorisée le {time}',
  'apps.revoke': 'Révoquer',
  'mfaSection.heading': 'Authentification à deux facteurs',
  'mfaSection.on': 'Activée',
  'mfaSection.offIntro':
    'Protégez votre compte avec un code d’une application d’authentification à chaque connexion.',
  'mfaSection.setUp': 'Configurer l’authentification à deux facteurs',
  'mfaSection.onIntro':
    'La connexion demande un code de votre application d’authentification, ou l’un de vos codes de récupération.',
  'mfaSection.credential': 'Mot de passe ou code d’authentification',
  'mfaSection.newCodes': 'Nouveaux codes de récupération',
  'mfaSection.turnOff': 'Désactiver l’authentification à deux facteurs',
  'mfaSection.hintPassword':
    'Saisissez votre mot de passe, un code de votre application d’authentification ou un code de récupération.',
  'mfaSection.hintCode':
    'Saisissez un code de votre application d’authentification ou un code de récupération.',
  'provider.heading': 'Fournisseur de connexion',
  'provider.linked': 'Vous vous connectez avec {provider}.',
  'provider.none': 'Vous vous connectez avec votre adresse e-mail et votre mot de passe.',
  'provider.linkHint':
    'Associer un fournisseur remplace votre mot de passe : vous vous connecterez désormais avec ce fournisseur, et vos autres sessions seront déconnectées. Confirmez avec votre mot de passe actuel.',
  'provider.password': 'Mot de passe',
  'provider.link': 'Associer {provider}',
  'ua.browserOn': '{browser} sur {os}',
  'ua.unknown': 'Navigateur inconnu',

  // Mail (issue 15): every mail's link fallback and footer (src/mail/templates.ts, views/mail.tsx).
  'mail.linkFallback': 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :',
  'mail.footer': 'Ce message a été envoyé par {brand} suite à une action sur votre compte.',

  // Password reset (issue 15): forgot-password page, reset mail, federated-account mail.
  forgot_email_invalid: 'Saisissez une adresse e-mail comme nom@example.com.',
  'login.forgot': 'Mot de passe oublié ?',
  'forgot.title': 'Réinitialiser votre mot de passe',
  'forgot.lead':
    'Saisissez l’adresse e-mail de votre compte. Nous vous enverrons un lien pour choisir un nouveau mot de passe.',
  'forgot.email': 'E-mail',
  'forgot.submit': 'Envoyer le lien de réinitialisation',
  'forgot.back': 'Retour à la connexion',
  'forgotSent.title': 'Consultez vos e-mails',
  'forgotSent.lead':
    'Si un compte avec mot de passe utilise cette adresse, un lien pour choisir un nouveau mot de passe est en route. Il fonctionne une fois, pendant 30 minutes.',
  'forgotSent.hint':
    'Aucun e-mail après quelques minutes ? Vérifiez vos courriers indésirables, ou demandez un nouveau lien.',
  'reset.title': 'Choisir un nouveau mot de passe',
  'reset.lead':
    'Choisissez le mot de passe avec lequel vous vous connecterez désormais. Toutes vos sessions seront déconnectées.',
  'mail.reset.subject': 'Réinitialiser votre mot de passe {brand}',
  'mail.reset.greeting': 'Bonjour {name},',
  'mail.reset.greetingAnon': 'Bonjour,',
  'mail.reset.body':
    'Quelqu’un, vous sans doute, a demandé la réinitialisation du mot de passe de votre compte {brand}.',
  'mail.reset.action': 'Choisir un nouveau mot de passe',
  'mail.reset.expiry':
    'Le lien fonctionne une fois, pendant 30 minutes. Une fois le mot de passe changé, toutes les sessions de votre compte sont déconnectées.',
  'mail.reset.notYou': 'Si vous n’avez rien demandé, ignorez cet e-mail : votre mot de passe reste inchangé.',
  'mail.reset.provider.subject': 'Connexion à {brand}',
  'mail.reset.provider.body':
    'Quelqu’un, vous sans doute, a demandé la réinitialisation du mot de passe de votre compte {brand}. Votre compte n’a pas de mot de passe à réinitialiser : vous vous connectez avec {provider}.',
  'mail.reset.provider.action': 'Aller à la page de connexion',
  'mail.reset.provider.notYou': 'Si vous n’avez rien demandé, vous pouvez ignorer cet e-mail.',
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  invalid_email: 'Saisissez une adresse e-mail valide.',
  invalid_name: 'Saisissez un nom de 200 caractères au plus.',
  signup_domain:
    'L’inscription n’est ouverte qu’aux adresses de certains domaines. Utilisez une adresse de l’un d’eux.',
  email_taken:
    'Cette adresse appartient désormais à un autre compte : votre adresse n’a donc pas été modifiée.',
  email_unchanged: 'C’est déjà votre adresse.',
  email_managed: 'Votre adresse vient du fournisseur avec lequel vous vous connectez ; modifiez-la chez lui.',
  verification_sent: 'Nous avons envoyé un lien de vérification à votre adresse. Il est valable 24 heures.',
  email_change_sent:
    'Nous avons envoyé un lien de confirmation à votre nouvelle adresse. Votre adresse change dès que vous le suivez.',
  'login.createAccount': 'Créer un compte',
  'signup.title': 'Créer un compte',
  'signup.lead': 'Saisissez votre nom, votre adresse e-mail et un mot de passe.',
  'signup.name': 'Nom',
  'signup.email': 'E-mail',
  'signup.password': 'Mot de passe',
  'signup.submit': 'Créer un compte',
  'signup.haveAccount': 'Vous avez déjà un compte ?',
  'signup.signIn': 'Se connecter',
  'signupSent.title': 'Consultez vos e-mails',
  'signupSent.lead':
    'Nous avons envoyé un message à {email}. Suivez le lien qu’il contient pour vérifier votre adresse, puis connectez-vous.',
  'signupSent.hint':
    'Le lien est valable 24 heures. Pas de message ? Regardez dans vos courriers indésirables ou réessayez plus tard.',
  'signupSent.back': 'Retour à la connexion',
  'verifyEmail.title': 'Vérifier votre adresse e-mail',
  'verifyEmail.lead': 'Confirmez que {email} est votre adresse.',
  'verifyEmail.leadChange': 'Confirmez {email} comme nouvelle adresse de votre compte.',
  'verifyEmail.submit': 'Vérifier l’e-mail',
  'emailVerified.title': 'Adresse e-mail vérifiée',
  'emailVerified.lead': 'Votre adresse {email} est vérifiée.',
  'emailVerified.leadChange': 'Votre adresse est désormais {email}, et elle est vérifiée.',
  'emailVerified.continue': 'Continuer vers votre compte',
  'emailSection.heading': 'E-mail',
  'emailSection.verified': 'Vérifiée',
  'emailSection.unverified': 'Non vérifiée',
  'emailSection.unverifiedHint':
    'Certaines applications exigent une adresse vérifiée. Nous pouvons vous envoyer un nouveau lien.',
  'emailSection.resend': 'Envoyer l’e-mail de vérification',
  'emailSection.change': 'Changer d’adresse e-mail',
  'emailSection.managed': 'Votre adresse vient de {provider}, où vous vous connectez ; modifiez-la là-bas.',
  'accountEmail.title': 'Changer d’adresse e-mail',
  'accountEmail.lead':
    'Votre adresse est {email}. Nous envoyons un lien à la nouvelle adresse ; le changement prend effet quand vous le suivez.',
  'accountEmail.new': 'Nouvel e-mail',
  'accountEmail.password': 'Mot de passe actuel',
  'accountEmail.submit': 'Changer d’adresse e-mail',
  'accountEmail.back': 'Retour à votre compte',
  'mail.verify.subject': 'Vérifiez votre adresse e-mail pour {brand}',
  'mail.verify.body': 'Suivez le lien pour vérifier {email} pour votre compte {brand}.',
  'mail.verify.action': 'Vérifier l’e-mail',
  'mail.verify.expiry': 'Le lien fonctionne une seule fois, pendant 24 heures.',
  'mail.verify.notYou': 'Si vous n’avez pas créé de compte, ignorez ce message.',
  'mail.emailChange.subject': 'Confirmez votre nouvelle adresse e-mail pour {brand}',
  'mail.emailChange.body': 'Suivez le lien pour faire de {email} l’adresse de votre compte {brand}.',
  'mail.emailChange.action': 'Confirmer la nouvelle adresse',
  'mail.emailChange.notYou':
    'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : rien ne change.',
  'mail.emailChangeRequested.subject': 'Changement d’adresse e-mail demandé pour votre compte {brand}',
  'mail.emailChangeRequested.body':
    'Quelqu’un a demandé à changer l’adresse de votre compte {brand} en {email}. Elle ne change que si le lien envoyé à cette adresse est suivi.',
  'mail.emailChangeRequested.notYou': 'Si ce n’était pas vous, changez votre mot de passe dès maintenant.',
  'mail.emailChanged.subject': 'Votre adresse e-mail {brand} a été modifiée',
  'mail.emailChanged.body':
    'L’adresse de votre compte {brand} a été remplacée par {email}. Les messages concernant votre compte y sont désormais envoyés.',
  'mail.emailChanged.notYou':
    'Si vous n’êtes pas à l’origine de ce changement, contactez immédiatement votre administrateur.',
  'mail.signupExists.subject': 'Quelqu’un a tenté de créer un compte {brand} avec votre adresse',
  'mail.signupExists.body':
    'Quelqu’un, peut-être vous, a tenté de créer un compte {brand} avec {email}. Vous avez déjà un compte avec cette adresse : rien n’a été modifié.',
  'mail.signupExists.action': 'Se connecter',
  'mail.signupExists.forgot': 'Mot de passe oublié ? Choisissez-en un nouveau ici : {forgotUrl}',
  'mail.signupExists.notYou': 'Si ce n’était pas vous, vous pouvez ignorer ce message.',
  email_not_verified:
    'Cette application nécessite une adresse e-mail vérifiée. Suivez le lien de l’e-mail de vérification, ou renvoyez-le depuis la page de votre compte.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  'passwordRules.intro': 'Votre mot de passe doit :',
  'passwordRules.minLength': 'Compter au moins {min} caractères',
  'passwordRules.notCommon': 'Ne pas être un mot de passe couramment utilisé',
  'passwordRules.notContext': 'Ne pas être votre adresse e-mail ni le nom {brand}',
  'passwordRules.hardToGuess': 'Être difficile à deviner',
  'passwordRules.weakLength': 'Choisissez un mot de passe de {min} à {max} caractères.',
  'passwordRules.weakCommon':
    'Il ne doit être ni un mot de passe couramment utilisé, ni votre adresse e-mail, ni le nom {brand}.',
  'passwordRules.weakContext': 'Il ne doit être ni votre adresse e-mail ni le nom {brand}.',
  'passwordRules.weakScore':
    'Il doit aussi être difficile à deviner : évitez les noms, les dates, les mots isolés et les suites de touches du clavier.',
  'mail.invite.subject': 'Vous avez été invité(e) sur {brand}',
  'mail.invite.intro':
    'Vous avez été invité(e) sur {brand}. Votre compte pour l’adresse {email} est prêt : choisissez un mot de passe pour commencer à l’utiliser.',
  'mail.invite.action': 'Choisir mon mot de passe',
  'mail.invite.expiry':
    'Le lien fonctionne une seule fois, pendant {days} jours. Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.',
  'mail.setPassword.subject': 'Choisissez un mot de passe pour {brand}',
  'mail.setPassword.intro':
    'Votre compte {brand} ({email}) n’est plus lié à un fournisseur de connexion. Pour continuer à vous connecter, choisissez un mot de passe.',
  'mail.setPassword.action': 'Choisir un mot de passe',
  'mail.setPassword.expiry':
    'Le lien fonctionne une seule fois, pendant {hours} heures. Si vous ne vous y attendiez pas, contactez votre administrateur.',
  // (end of invitations and password policy)
} satisfies Messages;
