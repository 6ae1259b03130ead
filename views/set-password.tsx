import type { Code } from './copy.js';
import { CheckIcon, CsrfField, ErrorAlert, HiddenFields, Layout } from './layout.js';

export interface SetPasswordPageProps {
  action: string;
  csrf: string;
  /** The link's token, carried in the form's body rather than its action, which stays free of secrets. */
  token: string;
  error?: Code | undefined;
}

/** Posts `csrf`, `token`, `password` (SPEC §5 "reset / set password"). */
export function SetPasswordPage({ action, csrf, token, error }: SetPasswordPageProps) {
  return (
    <Layout title="Set your password">
      <div class="card-header">
        <h1>Set your password</h1>
        <p class="lead">Choose the password you will sign in with from now on.</p>
      </div>
      <ErrorAlert code={error} />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <HiddenFields fields={{ token }} />
        <div class="field">
          <label for="password">New password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            autofocus
          />
        </div>
        <button type="submit" class="button button-primary">
          Set password
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
  return (
    <Layout title="Password set">
      <div class="card-header">
        <div class="status-icon status-icon-success" aria-hidden="true">
          <CheckIcon class="status-svg" />
        </div>
        <h1>Your password is set</h1>
        <p class="lead">You can now sign in with your email address and the new password.</p>
      </div>
      <a class="button button-primary" href={signInHref}>
        Sign in
      </a>
    </Layout>
  );
}
