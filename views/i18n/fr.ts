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
  invalid_user_code: 'Ce code n’est pas valide. Vérifiez le code affiché sur votre appareil et réessayez.',
  expired_user_code: 'Ce code a expiré. Recommencez sur votre appareil pour en obtenir un nouveau.',
  server_error: 'Une erreur inattendue s’est produite de notre côté. Veuillez réessayer.',
  not_found: 'La page que vous recherchez n’existe pas.',
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
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  email_not_verified:
    'Cette application nécessite une adresse e-mail vérifiée. Suivez le lien de l’e-mail de vérification, ou renvoyez-le depuis la page de votre compte.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  // (end of invitations and password policy)
} satisfies Messages;
