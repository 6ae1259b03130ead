import type { Provider } from '../../src/store/types.js';
import { CsrfField } from '../layout.js';
import { ConsoleLayout } from './layout.js';
import { ConsoleAlert, ConsoleNotice, StepUpInput } from './parts.js';

export const providerHref = (slug: string) => `/admin/providers/${encodeURIComponent(slug)}`;

/** What "Test" found in the issuer's discovery document. */
export interface DiscoveryReport {
  slug: string;
  issuer: string;
  endpoints: [string, string][];
  algorithms: string[];
}

export interface ConsoleProvidersPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  providers: Provider[];
  canWrite: boolean;
  notice?: string | undefined;
  /** "Test" failed: the error, as discovery gave it. */
  error?: string | undefined;
  found?: DiscoveryReport | undefined;
}

function TestReport({ found }: { found?: DiscoveryReport | undefined }) {
  if (!found) return null;
  return (
    <div class="alert alert-success" role="status">
      <div>
        <p>
          Discovery for <code>{found.slug}</code> works: issuer <code>{found.issuer}</code>.
        </p>
        <ul>
          {found.endpoints.map(([name, url]) => (
            <li>
              {name}: <code>{url}</code>
            </li>
          ))}
          <li>ID token algorithms: {found.algorithms.join(', ') || 'not stated'}</li>
        </ul>
      </div>
    </div>
  );
}

