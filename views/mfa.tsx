import type { Code } from './copy.js';
import { CsrfField, ErrorAlert, Layout } from './layout.js';

export interface MfaPageProps {
  action: string;
  csrf: string;
  error?: Code;
}

/** Posts `csrf`, `code` (a TOTP code or a recovery code). */
export function MfaPage({ action, csrf, error }: MfaPageProps) {
  return (
    <Layout title="Two-factor authentication">
      <div class="card-header">
        <h1>Two-factor authentication</h1>
        <p class="lead">Enter the 6-digit code from your authenticator app.</p>
      </div>
      <ErrorAlert code={error} />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="code">Authentication code</label>
          {/* No inputmode="numeric": recovery codes contain letters. */}
          <input
            id="code"
            name="code"
            type="text"
            class="input-code"
            autocomplete="one-time-code"
            autocapitalize="none"
            spellcheck={false}
            required
            autofocus
            aria-describedby="code-hint"
          />
          <p id="code-hint" class="hint">
            Lost your device? Enter one of your recovery codes instead.
          </p>
        </div>
        <button type="submit" class="button button-primary">
          Verify
        </button>
      </form>
    </Layout>
  );
}
