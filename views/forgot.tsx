import type { Code } from './copy.js';
import { EmailInput } from './email-input.js';
import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, ErrorAlert, fieldState, Layout } from './layout.js';

export interface ForgotPageProps {
  action: string;
  csrf: string;
  /** Where "Back to sign in" leads (the login page, with the interaction or return target it came with). */
  signInHref: string;
  /** Echoed back after a malformed address, so the user corrects it. */
  email?: string | undefined;
  error?: Code | undefined;
}

/** Posts `csrf`, `email` (SPEC §5 "forgot password": textbox "Email", button "Send reset link"). */
export function ForgotPage({ action, csrf, signInHref, email, error }: ForgotPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('forgot.title')}>
      <div class="card-header">
        <h1>{t('forgot.title')}</h1>
        <p class="lead">{t('forgot.lead')}</p>
      </div>
      <ErrorAlert code={error} id="forgot-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="email">{t('forgot.email')}</label>
          <EmailInput
            id="email"
            autocomplete="username"
            autofocus
            value={email}
            {...fieldState(error === 'forgot_email_invalid', 'forgot-error')}
          />
        </div>
        <button type="submit" class="button button-primary">
          {t('forgot.submit')}
        </button>
      </form>
      <a class="button button-secondary" href={signInHref}>
        {t('forgot.back')}
      </a>
    </Layout>
  );
}

export interface ForgotSentPageProps {
  signInHref: string;
}

/**
 * The one answer to every well-formed request, whether an account uses the address or not: nothing on it
 * depends on the address (not even the address itself).
 */
export function ForgotSentPage({ signInHref }: ForgotSentPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('forgotSent.title')}>
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>{t('forgotSent.title')}</h1>
        <p class="lead">{t('forgotSent.lead')}</p>
      </div>
      <p class="hint">{t('forgotSent.hint')}</p>
      <a class="button button-secondary" href={signInHref}>
        {t('forgot.back')}
      </a>
    </Layout>
  );
}
