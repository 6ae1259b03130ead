import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, HiddenFields, Layout } from './layout.js';

export interface LogoutConfirmPageProps {
  action: string;
  csrf: string;
  /** The app that asked for the sign-out, when known from `id_token_hint` or `client_id`. */
  clientName?: string;
  /** Carried through unchanged, e.g. `post_logout_redirect_uri`, `state`, `client_id`. */
  hidden: Record<string, string>;
}

/** Posts `csrf` and every key of `hidden`; "Cancel" posts `cancel` too (SPEC §5: "Sign out" and "Cancel"). */
export function LogoutConfirmPage({ action, csrf, clientName, hidden }: LogoutConfirmPageProps) {
  const { t, rich } = useLang();
  return (
    <Layout title={t('logout.title')}>
      <div class="card-header">
        <h1>{t('logout.heading')}</h1>
        <p class="lead">
          {clientName
            ? rich('logout.clientAsks', { client: <strong>{clientName}</strong> })
            : t('logout.thisBrowser')}
        </p>
      </div>
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <HiddenFields fields={hidden} />
        {/* "Sign out" first: it is what Enter presses, as before the Cancel button existed. */}
        <button type="submit" class="button button-primary">
          {t('logout.submit')}
        </button>
        <button type="submit" name="cancel" value="1" class="button button-secondary">
          {t('logout.cancel')}
        </button>
      </form>
    </Layout>
  );
}

export function SignedOutPage(_props: Record<string, never> = {}) {
  const { t } = useLang();
  return (
    <Layout title={t('signedOut.title')}>
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>{t('signedOut.heading')}</h1>
        <p class="lead">{t('signedOut.lead')}</p>
      </div>
    </Layout>
  );
}
