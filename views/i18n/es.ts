import type { Messages } from './en.js';

/** Spanish: "usted"; sign in = Iniciar sesión, sign out = Cerrar sesión, app = aplicación. */
export const es = {
  invalid_credentials: 'El correo electrónico o la contraseña no son correctos.',
  account_disabled: 'Esta cuenta está desactivada.',
  throttled: 'Demasiados intentos. Espere un momento y vuelva a intentarlo.',
  invalid_code: 'Ese código no ha funcionado. Revise su aplicación de autenticación y vuelva a intentarlo.',
  too_many_codes: 'Demasiados códigos incorrectos. Vuelva a iniciar sesión para obtener nuevos intentos.',
  csrf: 'Este formulario ha caducado. Vuelva a intentarlo.',
  interaction_expired:
    'Esta solicitud de inicio de sesión ha caducado. Vuelva a la aplicación y empiece de nuevo.',
  login_required: 'Debe iniciar sesión para continuar.',
  consent_required: 'Debe autorizar el acceso de esta aplicación para continuar.',
  invalid_client: 'Esta aplicación no está registrada en este servicio de inicio de sesión.',
  invalid_redirect_uri:
    'La aplicación pidió enviarle a una dirección que no ha registrado, por lo que no es posible devolverle a ella de forma segura.',
  invalid_request:
    'La aplicación envió una solicitud no válida. Vuelva a la aplicación e inténtelo de nuevo.',
  invalid_scope: 'La aplicación solicitó un acceso que no está disponible.',
  unauthorized_client: 'Esta aplicación no tiene permiso para iniciar su sesión de esta forma.',
  unsupported_response_type:
    'La aplicación solicitó un tipo de inicio de sesión que este servicio no ofrece.',
  access_denied: 'Se ha denegado el acceso.',
  email_used:
    'Ya existe una cuenta con esta dirección de correo electrónico. Inicie sesión con su contraseña y, después, vincule este proveedor desde la página de su cuenta.',
  email_unverified:
    'El proveedor no ha confirmado que esta dirección de correo electrónico esté verificada, por lo que no puede usarla para iniciar sesión.',
  provider_disabled: 'El inicio de sesión con este proveedor está desactivado.',
  provider_error:
    'El proveedor de inicio de sesión no respondió como se esperaba. Vuelva a intentarlo más tarde.',
  state_mismatch: 'No se ha podido verificar este intento de inicio de sesión. Empiece de nuevo.',
  identity_used:
    'Esta cuenta del proveedor ya está vinculada a otra cuenta de este servicio. Inicie sesión con ella o vincule otra distinta.',
  password_login_off:
    'El inicio de sesión con contraseña está desactivado aquí. Continúe con un proveedor de inicio de sesión.',
  weak_password: 'Elija una contraseña de 8 a 256 caracteres que no sea de uso común.',
  password_mismatch: 'Las contraseñas no coinciden.',
  invalid_link: 'Este enlace ha caducado o ya se ha utilizado. Pida uno nuevo a su administrador.',
  reset_link_invalid:
    'Este enlace ha caducado o ya se ha utilizado. Solicite uno nuevo en la página de inicio de sesión.',
  email_link_invalid:
    'Este enlace ha caducado o ya se ha utilizado. Inicie sesión para enviar uno nuevo desde la página de su cuenta.',
  link_needs_verified_email:
    'Verifique su dirección de correo electrónico antes de vincular un proveedor de inicio de sesión: siga el enlace del correo de verificación o vuelva a enviarlo desde la página de su cuenta.',
  invalid_user_code: 'Ese código no es válido. Compruebe el código de su dispositivo y vuelva a intentarlo.',
  expired_user_code: 'Ese código ha caducado. Empiece de nuevo en su dispositivo para obtener otro.',
  server_error: 'Se ha producido un error inesperado por nuestra parte. Vuelva a intentarlo.',
  not_found: 'La página que busca no existe.',
  admin_forbidden: 'No tiene acceso a la consola de administración.',
  app_revoked: 'Se ha retirado el acceso de la aplicación.',
  mfa_enabled: 'La autenticación en dos pasos está activada.',
  mfa_disabled: 'La autenticación en dos pasos está desactivada.',
  recovery_codes_regenerated: 'Tiene nuevos códigos de recuperación. Los anteriores ya no funcionan.',
  second_factor_confirmed: 'Código confirmado. Ya puede continuar: repita la acción que estaba realizando.',
  provider_linked: 'Su cuenta ya está vinculada. A partir de ahora, inicie sesión con el proveedor.',
  session_signed_out: 'Se ha cerrado esa sesión.',
  password_changed: 'Su contraseña se ha cambiado. Se han cerrado sus demás sesiones.',

  'throttled.wait': 'Demasiados intentos. Vuelva a intentarlo {wait}.',

  'layout.language': 'Idioma',

  'scope.openid': 'Confirmar su identidad',
  'scope.profile': 'Su nombre',
  'scope.email': 'Su dirección de correo electrónico',
  'scope.offline_access': 'Mantener la sesión iniciada',
  'scope.groups': 'Sus grupos',
  'scope.admin': 'Administrar este servidor latchkey',

  'login.title': 'Iniciar sesión',
  'login.toContinue': 'para continuar en {client}',
  'login.welcome': 'Le damos la bienvenida de nuevo. Inicie sesión en su cuenta.',
  'login.continueWith': 'Continuar con {provider}',
  'login.or': 'o',
  'login.email': 'Correo electrónico',
  'login.password': 'Contraseña',
  'login.submit': 'Iniciar sesión',
  'login.remember': 'Mantener la sesión iniciada',
  'home.signIn': 'Iniciar sesión en su cuenta',

  'consent.title': 'Autorizar a {client}',
  'consent.heading': '{client} quiere acceder a su cuenta',
  'consent.signedInAs': 'Sesión iniciada como {email}',
  'consent.requested': 'Acceso solicitado',
  'consent.resource': 'para {resource}',
  'consent.finePrint':
    'Autorice solo aplicaciones de confianza. Puede retirar este acceso en cualquier momento desde la página de su cuenta.',
  'consent.deny': 'Denegar',
  'consent.allow': 'Autorizar',
  'consent.about': 'Acerca de {client}',
  'consent.website': 'Sitio web',
  'consent.privacy': 'Política de privacidad',
  'consent.terms': 'Condiciones del servicio',

  'error.title': 'Algo ha salido mal',
  'error.code': 'Código de error: {code}',
  'error.backToApp': 'Volver a {app}',
  'error.toAccount': 'Ir a su cuenta',

  'logout.title': 'Cerrar sesión',
  'logout.heading': '¿Cerrar sesión?',
  'logout.clientAsks': '{client} solicita cerrar su sesión.',
  'logout.thisBrowser': 'Se cerrará su sesión en este navegador.',
  'logout.submit': 'Cerrar sesión',
  'logout.cancel': 'Cancelar',
  'signedOut.title': 'Sesión cerrada',
  'signedOut.heading': 'Ha cerrado la sesión',
  'signedOut.lead': 'Ya puede cerrar esta ventana.',

  'device.title': 'Conectar un dispositivo',
  'device.lead': 'Introduzca el código que aparece en su dispositivo.',
  'device.code': 'Código',
  'device.submit': 'Continuar',
  'deviceDone.approved': 'Dispositivo conectado',
  'deviceDone.denied': 'Solicitud denegada',
  'deviceDone.approvedLead':
    'Ya puede volver a su dispositivo; terminará de iniciar sesión en unos instantes.',
  'deviceDone.deniedLead': 'No se ha concedido acceso al dispositivo. Puede cerrar esta ventana.',

  'formPost.title': 'Continuar',
  'formPost.heading': 'Continuar a la aplicación',
  'formPost.lead': 'Iniciando sesión…',
  'formPost.submit': 'Continuar',

  'setPassword.title': 'Establezca su contraseña',
  'setPassword.lead': 'Elija la contraseña con la que iniciará sesión a partir de ahora.',
  'setPassword.new': 'Nueva contraseña',
  'setPassword.submit': 'Establecer contraseña',
  'passwordSet.title': 'Contraseña establecida',
  'passwordSet.heading': 'Su contraseña está establecida',
  'passwordSet.lead': 'Ya puede iniciar sesión con su dirección de correo electrónico y la nueva contraseña.',
  'passwordSet.signIn': 'Iniciar sesión',

  'mfa.title': 'Autenticación en dos pasos',
  'mfa.lead': 'Introduzca el código de 6 dígitos de su aplicación de autenticación.',
  'mfa.code': 'Código de autenticación',
  'mfa.hint': '¿Ha perdido su dispositivo? Introduzca uno de sus códigos de recuperación.',
  'mfa.verify': 'Verificar',
  'totp.intro':
    'Escanee el código QR con su aplicación de autenticación o introduzca la clave secreta manualmente. Después, introduzca el código que muestre la aplicación.',
  'totp.qrAlt': 'Código QR para añadir latchkey a su aplicación de autenticación',
  'totp.secret': 'Clave secreta',
  'totp.open': 'Abrir en su aplicación de autenticación',
  'totp.code': 'Código de autenticación',
  'totp.enable': 'Activar',
  'recovery.heading': 'Códigos de recuperación',
  'recovery.save':
    'Guárdelos ahora en un lugar seguro: no se volverán a mostrar. Cada uno sirve una vez, por si pierde su aplicación de autenticación.',
  'mfaEnrol.title': 'Configurar la autenticación en dos pasos',
  'mfaEnrol.required':
    'Esta aplicación exige un código de una aplicación de autenticación cada vez que inicia sesión.',
  'mfaEnrol.done': 'La autenticación en dos pasos está activada.',
  'mfaEnrol.continue': 'Continuar',

  'account.title': 'Su cuenta',
  'account.signOut': 'Cerrar sesión',
  'sessions.heading': 'Sesiones',
  'sessions.intro': 'Navegadores en los que tiene la sesión iniciada.',
  'sessions.thisDevice': 'Este dispositivo',
  'sessions.signedIn': 'Sesión iniciada: {time}',
  'sessions.lastSeen': 'Última actividad: {time}',
  'sessions.signOut': 'Cerrar sesión',
  'sessions.everywhere': 'Cerrar sesión en todas partes',
  'sessions.everywhereHint':
    'Finaliza todas las sesiones, incluida esta, y cierra su sesión en las aplicaciones conectadas.',
  'password.heading': 'Contraseña',
  'password.intro': 'Si la cambia, se cerrarán sus demás sesiones.',
  'password.current': 'Contraseña actual',
  'password.new': 'Nueva contraseña',
  'password.submit': 'Cambiar contraseña',
  'password.show': 'Mostrar contraseña',
  'apps.heading': 'Aplicaciones conectadas',
  'apps.empty': 'Ninguna aplicación tiene acceso a su cuenta.',
  'apps.intro': 'Aplicaciones a las que ha permitido acceder a su cuenta.',
  'apps.allowed': 'Autorizada: {time}',
  'apps.revoke': 'Revocar',
  'mfaSection.heading': 'Autenticación en dos pasos',
  'mfaSection.on': 'Activada',
  'mfaSection.offIntro':
    'Proteja su cuenta con un código de una aplicación de autenticación cada vez que inicie sesión.',
  'mfaSection.setUp': 'Configurar la autenticación en dos pasos',
  'mfaSection.onIntro':
    'Al iniciar sesión se le pide un código de su aplicación de autenticación o uno de sus códigos de recuperación.',
  'mfaSection.credential': 'Contraseña o código de autenticación',
  'mfaSection.newCodes': 'Nuevos códigos de recuperación',
  'mfaSection.turnOff': 'Desactivar la autenticación en dos pasos',
  'mfaSection.hintPassword':
    'Introduzca su contraseña, un código de su aplicación de autenticación o un código de recuperación.',
  'mfaSection.hintCode':
    'Introduzca un código de su aplicación de autenticación o un código de recuperación.',
  'provider.heading': 'Proveedor de inicio de sesión',
  'provider.linked': 'Su cuenta usa {provider} para iniciar sesión.',
  'provider.none': 'Su cuenta usa su correo electrónico y su contraseña para iniciar sesión.',
  'provider.linkHint':
    'Vincular un proveedor sustituye su contraseña: a partir de entonces iniciará sesión con el proveedor y se cerrarán sus demás sesiones. Confirme con su contraseña actual.',
  'provider.password': 'Contraseña',
  'provider.link': 'Vincular {provider}',
  'ua.browserOn': '{browser} en {os}',
  'ua.unknown': 'Navegador desconocido',

  // Mail (issue 15): every mail's link fallback and footer (src/mail/templates.ts, views/mail.tsx).
  'mail.linkFallback': 'Si el botón no funciona, copia esta dirección en tu navegador:',
  'mail.footer': 'Este mensaje lo ha enviado {brand} por una acción en tu cuenta.',

  // Password reset (issue 15): forgot-password page, reset mail, federated-account mail.
  forgot_email_invalid: 'Introduzca una dirección de correo como nombre@example.com.',
  'login.forgot': '¿Ha olvidado su contraseña?',
  'forgot.title': 'Restablecer su contraseña',
  'forgot.lead':
    'Introduzca la dirección de correo de su cuenta. Le enviaremos un enlace para elegir una nueva contraseña.',
  'forgot.email': 'Correo electrónico',
  'forgot.submit': 'Enviar enlace de restablecimiento',
  'forgot.back': 'Volver a iniciar sesión',
  'forgotSent.title': 'Revise su correo',
  'forgotSent.lead':
    'Si una cuenta con contraseña usa esta dirección, le llegará un enlace para elegir una nueva contraseña. Funciona una vez, durante 30 minutos.',
  'forgotSent.hint':
    '¿No le ha llegado nada en unos minutos? Revise la carpeta de correo no deseado o pida un nuevo enlace.',
  'reset.title': 'Elija una nueva contraseña',
  'reset.lead':
    'Elija la contraseña con la que iniciará sesión a partir de ahora. Se cerrarán todas sus sesiones.',
  'mail.reset.subject': 'Restablecer su contraseña de {brand}',
  'mail.reset.greeting': 'Hola, {name}:',
  'mail.reset.greetingAnon': 'Hola:',
  'mail.reset.body':
    'Alguien, esperamos que usted, ha pedido restablecer la contraseña de su cuenta de {brand}.',
  'mail.reset.action': 'Elegir una nueva contraseña',
  'mail.reset.expiry':
    'El enlace funciona una vez, durante 30 minutos. Cuando se cambie la contraseña, se cerrarán todas las sesiones de su cuenta.',
  'mail.reset.notYou': 'Si no lo ha pedido usted, ignore este correo: su contraseña sigue siendo la misma.',
  'mail.reset.provider.subject': 'Iniciar sesión en {brand}',
  'mail.reset.provider.body':
    'Alguien, esperamos que usted, ha pedido restablecer la contraseña de su cuenta de {brand}. Su cuenta no tiene contraseña que restablecer: inicia sesión con {provider}.',
  'mail.reset.provider.action': 'Ir a la página de inicio de sesión',
  'mail.reset.provider.notYou': 'Si no lo ha pedido usted, puede ignorar este correo.',
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  invalid_email: 'Introduce una dirección de correo electrónico válida.',
  invalid_name: 'Introduce un nombre de 200 caracteres como máximo.',
  signup_domain:
    'El registro solo está abierto a direcciones de ciertos dominios. Usa una dirección de uno de ellos.',
  email_taken: 'Esta dirección pertenece ahora a otra cuenta, así que tu dirección no se ha cambiado.',
  email_unchanged: 'Esa ya es tu dirección.',
  email_managed: 'Tu dirección proviene del proveedor con el que inicias sesión; cámbiala allí.',
  verification_sent: 'Hemos enviado un enlace de verificación a tu dirección. Es válido durante 24 horas.',
  email_change_sent:
    'Hemos enviado un enlace de confirmación a tu nueva dirección. Tu dirección cambiará cuando lo sigas.',
  'login.createAccount': 'Crear cuenta',
  'signup.title': 'Crear cuenta',
  'signup.lead': 'Introduce tu nombre, tu correo electrónico y una contraseña.',
  'signup.name': 'Nombre',
  'signup.email': 'Correo electrónico',
  'signup.password': 'Contraseña',
  'signup.submit': 'Crear cuenta',
  'signup.haveAccount': '¿Ya tienes una cuenta?',
  'signup.signIn': 'Iniciar sesión',
  'signupSent.title': 'Revisa tu correo',
  'signupSent.lead':
    'Hemos enviado un mensaje a {email}. Sigue el enlace que contiene para verificar tu dirección y después inicia sesión.',
  'signupSent.hint':
    'El enlace es válido durante 24 horas. ¿No has recibido nada? Revisa la carpeta de spam o vuelve a intentarlo más tarde.',
  'signupSent.back': 'Volver a iniciar sesión',
  'verifyEmail.title': 'Verifica tu correo electrónico',
  'verifyEmail.lead': 'Confirma que {email} es tu dirección.',
  'verifyEmail.leadChange': 'Confirma {email} como la nueva dirección de tu cuenta.',
  'verifyEmail.submit': 'Verificar correo',
  'emailVerified.title': 'Correo verificado',
  'emailVerified.lead': 'Tu dirección {email} está verificada.',
  'emailVerified.leadChange': 'Tu dirección ahora es {email} y está verificada.',
  'emailVerified.continue': 'Ir a tu cuenta',
  'emailSection.heading': 'Correo electrónico',
  'emailSection.verified': 'Verificado',
  'emailSection.unverified': 'No verificado',
  'emailSection.unverifiedHint':
    'Algunas aplicaciones requieren una dirección verificada. Podemos enviarte un enlace nuevo.',
  'emailSection.resend': 'Enviar correo de verificación',
  'emailSection.change': 'Cambiar correo electrónico',
  'emailSection.managed': 'Tu dirección proviene de {provider}, donde inicias sesión; cámbiala allí.',
  'accountEmail.title': 'Cambiar correo electrónico',
  'accountEmail.lead':
    'Tu dirección es {email}. Enviamos un enlace a la nueva dirección; el cambio se aplica cuando lo sigues.',
  'accountEmail.new': 'Nuevo correo electrónico',
  'accountEmail.password': 'Contraseña actual',
  'accountEmail.submit': 'Cambiar correo electrónico',
  'accountEmail.back': 'Volver a tu cuenta',
  'mail.verify.subject': 'Verifica tu dirección de correo para {brand}',
  'mail.verify.body': 'Sigue el enlace para verificar {email} en tu cuenta de {brand}.',
  'mail.verify.action': 'Verificar correo',
  'mail.verify.expiry': 'El enlace funciona una sola vez, durante 24 horas.',
  'mail.verify.notYou': 'Si no has creado una cuenta, ignora este mensaje.',
  'mail.emailChange.subject': 'Confirma tu nueva dirección de correo para {brand}',
  'mail.emailChange.body': 'Sigue el enlace para que {email} sea la dirección de tu cuenta de {brand}.',
  'mail.emailChange.action': 'Confirmar la nueva dirección',
  'mail.emailChange.notYou': 'Si no lo has pedido tú, ignora este mensaje: no cambia nada.',
  'mail.emailChangeRequested.subject': 'Se ha solicitado cambiar el correo de tu cuenta de {brand}',
  'mail.emailChangeRequested.body':
    'Alguien ha pedido cambiar la dirección de tu cuenta de {brand} a {email}. Solo cambiará cuando se siga el enlace enviado allí.',
  'mail.emailChangeRequested.notYou': 'Si no has sido tú, cambia tu contraseña ahora.',
  'mail.emailChanged.subject': 'Se ha cambiado tu dirección de correo de {brand}',
  'mail.emailChanged.body':
    'La dirección de tu cuenta de {brand} se ha cambiado a {email}. Los mensajes sobre tu cuenta se envían ahora allí.',
  'mail.emailChanged.notYou': 'Si no has sido tú, contacta de inmediato con tu administrador.',
  'mail.signupExists.subject': 'Alguien ha intentado crear una cuenta de {brand} con tu dirección',
  'mail.signupExists.body':
    'Alguien, quizá tú, ha intentado crear una cuenta de {brand} con {email}. Ya tienes una cuenta con esta dirección, así que no se ha cambiado nada.',
  'mail.signupExists.action': 'Iniciar sesión',
  'mail.signupExists.forgot': '¿Has olvidado tu contraseña? Elige una nueva aquí: {forgotUrl}',
  'mail.signupExists.notYou': 'Si no has sido tú, puedes ignorar este mensaje.',
  email_not_verified:
    'Esta aplicación necesita una dirección de correo verificada. Siga el enlace del correo de verificación o vuelva a enviarlo desde la página de su cuenta.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  'passwordRules.intro': 'Tu contraseña debe:',
  'passwordRules.minLength': 'Tener al menos {min} caracteres',
  'passwordRules.notCommon': 'No ser una contraseña de uso común',
  'passwordRules.notContext': 'No ser tu dirección de correo ni el nombre {brand}',
  'passwordRules.hardToGuess': 'Ser difícil de adivinar',
  'passwordRules.weakLength': 'Elige una contraseña de {min} a {max} caracteres.',
  'passwordRules.weakCommon':
    'No puede ser una contraseña de uso común, tu dirección de correo ni el nombre {brand}.',
  'passwordRules.weakContext': 'No puede ser tu dirección de correo ni el nombre {brand}.',
  'passwordRules.weakScore':
    'Además debe ser difícil de adivinar: evita nombres, fechas, palabras sueltas y secuencias del teclado.',
  'mail.invite.subject': 'Te han invitado a {brand}',
  'mail.invite.intro':
    'Te han invitado a {brand}. Tu cuenta para la dirección {email} está lista: elige una contraseña para empezar a usarla.',
  'mail.invite.action': 'Elegir mi contraseña',
  'mail.invite.expiry':
    'El enlace funciona una sola vez, durante {days} días. Si no esperabas esta invitación, puedes ignorar este mensaje.',
  'mail.setPassword.subject': 'Elige una contraseña para {brand}',
  'mail.setPassword.intro':
    'Tu cuenta de {brand} ({email}) ya no está vinculada a un proveedor de inicio de sesión. Para seguir entrando, elige una contraseña.',
  'mail.setPassword.action': 'Elegir una contraseña',
  'mail.setPassword.expiry':
    'El enlace funciona una sola vez, durante {hours} horas. Si no lo esperabas, ponte en contacto con tu administrador.',
  // (end of invitations and password policy)
} satisfies Messages;
