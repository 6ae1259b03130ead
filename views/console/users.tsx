import { CsrfField } from '../layout.js';
import { ConsoleLayout } from './layout.js';
import { StepUpInput } from './parts.js';

/** What every console page of the Users section is given by its route. */
interface ConsolePage {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
}

/** A user as the console's pages show one. */
export interface ConsoleUserRow {
  id: string;
  email: string;
  name: string | null;
  roles: readonly string[];
  groups: readonly string[];
  disabled: boolean;
  mfa: boolean;
}

const rolesText = (roles: readonly string[]) => (roles.length ? roles.join(', ') : '—');
const when = (epoch: number) => new Date(epoch * 1000).toISOString().replace('T', ' ').slice(0, 16);
const userHref = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

/** A form's failure, in an element with role="alert" (SPEC §5). */
function Problem({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert-error" role="alert" id="console-error">
      <p>{message}</p>
    </div>
  );
}

function Notice({ message, children }: { message?: string | undefined; children?: unknown }) {
  if (!message) return null;
  return (
    <div class="alert alert-success" role="status">
      <p>{message}</p>
      {children as never}
    </div>
  );
}

export interface ConsoleUsersPageProps extends ConsolePage {
  q: string;
  users: ConsoleUserRow[];
  /** The next page's link, when there is one. */
  next: string | null;
  canWrite: boolean;
  error?: string;
}

