import type { Code } from './copy.js';
import { useLang } from './i18n/index.js';
import { CsrfField, ErrorAlert, fieldState, Layout } from './layout.js';

export interface MfaPageProps {
  action: string;
  csrf: string;
  error?: Code;
}

/** Posts `csrf`, `code` (a TOTP code or a recovery code). */
export function MfaPage({ action, csrf, error }: MfaPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('mfa.title')}>
      <div class="card-header">
        <h1>{t('mfa.title')}</h1>
        <p class="lead">{t('mfa.lead')}</p>
      </div>
      <ErrorAlert code={error} id="mfa-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="code">{t('mfa.code')}</label>
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
            {...fieldState(error === 'invalid_code', 'mfa-error', 'code-hint')}
          />
          <p id="code-hint" class="hint">
            {t('mfa.hint')}
          </p>
        </div>
        <button type="submit" class="button button-primary">
          {t('mfa.verify')}
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
  const { t } = useLang();
  return (
    <div class="mfa-setup">
      <p class="section-intro">{t('totp.intro')}</p>
      <div class="mfa-setup-grid">
        {qrDataUri && <img class="qr" src={qrDataUri} width="176" height="176" alt={t('totp.qrAlt')} />}
        <div class="mfa-setup-details">
          {/* A real <label for> on an <output>: the accessible name is "Secret key" and the
              element's text is exactly the secret. */}
          <div class="secret">
            <label for="mfa-secret">{t('totp.secret')}</label>
            <output id="mfa-secret" class="secret-value">
              {secret}
            </output>
          </div>
          {otpauthUri && (
            <p>
              <a href={otpauthUri}>{t('totp.open')}</a>
            </p>
          )}
        </div>
      </div>
      <ErrorAlert code={error} id="totp-error" />
      <form method="post" action={action} class="inline-form">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="mfa-code">{t('totp.code')}</label>
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
            {...fieldState(error === 'invalid_code', 'totp-error')}
          />
        </div>
        <button type="submit" class="button button-primary">
          {t('totp.enable')}
        </button>
      </form>
    </div>
  );
}

/** The recovery codes, shown once: right after they are made. */
export function RecoveryCodes({ codes }: { codes: readonly string[] }) {
  const { t } = useLang();
  return (
    <div class="recovery">
      <h3>{t('recovery.heading')}</h3>
      <p>{t('recovery.save')}</p>
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
  const { t } = useLang();
  return (
    <Layout title={t('mfaEnrol.title')}>
      <div class="card-header">
        <h1>{t('mfaEnrol.title')}</h1>
        <p class="lead">{t(props.step === 'setup' ? 'mfaEnrol.required' : 'mfaEnrol.done')}</p>
      </div>
      {props.step === 'setup' ? (
        <TotpSetup {...props} />
      ) : (
        <>
          <RecoveryCodes codes={props.recoveryCodes} />
          <a class="button button-primary" href={props.continueHref}>
            {t('mfaEnrol.continue')}
          </a>
        </>
      )}
    </Layout>
  );
}
