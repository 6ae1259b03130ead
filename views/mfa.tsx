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

export interface TotpSetupProps {
  csrf: string;
  /** Posts `csrf`, `code`. */
  action: string;
  secret: string;
  otpauthUri?: string | undefined;
  qrDataUri?: string | undefined;
  error?: Code | undefined;
}

/** The enrolment block (account page and sign-in): QR code, "Secret key", "Authentication code", "Enable". */
export function TotpSetup({ csrf, action, secret, otpauthUri, qrDataUri, error }: TotpSetupProps) {
  return (
    <div class="mfa-setup">
      <p class="section-intro">
        Scan the QR code with your authenticator app, or enter the secret key by hand. Then enter the code the
        app shows.
      </p>
      <div class="mfa-setup-grid">
        {qrDataUri && (
          <img
            class="qr"
            src={qrDataUri}
            width="176"
            height="176"
            alt="QR code for adding latchkey to your authenticator app"
          />
        )}
        <div class="mfa-setup-details">
          {/* A real <label for> on an <output>: the accessible name is "Secret key" and the
              element's text is exactly the secret. */}
          <div class="secret">
            <label for="mfa-secret">Secret key</label>
            <output id="mfa-secret" class="secret-value">
              {secret}
            </output>
          </div>
          {otpauthUri && (
            <p>
              <a href={otpauthUri}>Open in your authenticator app</a>
            </p>
          )}
        </div>
      </div>
      <ErrorAlert code={error} />
      <form method="post" action={action} class="inline-form">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="mfa-code">Authentication code</label>
          <input
            id="mfa-code"
            name="code"
            type="text"
            class="input-code"
            autocomplete="one-time-code"
            inputmode="numeric"
            autocapitalize="none"
            spellcheck={false}
            required
          />
        </div>
        <button type="submit" class="button button-primary">
          Enable
        </button>
      </form>
    </div>
  );
}

/** The recovery codes, shown once: right after they are made. */
export function RecoveryCodes({ codes }: { codes: readonly string[] }) {
  return (
    <div class="recovery">
      <h3>Recovery codes</h3>
      <p>
        Save these somewhere safe now: they won’t be shown again. Each one works once, if you lose your
        authenticator app.
      </p>
      <ul class="recovery-codes">
        {codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export type MfaEnrolPageProps =
  | ({ step: 'setup' } & TotpSetupProps)
  /** Enabled: the recovery codes, then on to the app. */
  | { step: 'done'; recoveryCodes: readonly string[]; continueHref: string };

/**
 * Enrolment inside a sign-in (Keycloak's "Configure OTP" required action): the app requires a second factor
 * and the user has none yet.
 */
export function MfaEnrolPage(props: MfaEnrolPageProps) {
  return (
    <Layout title="Set up two-factor authentication">
      <div class="card-header">
        <h1>Set up two-factor authentication</h1>
        <p class="lead">
          {props.step === 'setup'
            ? 'This app requires a code from an authenticator app each time you sign in.'
            : 'Two-factor authentication is now on.'}
        </p>
      </div>
      {props.step === 'setup' ? (
        <TotpSetup {...props} />
      ) : (
        <>
          <RecoveryCodes codes={props.recoveryCodes} />
          <a class="button button-primary" href={props.continueHref}>
            Continue
          </a>
        </>
      )}
    </Layout>
  );
}
