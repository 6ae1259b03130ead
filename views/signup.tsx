import type { Code } from './copy.js';
import { EmailInput } from './email-input.js';
import { useLang } from './i18n/index.js';
import { CsrfField, ErrorAlert, fieldState, Layout } from './layout.js';
import { PasswordInput } from './password-input.js';
import { PASSWORD_RULES_ID, PasswordRules } from './password-rules.js';

export interface SignupPageProps {
  action: string;
  csrf: string;
  /** Echoed back after a failed attempt (never the password). */
  name?: string;
  email?: string;
  error?: Code | undefined;
  /** Where "Sign in" leads (the login page, with the same `interaction` / `return_to`). */
  signInHref: string;
}

/** Posts `csrf`, `name`, `email`, `password` (SPEC §5 "sign-up"). */
export function SignupPage({ action, csrf, name, email, error, signInHref }: SignupPageProps) {
  const { t } = useLang();
  const emailFailed = error === 'invalid_email' || error === 'signup_domain';
  return (
    <Layout title={t('signup.title')}>
      <div class="card-header">
        <h1>{t('signup.title')}</h1>
        <p class="lead">{t('signup.lead')}</p>
      </div>
      <ErrorAlert code={error} id="signup-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="name">{t('signup.name')}</label>
          <input
            id="name"
            name="name"
            type="text"
            autocomplete="name"
            maxlength={200}
            required
            autofocus={!error}
            value={name ?? ''}
            {...fieldState(error === 'invalid_name', 'signup-error')}
          />
        </div>
        <div class="field">
          <label for="email">{t('signup.email')}</label>
          <EmailInput id="email" value={email} {...fieldState(emailFailed, 'signup-error')} />
        </div>
        <div class="field">
          <label for="password">{t('signup.password')}</label>
          <PasswordInput
            id="password"
            name="password"
            autocomplete="new-password"
            required
            {...fieldState(error === 'weak_password', 'signup-error', PASSWORD_RULES_ID)}
          />
          <PasswordRules />
        </div>
        <button type="submit" class="button button-primary">
          {t('signup.submit')}
        </button>
      </form>
      <p class="way-back">
        {t('signup.haveAccount')} <a href={signInHref}>{t('signup.signIn')}</a>
      </p>
    </Layout>
  );
}

export interface SignupSentPageProps {
  /** The address typed: shown back, the same whether or not it has an account. */
  email: string;
  signInHref: string;
}

/** "Check your email": the one answer to every accepted sign-up (enumeration-safe). */
export function SignupSentPage({ email, signInHref }: SignupSentPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('signupSent.title')}>
      <div class="card-header">
        <h1>{t('signupSent.title')}</h1>
        <p class="lead">{t('signupSent.lead', { email })}</p>
      </div>
      <p>{t('signupSent.hint')}</p>
      <p class="way-back">
        <a href={signInHref}>{t('signupSent.back')}</a>
      </p>
    </Layout>
  );
}
