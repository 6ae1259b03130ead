import type { AuditEvent } from '../../src/store/types.js';
import { ConsoleLayout } from './layout.js';
import { ConsoleAlert, Time } from './parts.js';

/** The filters as typed in the form (dates as `YYYY-MM-DD`, UTC). */
export interface AuditFilter {
  user: string;
  app: string;
  type: string;
  from: string;
  to: string;
}

export interface ConsoleAuditPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  filter: AuditFilter;
  events: AuditEvent[];
  /** The next (older) page, filters kept; absent on the last page. */
  olderHref?: string | undefined;
  error?: string | undefined;
}

const FIELDS: { name: keyof AuditFilter; label: string; type: string; hint?: string }[] = [
  { name: 'user', label: 'User id', type: 'text' },
  { name: 'app', label: 'App (client id)', type: 'text' },
  { name: 'type', label: 'Event type', type: 'text', hint: 'e.g. login_failed' },
  { name: 'from', label: 'From (UTC)', type: 'date' },
  { name: 'to', label: 'To (UTC, inclusive)', type: 'date' },
];

/** `/admin/audit`: the audit trail, newest first, filtered by a GET form and paged. */
export function ConsoleAuditPage({
  email,
  csrf,
  path,
  filter,
  events,
  olderHref,
  error,
}: ConsoleAuditPageProps) {
  return (
    <ConsoleLayout title="Audit" email={email} csrf={csrf} path={path}>
      <h1>Audit trail</h1>
      <ConsoleAlert message={error} />
      <form
        method="get"
        action="/admin/audit"
        class="inline-form console-filters"
        aria-label="Filter the audit trail"
      >
        {FIELDS.map((f) => (
          <div class="field">
            <label for={`audit-${f.name}`}>{f.label}</label>
            <input
              id={`audit-${f.name}`}
              name={f.name}
              type={f.type}
              value={filter[f.name]}
              {...(f.hint ? { placeholder: f.hint } : {})}
            />
          </div>
        ))}
        <button type="submit" class="button button-secondary">
          Filter
        </button>
        <a href="/admin/audit">Clear</a>
      </form>
      <table class="console-table">
        <caption class="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Actor</th>
            <th scope="col">User</th>
            <th scope="col">App</th>
            <th scope="col">IP</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td data-label="When">
                <Time at={e.at} />
              </td>
              <td data-label="Type">{e.type}</td>
              <td data-label="Actor">{e.actor ?? '—'}</td>
              <td data-label="User">{e.userId ?? '—'}</td>
              <td data-label="App">{e.clientId ?? '—'}</td>
              <td data-label="IP">{e.ip ?? '—'}</td>
              <td data-label="Detail">{e.detail ? <code>{JSON.stringify(e.detail)}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.length === 0 && <p>No events match.</p>}
      {olderHref && (
        <p>
          <a href={olderHref}>Older events</a>
        </p>
      )}
    </ConsoleLayout>
  );
}
