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
  invalid_user_code: 'Ese código no es válido. Compruebe el código de su dispositivo y vuelva a intentarlo.',
  expired_user_code: 'Ese código ha caducado. Empiece de nuevo en su dispositivo para obtener otro.',
  server_error: 'Se ha producido un error inesperado por nuestra parte. Vuelva a intentarlo.',
  not_found: 'La página que busca no existe.',
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
  // (end of password reset)

  // Email verification, email change and sign-up (issue 15).
  email_not_verified:
    'Esta aplicación necesita una dirección de correo verificada. Siga el enlace del correo de verificación o vuelva a enviarlo desde la página de su cuenta.',
  // (end of email verification and sign-up)

  // Invitations and the password policy (issue 15).
  // (end of invitations and password policy)
} satisfies Messages;
