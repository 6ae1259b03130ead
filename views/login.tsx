import type { Code } from './copy.js';
import { EmailInput } from './email-input.js';
import { useLang } from './i18n/index.js';
import { CsrfField, ErrorAlert, fieldState, Layout } from './layout.js';
import { PasswordInput } from './password-input.js';
import { ProviderIcon } from './providers.js';

export interface LoginProvider {
  /** Display name, e.g. "Google"; the link reads "Continue with <name>". */
  name: string;
  /** Where the upstream sign-in starts, e.g. `/federation/google/start?interaction=…`. */
  href: string;
}

export interface LoginPageProps {
  action: string;
  csrf: string;
  /** Echoed back after a failed attempt so the user only retypes the password. */
  email?: string;
  error?: Code;
  clientName?: string;
  providers: LoginProvider[];
  /** `false` (`LATCHKEY_PASSWORD_LOGIN=off`): the page is a provider chooser only, without the form. */
  passwordLogin?: boolean;
  /** "Forgot password?" (issue 15): the reset page, carrying the interaction or return target. */
  forgotHref?: string | undefined;
  /** `LATCHKEY_SIGNUP=on`: where "Create account" leads (with the same `interaction` / `return_to`). */
  signupHref?: string | undefined;
}

/** Posts `csrf`, `email`, `password`. */
export function LoginPage({
  action,
  csrf,
  email,
  error,
  clientName,
  providers,
  passwordLogin = true,
  forgotHref,
  signupHref,
}: LoginPageProps) {
  const { t, rich } = useLang();
  // Either could be wrong, and the message doesn't say which (SPEC §3 "Brute force"): both are marked.
  const field = fieldState(error === 'invalid_credentials', 'login-error');
  return (
    <Layout title={t('login.title')}>
      <div class="card-header">
        <h1>{t('login.title')}</h1>
        {clientName ? (
          <p class="lead">{rich('login.toContinue', { client: <strong>{clientName}</strong> })}</p>
        ) : (
          <p class="lead">{t('login.welcome')}</p>
        )}
      </div>
      <ErrorAlert code={error} id="login-error" />
      {providers.length > 0 && (
        <>
          <ul class="providers">
            {providers.map((p) => (
              <li>
                <a class="button button-provider" href={p.href}>
                  <ProviderIcon name={p.name} />
                  <span>{t('login.continueWith', { provider: p.name })}</span>
                </a>
              </li>
            ))}
          </ul>
          {passwordLogin && (
            <div class="divider">
              <span>{t('login.or')}</span>
            </div>
          )}
        </>
      )}
      {passwordLogin && (
        <form method="post" action={action} class="stack">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="email">{t('login.email')}</label>
            <EmailInput id="email" autocomplete="username" autofocus={!email} value={email} {...field} />
          </div>
          <div class="field">
            <label for="password">{t('login.password')}</label>
            <PasswordInput
              id="password"
              name="password"
              autocomplete="current-password"
              required
              autofocus={!!email}
              {...field}
            />
          </div>
          {/* SPEC §5 "Keep me signed in": the longer session (LATCHKEY_SESSION_MAX) and a lasting cookie. */}
          <div class="field field-check">
            <input id="remember" name="remember" type="checkbox" value="on" />
            <label for="remember">{t('login.remember')}</label>
          </div>
          <button type="submit" class="button button-primary">
            {t('login.submit')}
          </button>
        </form>
      )}
      {passwordLogin && forgotHref && (
        <p class="hint">
          <a href={forgotHref}>{t('login.forgot')}</a>
        </p>
      )}
      {passwordLogin && signupHref && (
        <p class="way-back">
          <a href={signupHref}>{t('login.createAccount')}</a>
        </p>
      )}
    </Layout>
  );
}
