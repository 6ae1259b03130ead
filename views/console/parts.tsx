import { CsrfField } from '../layout.js';
import { ConsoleLayout } from './layout.js';

/** A refused change, or a failed test, read out at once (role="alert"). */
export function ConsoleAlert({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert-error" role="alert">
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
  title: string;
  /** What the button will do, one sentence each. */
  consequences: string[];
  action: string;
  button: string;
  cancel: string;
  error?: string | undefined;
}

/** Every destructive action's confirmation: GET shows what will happen, its form POSTs it. */
export function ConsoleConfirmPage(p: ConsoleConfirmPageProps) {
  return (
    <ConsoleLayout title={p.title} email={p.email} csrf={p.csrf}>
      <h1>{p.title}</h1>
      <ConsoleAlert message={p.error} />
      <ul>
        {p.consequences.map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      <form method="post" action={p.action} class="inline-form">
        <CsrfField token={p.csrf} />
        <button type="submit" class="button button-danger">
          {p.button}
        </button>
        <a href={p.cancel}>Cancel</a>
      </form>
    </ConsoleLayout>
  );
}
