import type { Code } from './copy.js';
import { EmailInput } from './email-input.js';
import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, ErrorAlert, fieldState, HiddenFields, Layout } from './layout.js';
import { PasswordInput } from './password-input.js';

export interface VerifyEmailPageProps {
  action: string;
  csrf: string;
  /** The link's token, carried in the form's body. */
  token: string;
  /** The address the link proves. */
  email: string;
  purpose: 'verify' | 'change';
  error?: Code | undefined;
}

/**
 * What a verification or change link opens: one button that confirms it (a POST, so a mail scanner that
 * fetches the link confirms nothing). Posts `csrf`, `token`.
 */
export function VerifyEmailPage({ action, csrf, token, email, purpose, error }: VerifyEmailPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('verifyEmail.title')}>
      <div class="card-header">
        <h1>{t('verifyEmail.title')}</h1>
        <p class="lead">
          {t(purpose === 'change' ? 'verifyEmail.leadChange' : 'verifyEmail.lead', { email })}
        </p>
      </div>
      <ErrorAlert code={error} id="verify-email-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <HiddenFields fields={{ token }} />
        <button type="submit" class="button button-primary">
          {t('verifyEmail.submit')}
        </button>
      </form>
    </Layout>
  );
}

export interface EmailVerifiedPageProps {
  email: string;
  purpose: 'verify' | 'change';
  /** Where the way on leads: the account page (which asks to sign in first when needed). */
  continueHref: string;
}

export function EmailVerifiedPage({ email, purpose, continueHref }: EmailVerifiedPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('emailVerified.title')}>
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>{t('emailVerified.title')}</h1>
        <p class="lead">
          {t(purpose === 'change' ? 'emailVerified.leadChange' : 'emailVerified.lead', { email })}
        </p>
      </div>
      <a class="button button-primary" href={continueHref}>
        {t('emailVerified.continue')}
      </a>
    </Layout>
  );
}

export interface AccountEmailActions {
  /** Posts `csrf`: a new verification mail. */
  resend: string;
  /** The change form's page (GET) and action (POST `csrf`, `email`, `current_password`). */
  change: string;
}

export interface EmailSectionProps {
  csrf: string;
  email: string;
  verified: boolean;
  /** The user has a password (it confirms a change); without one the address is not changed here. */
  canChange: boolean;
  /** The provider the user signs in with, which owns the address. */
  provider?: string | undefined;
  actions: AccountEmailActions;
}

/** The account page's "Email" section: the address, verified or not, and the ways to verify or change it. */
export function EmailSection({ csrf, email, verified, canChange, provider, actions }: EmailSectionProps) {
  const { t } = useLang();
  return (
    <section class="section" aria-labelledby="email-heading">
      <h2 id="email-heading">{t('emailSection.heading')}</h2>
      <p class="section-intro">
        <span>{email}</span> —{' '}
        <strong>{t(verified ? 'emailSection.verified' : 'emailSection.unverified')}</strong>
      </p>
      {!verified && (
        <form method="post" action={actions.resend} class="stack">
          <CsrfField token={csrf} />
          <p>{t('emailSection.unverifiedHint')}</p>
          <button type="submit" class="button button-secondary">
            {t('emailSection.resend')}
          </button>
        </form>
      )}
      {canChange ? (
        <p>
          <a href={actions.change}>{t('emailSection.change')}</a>
        </p>
      ) : (
        provider && <p>{t('emailSection.managed', { provider })}</p>
      )}
    </section>
  );
}

export interface AccountEmailPageProps {
  action: string;
  csrf: string;
  email: string;
  /** Echoed back after a failed attempt. */
  newEmail?: string;
  error?: Code | undefined;
  backHref: string;
}

/**
 * "Change email": the new address and the current password. Posts `csrf`, `email`, `current_password`; a
 * link to the new address confirms it before it takes effect.
 */
export function AccountEmailPage({ action, csrf, email, newEmail, error, backHref }: AccountEmailPageProps) {
  const { t } = useLang();
  const emailFailed = error === 'invalid_email' || error === 'email_unchanged';
  return (
    <Layout title={t('accountEmail.title')}>
      <div class="card-header">
        <h1>{t('accountEmail.title')}</h1>
        <p class="lead">{t('accountEmail.lead', { email })}</p>
      </div>
      <ErrorAlert code={error} id="email-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="new-email">{t('accountEmail.new')}</label>
          <EmailInput id="new-email" autofocus value={newEmail} {...fieldState(emailFailed, 'email-error')} />
        </div>
        <div class="field">
          <label for="email-current-password">{t('accountEmail.password')}</label>
          <PasswordInput
            id="email-current-password"
            name="current_password"
            autocomplete="current-password"
            required
            {...fieldState(error === 'invalid_credentials', 'email-error')}
          />
        </div>
        <button type="submit" class="button button-primary">
          {t('accountEmail.submit')}
        </button>
      </form>
      <p class="way-back">
        <a href={backHref}>{t('accountEmail.back')}</a>
      </p>
    </Layout>
  );
}
