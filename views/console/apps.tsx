import { CsrfField, fieldState, Notice } from '../layout.js';
import { ConsoleLayout } from './layout.js';
import { StepUpInput } from './parts.js';

/** What every console page of the Apps section takes. */
interface ConsolePageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
}

/** A row of the apps list. */
export interface AppRow {
  id: string;
  name: string;
  isPublic: boolean;
  firstParty: boolean;
  grants: readonly string[];
  /** The admin console's own client: listed, never deletable. */
  builtIn: boolean;
}

export const appHref = (id: string) => `/admin/apps/${encodeURIComponent(id)}`;

const ALERT_ID = 'app-error';

/** A refused change's message, where a screen reader says it at once. */
function Refusal({ message }: { message?: string | undefined }) {
  if (!message) return null;
  return (
    <div class="alert alert-error" role="alert" id={ALERT_ID}>
      <p>{message}</p>
    </div>
  );
}

export interface AppsListPageProps extends ConsolePageProps {
  apps: AppRow[];
  /** The next page's cursor, when there is one. */
  next?: string | null;
  notice?: string;
  /** Whether the admin may register apps (clients:write). */
  canWrite: boolean;
}

/** `/admin/apps`: every client, one row each, stacking into cards on a phone. */
export function AppsListPage({ email, csrf, path, apps, next, notice, canWrite }: AppsListPageProps) {
  return (
    <ConsoleLayout title="Apps" email={email} csrf={csrf} path={path}>
      <div class="console-heading">
        <h1>Apps</h1>
        {canWrite ? (
          <a class="button button-primary button-small" href="/admin/apps/new">
            Register app
          </a>
        ) : null}
      </div>
      <Notice text={notice} />
      <table class="console-table">
        <caption class="visually-hidden">Registered apps</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Client ID</th>
            <th scope="col">Type</th>
            <th scope="col">First-party</th>
            <th scope="col">Grants</th>
          </tr>
        </thead>
        <tbody>
          {apps.map((a) => (
            <tr>
              <td data-label="Name">
                <a href={appHref(a.id)}>{a.name}</a>
                {a.builtIn ? <span class="badge"> (built-in)</span> : null}
              </td>
              <td data-label="Client ID">
                <code>{a.id}</code>
              </td>
              <td data-label="Type">{a.isPublic ? 'public' : 'confidential'}</td>
              <td data-label="First-party">{a.firstParty ? 'yes' : 'no'}</td>
              <td data-label="Grants">{a.grants.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next ? (
        <p>
          <a href={`/admin/apps?cursor=${encodeURIComponent(next)}`}>Next page</a>
        </p>
      ) : null}
    </ConsoleLayout>
  );
}

/** A checkbox before its label. */
function Check(props: { id: string; name: string; label: string; checked: boolean; disabled?: boolean }) {
  return (
    <div class="field field-check">
      <input
        type="checkbox"
        id={props.id}
        name={props.name}
        value="on"
        checked={props.checked}
        disabled={props.disabled}
      />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

/** The grants, one checkbox each (named `grant:<type>`: a form field may appear only once). */
function GrantChecks({ grants, selected }: { grants: readonly string[]; selected: readonly string[] }) {
  return (
    <fieldset class="field">
      <legend class="label">Grants</legend>
      {grants.map((g, i) => (
        <Check id={`grant-${i}`} name={`grant:${g}`} label={g} checked={selected.includes(g)} />
      ))}
    </fieldset>
  );
}

function Lines(props: {
  id: string;
  name: string;
  label: string;
  value: string;
  hint: string;
  failed?: boolean;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name={props.name}
        rows={3}
        {...fieldState(!!props.failed, ALERT_ID, `${props.id}-hint`)}
      >
        {props.value}
      </textarea>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
    </div>
  );
}

/** What the register form holds (again, after a refusal). */
export interface NewAppValues {
  name: string;
  redirectUris: string;
  grants: readonly string[];
  isPublic: boolean;
  firstParty: boolean;
}

export interface AppRegisterPageProps extends ConsolePageProps {
  grants: readonly string[];
  values: NewAppValues;
  /** The admin's step-up field (their second factor again, or their password): the POST asks for it. */
  stepUp: 'code' | 'password';
  error?: string;
  /** The field the refusal is about (the use case's name for it). */
  failedField?: string;
}

/** `/admin/apps/new`. */
export function AppRegisterPage(props: AppRegisterPageProps) {
  const { email, csrf, path, grants, values, stepUp, error, failedField } = props;
  const failed = (field: string) => fieldState(failedField === field, ALERT_ID);
  return (
    <ConsoleLayout title="Register app" email={email} csrf={csrf} path={path}>
      <h1>Register app</h1>
      <Refusal message={error} />
      <form method="post" action="/admin/apps/new" class="stack">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="app-name">Name</label>
          <input
            type="text"
            id="app-name"
            name="name"
            value={values.name}
            required
            maxlength={200}
            {...failed('name')}
          />
        </div>
        <Lines
          id="redirect-uris"
          name="redirect_uris"
          label="Redirect URIs"
          value={values.redirectUris}
          hint="One per line, matched exactly."
          failed={failedField === 'redirectUris'}
        />
        <GrantChecks grants={grants} selected={values.grants} />
        <fieldset class="field">
          <legend class="label">Type</legend>
          <div class="field field-check">
            <input
              type="radio"
              id="type-confidential"
              name="type"
              value="confidential"
              checked={!values.isPublic}
            />
            <label for="type-confidential">Confidential (a server that keeps a secret)</label>
          </div>
          <div class="field field-check">
            <input type="radio" id="type-public" name="type" value="public" checked={values.isPublic} />
            <label for="type-public">Public (a browser or mobile app: no secret, PKCE)</label>
          </div>
        </fieldset>
        <Check
          id="first-party"
          name="first_party"
          label="First-party (no consent page)"
          checked={values.firstParty}
        />
        <StepUpInput kind={stepUp} errorId={error ? ALERT_ID : undefined} />
        <button type="submit" class="button button-primary">
          Register
        </button>
      </form>
    </ConsoleLayout>
  );
}

export interface AppSecretPageProps extends ConsolePageProps {
  clientId: string;
  name: string;
  /** Absent for a public client: it has none. */
  secret?: string | undefined;
  heading: string;
}

/**
 * The secret, once (after registering or rotating): in a readonly textbox that can be selected without
 * JavaScript; /assets/copy-secret.js reveals the "Copy" button.
 */
export function AppSecretPage({ email, csrf, path, clientId, name, secret, heading }: AppSecretPageProps) {
  return (
    <ConsoleLayout title={heading} email={email} csrf={csrf} path={path}>
      <h1>{heading}</h1>
      <p class="lead">{name}</p>
      <div class="field">
        <label for="client-id">Client ID</label>
        <input type="text" id="client-id" value={clientId} readonly />
      </div>
      {secret !== undefined ? (
        <div class="field">
          <label for="client-secret">Client secret</label>
          <p class="alert alert-error" id="client-secret-warning">
            Copy this secret now: you will not see it again.
          </p>
          <input
            type="text"
            id="client-secret"
            value={secret}
            readonly
            spellcheck={false}
            autocomplete="off"
            aria-describedby="client-secret-warning"
          />
          <button type="button" class="button button-secondary button-small" hidden data-copy="client-secret">
            Copy
          </button>
          <script src="/assets/copy-secret.js" defer />
        </div>
      ) : (
        <p>This app is public: it has no secret, and proves each code with PKCE instead.</p>
      )}
      <p>
        <a href={appHref(clientId)}>Go to the app</a>
      </p>
    </ConsoleLayout>
  );
}

/** What the app page's form holds (again, after a refusal). */
export interface AppValues {
  redirectUris: string;
  postLogoutRedirectUris: string;
  grants: readonly string[];
  scopes: string;
  accessTokenTtl: string;
  refreshTokenTtl: string;
  tokenFormat: string;
  firstParty: boolean;
  requirePkce: boolean;
  requireMfa: boolean;
}

export interface AppPageProps extends ConsolePageProps {
  app: AppRow;
  grants: readonly string[];
  values: AppValues;
  /** The admin's step-up field (their second factor again, or their password): the POST asks for it. */
  stepUp: 'code' | 'password';
  error?: string;
  /** The field the refusal is about (the use case's name for it). */
  failedField?: string;
  notice?: string;
  /** Whether the admin may change it (clients:write). */
  canWrite: boolean;
}

/** `/admin/apps/:id`: its settings, and the way to rotate its secret or delete it. Never the secret. */
export function AppPage(props: AppPageProps) {
  const { email, csrf, path, app, grants, values, error, failedField, notice, canWrite } = props;
  const href = appHref(app.id);
  const failed = (field: string) => fieldState(failedField === field, ALERT_ID);
  return (
    <ConsoleLayout title={app.name} email={email} csrf={csrf} path={path}>
      <p>
        <a href="/admin/apps">All apps</a>
      </p>
      <h1>{app.name}</h1>
      <p class="lead">
        <code>{app.id}</code> · {app.isPublic ? 'public' : 'confidential'}
        {app.builtIn ? ' · built-in (the admin console)' : ''}
      </p>
      <Notice text={notice} />
      <Refusal message={error} />
      <form method="post" action={href} class="stack">
        <CsrfField token={csrf} />
        <Lines
          id="redirect-uris"
          name="redirect_uris"
          label="Redirect URIs"
          value={values.redirectUris}
          hint="One per line, matched exactly."
          failed={failedField === 'redirectUris'}
        />
        <Lines
          id="post-logout-redirect-uris"
          name="post_logout_redirect_uris"
          label="Post-logout redirect URIs"
          value={values.postLogoutRedirectUris}
          hint="One per line: where a logout may return."
          failed={failedField === 'postLogoutRedirectUris'}
        />
        <GrantChecks grants={grants} selected={values.grants} />
        <div class="field">
          <label for="scopes">Scopes</label>
          <input
            type="text"
            id="scopes"
            name="scopes"
            value={values.scopes}
            {...fieldState(failedField === 'scopes', ALERT_ID, 'scopes-hint')}
          />
          <p class="hint" id="scopes-hint">
            Separated by spaces: what the app may ask for.
          </p>
        </div>
        <div class="field">
          <label for="access-ttl">Access token lifetime (seconds)</label>
          <input
            type="number"
            id="access-ttl"
            name="access_token_ttl"
            {...failed('accessTokenTtlSeconds')}
            value={values.accessTokenTtl}
            min={1}
          />
        </div>
        <div class="field">
          <label for="refresh-ttl">Refresh token lifetime (seconds)</label>
          <input
            type="number"
            id="refresh-ttl"
            name="refresh_token_ttl"
            {...failed('refreshTokenTtlSeconds')}
            value={values.refreshTokenTtl}
            min={1}
          />
        </div>
        <div class="field">
          <label for="token-format">Access token format</label>
          <select id="token-format" name="token_format">
            <option value="jwt" selected={values.tokenFormat === 'jwt'}>
              JWT
            </option>
            <option value="opaque" selected={values.tokenFormat === 'opaque'}>
              Opaque
            </option>
          </select>
        </div>
        <Check
          id="first-party"
          name="first_party"
          label="First-party (no consent page)"
          checked={values.firstParty}
        />
        <Check
          id="require-pkce"
          name="require_pkce"
          label={app.isPublic ? 'Require PKCE (always, for a public app)' : 'Require PKCE'}
          checked={app.isPublic || values.requirePkce}
          disabled={app.isPublic}
        />
        <Check
          id="require-mfa"
          name="require_mfa"
          label="Require a second factor"
          checked={values.requireMfa}
        />
        {canWrite ? (
          <>
            <StepUpInput kind={props.stepUp} errorId={error ? ALERT_ID : undefined} />
            <button type="submit" class="button button-primary">
              Save changes
            </button>
          </>
        ) : null}
      </form>
      {canWrite ? (
        <section class="section" aria-labelledby="danger-heading">
          <h2 id="danger-heading">Secret and removal</h2>
          <ul class="item-list">
            {app.isPublic ? null : (
              <li>
                <a href={`${href}/rotate`}>Rotate secret</a>
              </li>
            )}
            <li>
              <a href={`${href}/delete`}>Delete</a>
            </li>
          </ul>
        </section>
      ) : null}
    </ConsoleLayout>
  );
}