/** `/admin/users`: search, a page of users, "Add user". */
export function ConsoleUsersPage(props: ConsoleUsersPageProps) {
  return (
    <ConsoleLayout title="Users" email={props.email} csrf={props.csrf} path={props.path}>
      <div class="console-heading">
        <h1>Users</h1>
        {props.canWrite && (
          <a class="button button-primary button-small" href="/admin/users/new">
            Add user
          </a>
        )}
      </div>
      <form method="get" action="/admin/users" class="inline-form console-search">
        <div class="field">
          <label for="user-search">Search by email or name</label>
          <input id="user-search" name="q" type="search" value={props.q} maxlength={200} />
        </div>
        <button type="submit" class="button button-secondary">
          Search
        </button>
      </form>
      <Problem message={props.error} />
      {props.users.length === 0 ? (
        <p class="empty">{props.q ? 'No user matches this search.' : 'No users yet.'}</p>
      ) : (
        <table class="console-table">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">MFA</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr>
                <td data-label="Email">
                  <a href={userHref(u.id)}>{u.email}</a>
                </td>
                <td data-label="Name">{u.name ?? '—'}</td>
                <td data-label="Roles">{rolesText(u.roles)}</td>
                <td data-label="Status">{u.disabled ? 'Disabled' : 'Active'}</td>
                <td data-label="MFA">{u.mfa ? 'On' : 'Off'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.next && (
        <p>
          <a href={props.next}>Next page</a>
        </p>
      )}
    </ConsoleLayout>
  );
}

export interface ConsoleNewUserPageProps extends ConsolePage {
  values: { email: string; name: string; roles: string; groups: string; invite: boolean };
  /** The admin's step-up field (their second factor again, or their password): the POST asks for it. */
  stepUp: 'code' | 'password';
  error?: string;
}

/** `/admin/users/new`: a user with a password, without one (a provider), or invited to choose one. */
export function ConsoleNewUserPage({ email, csrf, path, values, stepUp, error }: ConsoleNewUserPageProps) {
  const described = error ? { 'aria-describedby': 'console-error' } : {};
  return (
    <ConsoleLayout title="Add user" email={email} csrf={csrf} path={path}>
      <h1>Add user</h1>
      <p>
        <a href="/admin/users">Back to users</a>
      </p>
      <Problem message={error} />
      <form method="post" action="/admin/users/new" class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="new-email">Email</label>
          <input id="new-email" name="email" type="email" value={values.email} required {...described} />
        </div>
        <div class="field">
          <label for="new-name">Name</label>
          <input id="new-name" name="name" type="text" value={values.name} maxlength={200} />
        </div>
        <div class="field">
          <label for="new-password">Password (optional)</label>
          <input id="new-password" name="password" type="password" autocomplete="new-password" />
          <p class="hint">Leave empty for a user who signs in through a provider, or who is invited.</p>
        </div>
        <div class="field field-check">
          <input id="new-invite" name="invite" type="checkbox" value="on" checked={values.invite} />
          <label for="new-invite">Send invitation (the user chooses a password through a mailed link)</label>
        </div>
        <RoleFields roles={values.roles} groups={values.groups} prefix="new" />
        <StepUpInput kind={stepUp} errorId={error ? 'console-error' : undefined} />
        <button type="submit" class="button button-primary">
          Add user
        </button>
      </form>
    </ConsoleLayout>
  );
}

function RoleFields({ roles, groups, prefix }: { roles: string; groups: string; prefix: string }) {
  return (
    <>
      <div class="field">
        <label for={`${prefix}-roles`}>Roles</label>
        <input
          id={`${prefix}-roles`}
          name="roles"
          type="text"
          value={roles}
          aria-describedby={`${prefix}-roles-hint`}
        />
        <p class="hint" id={`${prefix}-roles-hint`}>
          Separated by commas: admin, auditor or a permission such as events:read.
        </p>
      </div>
      <div class="field">
        <label for={`${prefix}-groups`}>Groups</label>
        <input
          id={`${prefix}-groups`}
          name="groups"
          type="text"
          value={groups}
          aria-describedby={`${prefix}-groups-hint`}
        />
        <p class="hint" id={`${prefix}-groups-hint`}>
          Separated by commas; apps read them in the groups claim.
        </p>
      </div>
    </>
  );
}

export interface ConsoleSessionRow {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

/** An app the user has connected (their live grants to it). */
export interface ConsoleAppRow {
  clientId: string;
  name: string;
  scopes: readonly string[];
  grantedAt: number;
}

export interface ConsoleEventRow {
  at: number;
  type: string;
  actor: string | null;
  ip: string | null;
}

export interface ConsoleUserPageProps extends ConsolePage {
  user: ConsoleUserRow;
  /** The linked upstream provider's slug, when there is one. */
  provider: string | null;
  sessions: ConsoleSessionRow[];
  /** The user's connected apps ("Revoke" each, through a confirmation page). */
  apps: ConsoleAppRow[];
  events: ConsoleEventRow[];
  /** What the admin may do here. */
  can: { write: boolean; mfa: boolean; unlink: boolean };
  /** The edit form's values when it failed. */
  values?: { email: string; name: string; roles: string; groups: string };
  /** The admin's step-up field (their second factor again, or their password): the POST asks for it. */
  stepUp: 'code' | 'password';
  error?: string;
  notice?: string;
  /** A link shown once (an invitation or a set-password link, when no mail is sent). */
  link?: string;
}

/** `/admin/users/:id`: the user's profile, state, second factor, provider, sessions and recent events. */
export function ConsoleUserPage(props: ConsoleUserPageProps) {
  const { user, can } = props;
  const base = userHref(user.id);
  const values = props.values ?? {
    email: user.email,
    name: user.name ?? '',
    roles: user.roles.join(', '),
    groups: user.groups.join(', '),
  };
  return (
    <ConsoleLayout title={user.email} email={props.email} csrf={props.csrf} path={props.path}>
      <h1>{user.email}</h1>
      <p>
        <a href="/admin/users">Back to users</a>
      </p>
      <Notice message={props.notice}>
        {props.link && (
          <p>
            Link (shown once): <code>{props.link}</code>
          </p>
        )}
      </Notice>
      <Problem message={props.error} />
      <dl class="console-facts">
        <dt>Status</dt>
        <dd>{user.disabled ? 'Disabled' : 'Active'}</dd>
        <dt>Two-factor authentication</dt>
        <dd>{user.mfa ? 'On' : 'Off'}</dd>
        <dt>Linked provider</dt>
        <dd>{props.provider ?? 'None'}</dd>
      </dl>

      {can.write && (
        <section class="section" aria-labelledby="profile-heading">
          <h2 id="profile-heading">Profile and roles</h2>
          <form method="post" action={base} class="stack">
            <CsrfField token={props.csrf} />
            <div class="field">
              <label for="user-email">Email</label>
              <input id="user-email" name="email" type="email" value={values.email} required />
            </div>
            <div class="field">
              <label for="user-name">Name</label>
              <input id="user-name" name="name" type="text" value={values.name} maxlength={200} />
            </div>
            <RoleFields roles={values.roles} groups={values.groups} prefix="user" />
            <StepUpInput kind={props.stepUp} errorId={props.error ? 'console-error' : undefined} />
            <button type="submit" class="button button-primary">
              Save changes
            </button>
          </form>
        </section>
      )}

      {(can.write || can.mfa || can.unlink) && (
        <section class="section" aria-labelledby="actions-heading">
          <h2 id="actions-heading">Account actions</h2>
          <ul class="item-list">
            {can.write &&
              (user.disabled ? (
                <li class="item">
                  {/* Its confirmation page asks for the step-up. */}
                  <form method="get" action={`${base}/enable`} class="item-action">
                    <button type="submit" class="button button-secondary button-small">
                      Enable user
                    </button>
                  </form>
                </li>
              ) : (
                <li class="item">
                  <a href={`${base}/disable`}>Disable user…</a>
                </li>
              ))}
            {can.write && (
              <li class="item">
                <a href={`${base}/password`}>Set password…</a>
              </li>
            )}
            {can.mfa && user.mfa && (
              <li class="item">
                <a href={`${base}/reset-mfa`}>Reset two-factor authentication…</a>
              </li>
            )}
            {can.unlink && props.provider && (
              <li class="item">
                <a href={`${base}/unlink`}>Unlink provider {props.provider}…</a>
              </li>
            )}
          </ul>
        </section>
      )}

      <section class="section" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Sessions</h2>
        {props.sessions.length === 0 ? (
          <p class="empty">No active sessions.</p>
        ) : (
          <ul class="item-list">
            {props.sessions.map((s, i) => (
              <li class="item">
                <div class="item-main">
                  <span class="item-title" id={`session-${i}`}>
                    {s.userAgent ?? 'Unknown browser'}
                  </span>
                  <span class="item-meta">
                    Signed in {when(s.createdAt)} UTC, last seen {when(s.lastSeenAt)} UTC
                    {s.ip ? `, from ${s.ip}` : ''}
                  </span>
                </div>
                {can.write && (
                  <form
                    method="post"
                    action={`${base}/sessions/${encodeURIComponent(s.id)}/end`}
                    class="item-action"
                  >
                    <CsrfField token={props.csrf} />
                    <button
                      type="submit"
                      class="button button-secondary button-small"
                      aria-describedby={`session-${i}`}
                    >
                      Sign out
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
        {can.write && props.sessions.length > 0 && (
          <form method="post" action={`${base}/sessions/end`} class="section-action">
            <CsrfField token={props.csrf} />
            <button type="submit" class="button button-danger-outline">
              Sign out everywhere
            </button>
          </form>
        )}
      </section>

      <section class="section" aria-labelledby="apps-heading">
        <h2 id="apps-heading">Connected apps</h2>
        {props.apps.length === 0 ? (
          <p class="empty">No connected apps.</p>
        ) : (
          <ul class="item-list">
            {props.apps.map((a, i) => (
              <li class="item">
                <div class="item-main">
                  <span class="item-title" id={`app-${i}`}>
                    {a.name}
                  </span>
                  <span class="item-meta">
                    {a.scopes.length ? a.scopes.join(' ') : 'No scopes'}, since {when(a.grantedAt)} UTC
                  </span>
                </div>
                {can.write && (
                  <a
                    href={`${base}/apps/${encodeURIComponent(a.clientId)}/revoke`}
                    class="button button-secondary button-small item-action"
                    aria-describedby={`app-${i}`}
                  >
                    Revoke…
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="section" aria-labelledby="events-heading">
        <h2 id="events-heading">Recent events</h2>
        {props.events.length === 0 ? (
          <p class="empty">No events.</p>
        ) : (
          <table class="console-table">
            <caption class="visually-hidden">Recent events of this user</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((e) => (
                <tr>
                  <td data-label="When (UTC)">{when(e.at)}</td>
                  <td data-label="Event">{e.type}</td>
                  <td data-label="By">{e.actor ?? '—'}</td>
                  <td data-label="From">{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </ConsoleLayout>
  );
}
