import type { Code } from './copy.js';
import { CheckIcon, CsrfField, ErrorAlert, Layout } from './layout.js';

export interface DevicePageProps {
  action: string;
  csrf: string;
  /** Prefilled from `verification_uri_complete`, or echoed after a failed attempt. */
  code?: string;
  error?: Code;
}

/** Posts `csrf`, `user_code`. */
export function DevicePage({ action, csrf, code, error }: DevicePageProps) {
  return (
    <Layout title="Connect a device">
      <div class="card-header">
        <h1>Connect a device</h1>
        <p class="lead">Enter the code shown on your device.</p>
      </div>
      <ErrorAlert code={error} />
      <form method="post" action={action} class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="user_code">Code</label>
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
          />
        </div>
        <button type="submit" class="button button-primary">
          Continue
        </button>
      </form>
    </Layout>
  );
}

export interface DeviceDonePageProps {
  approved: boolean;
}

export function DeviceDonePage({ approved }: DeviceDonePageProps) {
  return (
    <Layout title={approved ? 'Device connected' : 'Request denied'}>
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
        <h1>{approved ? 'Device connected' : 'Request denied'}</h1>
        <p class="lead">
          {approved
            ? 'You can return to your device; it will finish signing in shortly.'
            : 'The device was not given access. You can close this window.'}
        </p>
      </div>
    </Layout>
  );
}
