import type { Code } from './copy.js';
import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, ErrorAlert, fieldState, Layout } from './layout.js';

export interface DevicePageProps {
  action: string;
  csrf: string;
  /** Prefilled from `verification_uri_complete`, or echoed after a failed attempt. */
  code?: string;
  error?: Code;
}

/** Posts `csrf`, `user_code`. */
export function DevicePage({ action, csrf, code, error }: DevicePageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('device.title')}>
      <div class="card-header">
        <h1>{t('device.title')}</h1>
        <p class="lead">{t('device.lead')}</p>
      </div>
      <ErrorAlert code={error} id="device-error" />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="user_code">{t('device.code')}</label>
          <input
            id="user_code"
            name="user_code"
            type="text"
            class="input-code"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            placeholder="XXXX-XXXX"
            required
            autofocus
            value={code ?? ''}
            {...fieldState(error === 'invalid_user_code' || error === 'expired_user_code', 'device-error')}
          />
        </div>
        <button type="submit" class="button button-primary">
          {t('device.submit')}
        </button>
      </form>
    </Layout>
  );
}

export interface DeviceDonePageProps {
  approved: boolean;
}

export function DeviceDonePage({ approved }: DeviceDonePageProps) {
  const { t } = useLang();
  const heading = t(approved ? 'deviceDone.approved' : 'deviceDone.denied');
  return (
    <Layout title={heading}>
      <div class="card-header">
        {approved ? (
          <div class="status-icon status-icon-success" aria-hidden="true">
            <CheckIcon class="status-svg" />
          </div>
        ) : (
          <div class="status-icon status-icon-error" aria-hidden="true">
            ×
          </div>
        )}
        <h1>{heading}</h1>
        <p class="lead">{t(approved ? 'deviceDone.approvedLead' : 'deviceDone.deniedLead')}</p>
      </div>
    </Layout>
  );
}
