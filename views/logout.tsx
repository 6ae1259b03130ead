import { CheckIcon, CsrfField, HiddenFields, Layout } from './layout.js';

export interface LogoutConfirmPageProps {
  action: string;
  csrf: string;
  /** The app that asked for the sign-out, when known from `id_token_hint` or `client_id`. */
  clientName?: string;
  /** Carried through unchanged, e.g. `post_logout_redirect_uri`, `state`, `client_id`. */
  hidden: Record<string, string>;
}

/** Posts `csrf` and every key of `hidden`. */
export function LogoutConfirmPage({ action, csrf, clientName, hidden }: LogoutConfirmPageProps) {
  return (
    <Layout title="Sign out">
      <div class="card-header">
        <h1>Sign out?</h1>
        <p class="lead">
          {clientName ? (
            <>
              <strong>{clientName}</strong> is asking to sign you out.
            </>
          ) : (
            'You will be signed out of this browser.'
          )}
        </p>
      </div>
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <HiddenFields fields={hidden} />
        <button type="submit" class="button button-primary">
          Sign out
        </button>
      </form>
    </Layout>
  );
}

export function SignedOutPage() {
  return (
    <Layout title="Signed out">
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>You are signed out</h1>
        <p class="lead">You can close this window.</p>
      </div>
    </Layout>
  );
}
