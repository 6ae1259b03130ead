import { CsrfField } from '../layout.js';
import { ConsoleLayout } from './layout.js';

/** A refused change, or a failed test, read out at once (role="alert"). */
export function ConsoleAlert({ message, id }: { message?: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <div class="alert alert-error" role="alert" id={id}>
      <p>{message}</p>
    </div>
  );
}

/** A change done, or a test passed (role="status"). */
export function ConsoleNotice({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert-success" role="status">
      <p>{message}</p>
    </div>
  );
}

/** An epoch-seconds time, in UTC (as the audit trail stores it), machine-readable too. */
export function Time({ at }: { at: number | null }) {
  if (at === null) return <>—</>;
  const iso = new Date(at * 1000).toISOString();
  return <time datetime={iso}>{`${iso.slice(0, 16).replace('T', ' ')} UTC`}</time>;
}

export interface ConsoleConfirmPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  /** The page's heading, e.g. "Disable user". */
  title: string;
  /** What it is done to, under the heading (e.g. the user's email). */
  subject?: string | undefined;
  /** What will happen, one sentence each. */
  consequences: readonly string[];
  action: string;
  button: string;
  cancel: string;
  /** What the signed-in admin proves again (step-up): a code of their second factor, or their password. */
  stepUp: 'code' | 'password';
  /** A "New password" field (a user's set password). */
  newPassword?: boolean | undefined;
  error?: string | undefined;
}

const ERROR_ID = 'confirm-error';

/**
 * Every destructive action's confirmation: GET shows what will happen, its form POSTs it with the admin's
 * second factor again ("Authentication code"), or their "Password" when they have none.
 */
export function ConsoleConfirmPage(p: ConsoleConfirmPageProps) {
  return (
    <ConsoleLayout title={p.title} email={p.email} csrf={p.csrf} path={p.path}>
      <h1>{p.title}</h1>
      {p.subject ? <p class="lead">{p.subject}</p> : null}
      <ConsoleAlert message={p.error} id={ERROR_ID} />
      <ul>
        {p.consequences.map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      <form method="post" action={p.action} class="stack">
        <CsrfField token={p.csrf} />
        {p.newPassword ? (
          <div class="field">
            <label for="confirm-new-password">New password</label>
            <input
              id="confirm-new-password"
              name="password"
              type="password"
              autocomplete="new-password"
              required
              {...(p.error ? { 'aria-describedby': ERROR_ID } : {})}
            />
          </div>
        ) : null}
        <StepUpInput kind={p.stepUp} errorId={p.error ? ERROR_ID : undefined} />
        <button type="submit" class="button button-danger">
          {p.button}
        </button>
      </form>
      <p>
        <a href={p.cancel}>Cancel</a>
      </p>
    </ConsoleLayout>
  );
}

/**
 * The signed-in admin's step-up field (their second factor again, or their password without one), in every
 * form whose POST asks for it: destructive actions and the changes that grant or keep access.
 */
export function StepUpInput({ kind, errorId }: { kind: 'code' | 'password'; errorId?: string | undefined }) {
  const described = (hint: string) => ({ 'aria-describedby': errorId ? `${errorId} ${hint}` : hint });
  return kind === 'code' ? (
    <div class="field">
      <label for="step-up-code">Authentication code</label>
      {/* No inputmode="numeric": recovery codes contain letters (as on the sign-in's MFA page). */}
      <input
        id="step-up-code"
        name="code"
        type="text"
        class="input-code"
        autocomplete="one-time-code"
        autocapitalize="none"
        spellcheck={false}
        required
        {...described('step-up-code-hint')}
      />
      <p id="step-up-code-hint" class="hint">
        From your authenticator app, or one of your recovery codes: this action asks for your second factor
        again.
      </p>
    </div>
  ) : (
    <div class="field">
      <label for="step-up-password">Password</label>
      <input
        id="step-up-password"
        name="current_password"
        type="password"
        autocomplete="current-password"
        required
        {...described('step-up-password-hint')}
      />
      <p id="step-up-password-hint" class="hint">
        Your own password: this action asks for it again.
      </p>
    </div>
  );
}
