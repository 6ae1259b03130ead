export {
  type AccountActions,
  type AccountMfa,
  AccountPage,
  type AccountPageProps,
  type AccountProvider,
  type AccountSession,
  type ConnectedApp,
  describeUserAgent,
} from './account.js';
export { ConsentPage, type ConsentPageProps, type ConsentScope } from './consent.js';
export {
  AppPage,
  type AppPageProps,
  AppRegisterPage,
  type AppRegisterPageProps,
  type AppRow,
  AppSecretPage,
  type AppSecretPageProps,
  AppsListPage,
  type AppsListPageProps,
  type AppValues,
  appHref,
  type NewAppValues,
} from './console/apps.js';
export { type AuditFilter, ConsoleAuditPage, type ConsoleAuditPageProps } from './console/audit.js';
export { ConsoleFirstRunPage } from './console/first-run.js';
export { ConsoleHomePage, type ConsoleHomePageProps } from './console/home.js';
export { ConsoleKeysPage, type ConsoleKeysPageProps } from './console/keys.js';
export { ConsoleConfirmPage, type ConsoleConfirmPageProps } from './console/parts.js';
export {
  ConsoleProviderAddPage,
  type ConsoleProviderAddPageProps,
  ConsoleProvidersPage,
  type ConsoleProvidersPageProps,
  type DiscoveryReport,
  type ProviderDraft,
  type ProviderPreset,
  providerHref,
} from './console/providers.js';
export {
  ConsoleScopeEditPage,
  type ConsoleScopeEditPageProps,
  ConsoleScopesPage,
  type ConsoleScopesPageProps,
  scopeHref,
} from './console/scopes.js';
export { ConsoleSignedOutPage } from './console/signed-out.js';
export {
  type ConsoleAppRow,
  type ConsoleEventRow,
  ConsoleNewUserPage,
  type ConsoleNewUserPageProps,
  type ConsoleSessionRow,
  ConsoleUserPage,
  type ConsoleUserPageProps,
  type ConsoleUserRow,
  ConsoleUsersPage,
  type ConsoleUsersPageProps,
} from './console/users.js';
export { type Code, isCode, messageFor } from './copy.js';
export { DeviceDonePage, type DeviceDonePageProps, DevicePage, type DevicePageProps } from './device.js';
export { ErrorPage, type ErrorPageProps } from './error.js';
export {
  ForgotPage,
  type ForgotPageProps,
  ForgotSentPage,
  type ForgotSentPageProps,
} from './forgot.js';
export { FormPostPage, type FormPostPageProps, formPostScript } from './form-post.js';
export { catalogues, type Lang, type MessageKey, type Messages, useLang } from './i18n/index.js';
export { Layout, type LayoutProps, renderPage } from './layout.js';
export { LoginPage, type LoginPageProps, type LoginProvider } from './login.js';
export { LogoutConfirmPage, type LogoutConfirmPageProps, SignedOutPage } from './logout.js';
export {
  MfaEnrolPage,
  type MfaEnrolPageProps,
  MfaPage,
  type MfaPageProps,
  RecoveryCodes,
  TotpSetup,
} from './mfa.js';
export {
  copySecretScript,
  PasswordInput,
  type PasswordInputProps,
  showPasswordScript,
} from './password-input.js';
export {
  PasswordSetPage,
  type PasswordSetPageProps,
  SetPasswordPage,
  type SetPasswordPageProps,
} from './set-password.js';
export {
  SignupPage,
  type SignupPageProps,
  SignupSentPage,
  type SignupSentPageProps,
} from './signup.js';
export { stylesheet } from './styles.js';
export {
  type AccountEmailActions,
  AccountEmailPage,
  type AccountEmailPageProps,
  EmailSection,
  type EmailSectionProps,
  EmailVerifiedPage,
  type EmailVerifiedPageProps,
  VerifyEmailPage,
  type VerifyEmailPageProps,
} from './verify-email.js';