/** `/admin/providers`: the upstream identity providers, with enable/disable, "Test" and remove. */
export function ConsoleProvidersPage(p: ConsoleProvidersPageProps) {
  return (
    <ConsoleLayout title="Providers" email={p.email} csrf={p.csrf} path={p.path}>
      <h1>Identity providers</h1>
      <ConsoleNotice message={p.notice} />
      <ConsoleAlert message={p.error} />
      <TestReport found={p.found} />
      {p.providers.length === 0 ? (
        <p>No upstream providers: users sign in with a password only.</p>
      ) : (
        <table class="console-table">
          <caption class="visually-hidden">Upstream identity providers</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Issuer</th>
              <th scope="col">Client id</th>
              <th scope="col">Status</th>
              {p.canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {p.providers.map((provider) => (
              <tr>
                <td data-label="Slug">
                  <code>{provider.slug}</code>
                </td>
                <td data-label="Name">{provider.name}</td>
                <td data-label="Issuer">{provider.issuer}</td>
                <td data-label="Client id">{provider.clientId}</td>
                <td data-label="Status">{provider.enabled ? 'Enabled' : 'Disabled'}</td>
                {p.canWrite && (
                  <td data-label="Actions">
                    <form method="post" action={`${providerHref(provider.slug)}/test`}>
                      <CsrfField token={p.csrf} />
                      <button type="submit" class="button button-secondary button-small">
                        Test<span class="visually-hidden"> {provider.name}</span>
                      </button>
                    </form>{' '}
                    {/* Enabling has a confirmation page (it asks for the step-up); disabling posts at once. */}
                    <form
                      method={provider.enabled ? 'post' : 'get'}
                      action={`${providerHref(provider.slug)}/${provider.enabled ? 'disable' : 'enable'}`}
                    >
                      {provider.enabled ? <CsrfField token={p.csrf} /> : null}
                      <button type="submit" class="button button-secondary button-small">
                        {provider.enabled ? 'Disable' : 'Enable'}
                        <span class="visually-hidden"> {provider.name}</span>
                      </button>
                    </form>{' '}
                    <a href={`${providerHref(provider.slug)}/remove`}>
                      Remove<span class="visually-hidden"> {provider.name}</span>
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.canWrite && (
        <section class="section" aria-labelledby="add-provider">
          <h2 id="add-provider">Add a provider</h2>
          <ul>
            <li>
              <a href="/admin/providers/new?preset=google">Add Google</a>
            </li>
            <li>
              <a href="/admin/providers/new?preset=azure">Add Microsoft (Entra ID)</a>
            </li>
            <li>
              <a href="/admin/providers/new?preset=oidc">Add another OpenID Connect provider</a>
            </li>
          </ul>
        </section>
      )}
    </ConsoleLayout>
  );
}

export type ProviderPreset = 'google' | 'azure' | 'oidc';

/** The add form as typed: never the client secret, which is not shown back. */
export interface ProviderDraft {
  slug: string;
  name: string;
  issuer: string;
  tenant: string;
  clientId: string;
}

export interface ConsoleProviderAddPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  preset: ProviderPreset;
  draft: ProviderDraft;
  /** `<issuer>/federation/` : the redirect URI to register upstream is this + slug + `/callback`. */
  callbackBase: string;
  /** The admin's step-up field (their second factor again, or their password): the POST asks for it. */
  stepUp: 'code' | 'password';
  error?: string | undefined;
}

const PRESET_TITLES: Record<ProviderPreset, string> = {
  google: 'Add Google',
  azure: 'Add Microsoft (Entra ID)',
  oidc: 'Add an OpenID Connect provider',
};

function Field(p: {
  id: string;
  name: string;
  label: string;
  value?: string;
  type?: string;
  required?: boolean;
  hint?: string;
}) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint && (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      )}
      <input
        id={p.id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        {...(p.required ? { required: true } : {})}
        {...(p.hint ? { 'aria-describedby': `${p.id}-hint` } : {})}
        {...(p.type === 'password' ? { autocomplete: 'off' } : {})}
      />
    </div>
  );
}

/** `/admin/providers/new?preset=…`: Google and Microsoft fill the slug and the issuer in; any other names both. */
const PROVIDER_ERROR_ID = 'provider-error';

export function ConsoleProviderAddPage(p: ConsoleProviderAddPageProps) {
  const slug = p.preset === 'oidc' ? p.draft.slug || '<slug>' : p.preset;
  return (
    <ConsoleLayout title={PRESET_TITLES[p.preset]} email={p.email} csrf={p.csrf} path={p.path}>
      <h1>{PRESET_TITLES[p.preset]}</h1>
      <ConsoleAlert message={p.error} id={PROVIDER_ERROR_ID} />
      <p>
        Register this redirect URI with the provider: <code>{`${p.callbackBase}${slug}/callback`}</code>
      </p>
      <form method="post" action={`/admin/providers/new?preset=${p.preset}`} class="stack">
        <CsrfField token={p.csrf} />
        {p.preset === 'oidc' ? (
          <>
            <Field
              id="provider-slug"
              name="slug"
              label="Slug"
              value={p.draft.slug}
              required
              hint="Lowercase letters, digits and -: it is part of the redirect URI."
            />
            <Field
              id="provider-issuer"
              name="issuer"
              label="Issuer URL"
              type="url"
              value={p.draft.issuer}
              required
            />
          </>
        ) : (
          <input type="hidden" name="slug" value={p.preset} />
        )}
        {p.preset === 'azure' && (
          <Field
            id="provider-tenant"
            name="tenant"
            label="Tenant"
            value={p.draft.tenant}
            required
            hint="Your tenant id, or organizations (any work account), or common (work and personal accounts)."
          />
        )}
        <Field
          id="provider-name"
          name="name"
          label="Name on the sign-in page (optional)"
          value={p.draft.name}
        />
        <Field id="provider-client-id" name="clientId" label="Client id" value={p.draft.clientId} required />
        <Field
          id="provider-client-secret"
          name="clientSecret"
          label="Client secret"
          type="password"
          required
          hint="Stored sealed; never shown again."
        />
        <StepUpInput kind={p.stepUp} errorId={p.error ? PROVIDER_ERROR_ID : undefined} />
        <button type="submit" class="button button-primary">
          Add provider
        </button>{' '}
        <a href="/admin/providers">Cancel</a>
      </form>
    </ConsoleLayout>
  );
}
