import type { Code } from './copy.js';
import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, ErrorAlert, fieldState, HiddenFields, Layout } from './layout.js';
import { PasswordInput } from './password-input.js';
import { PASSWORD_RULES_ID, PasswordRules } from './password-rules.js';

export interface SetPasswordPageProps {
  action: string;
  csrf: string;
  /** The link's token, carried in the form's body rather than its action, which stays free of secrets. */
  token: string;
  error?: Code | undefined;
  /** The link's purpose: a reset link (`/login/reset`) has its own title and lead; the form is the same. */
  purpose?: 'set' | 'reset' | undefined;
}

/** Posts `csrf`, `token`, `password` (SPEC §5 "reset / set password"). */
export function SetPasswordPage({ action, csrf, token, error, purpose = 'set' }: SetPasswordPageProps) {
  const { t } = useLang();
  const title = purpose === 'reset' ? t('reset.title') : t('setPassword.title');
  return (
    <Layout title={title}>
      <div class="card-header">
        <h1>{title}</h1>
        <p class="lead">{purpose === 'reset' ? t('reset.lead') : t('setPassword.lead')}</p>
      </div>
      <ErrorAlert code={error} id="set-password-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <HiddenFields fields={{ token }} />
        <div class="field">
          <label for="password">{t('setPassword.new')}</label>
          <PasswordInput
            id="password"
            name="password"
            autocomplete="new-password"
            required
            autofocus
            {...fieldState(
              error === 'weak_password' || error === 'password_mismatch',
              'set-password-error',
              PASSWORD_RULES_ID,
            )}
          />
          <PasswordRules />
        </div>
        <button type="submit" class="button button-primary">
          {t('setPassword.submit')}
        </button>
      </form>
    </Layout>
  );
}

export interface PasswordSetPageProps {
  /** Where "Sign in" leads. */
  signInHref: string;
}

export function PasswordSetPage({ signInHref }: PasswordSetPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('passwordSet.title')}>
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>{t('passwordSet.heading')}</h1>
        <p class="lead">{t('passwordSet.lead')}</p>
      </div>
      <a class="button button-primary" href={signInHref}>
        {t('passwordSet.signIn')}
      </a>
    </Layout>
  );
}
