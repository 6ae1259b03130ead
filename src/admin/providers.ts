import type { Deps } from '../deps.js';
import type { Provider, ProviderKind } from '../store/types.js';
import { type AdminContext, adminEvent, CLI, managedByOf } from './context.js';
import { AdminError, isLoopbackHost, sameSet } from './validate.js';

export const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
type TokenAuth = (typeof TOKEN_AUTH_METHODS)[number];

/** Entra ID's multi-tenant endpoints; any other tenant is named by its id. */
const AZURE_TENANT_WORDS = ['organizations', 'common'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The slugs that name a preset; any other slug is a generic OpenID Connect issuer. */
const PRESETS = {
  google: { name: 'Google', issuer: () => 'https://accounts.google.com' },
  azure: {
    name: 'Microsoft',
    issuer: (tenant: string) => `https://login.microsoftonline.com/${tenant}/v2.0`,
  },
} as const satisfies Record<
  Exclude<ProviderKind, 'oidc'>,
  { name: string; issuer: (tenant: string) => string }
>;

const kindOf = (slug: string): ProviderKind =>
  Object.hasOwn(PRESETS, slug) ? (slug as ProviderKind) : 'oidc';

export interface ProviderInput {
  slug: string;
  issuer?: string;
  /** Entra ID only: a tenant id, `organizations` or `common`. */
  tenant?: string;
  clientId: string;
  clientSecret: string;
  name?: string;
  enabled?: boolean;
  tokenAuth?: string;
  /** Entra ID only: tenants whose email addresses are taken as verified. */
  trustedTenants?: string[];
}

/** What `provider add|list|enable|disable` print: never the client secret, sealed or not. */
export function describeProvider(p: Provider): Record<string, unknown> {
  return {
    slug: p.slug,
    issuer: p.issuer,
    name: p.name,
    enabled: p.enabled,
    kind: p.kind,
    ...(p.tenant !== null ? { tenant: p.tenant } : {}),
    client_id: p.clientId,
    token_auth: p.tokenAuth,
    trusted_tenants: p.trustedTenants,
  };
}

/** It is a path segment of the redirect URI registered upstream: `/federation/<slug>/callback`. */
function checkSlug(slug: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(slug))
    throw new AdminError(
      `"${slug}" must be 1-32 lowercase letters, digits or "-", not starting with "-"`,
      'invalid_input',
      'slug',
    );
  return slug;
}

/**
 * OpenID Connect Discovery §4: the issuer is an https URL without query or fragment, and discovery appends
 * `/.well-known/openid-configuration` to it as given (so a trailing slash is kept). Plain http only on
 * loopback, for tests and development (SPEC §4).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
function checkIssuer(issuer: string): string {
  const fail = (problem: string) => new AdminError(`"${issuer}" ${problem}`, 'invalid_input', 'issuer');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw fail('must be an absolute URL');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url))
    throw fail('must be https (plain http only on a loopback host: localhost, 127.0.0.1, [::1])');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('must be an https URL');
  if (url.search || url.hash || /[?#]/.test(issuer)) throw fail('must not have a query or fragment');
  return issuer;
}

function checkTenant(kind: ProviderKind, tenant: string | undefined): string | null {
  if (kind !== 'azure') {
    if (tenant !== undefined)
      throw new AdminError('is only for the azure provider', 'invalid_input', 'tenant');
    return null;
  }
  if (tenant === undefined)
    throw new AdminError(
      'is required for azure: a tenant id, organizations or common',
      'invalid_input',
      'tenant',
    );
  if (!AZURE_TENANT_WORDS.includes(tenant) && !GUID.test(tenant))
    throw new AdminError(
      `"${tenant}" must be a tenant id (a GUID), organizations or common`,
      'invalid_input',
      'tenant',
    );
  // `tid` claims are lowercase GUIDs.
  return tenant.toLowerCase();
}

function checkTrustedTenants(kind: ProviderKind, tenants: string[]): string[] {
  if (!tenants.length) return [];
  if (kind !== 'azure')
    throw new AdminError('is only for the azure provider', 'invalid_input', 'trustedTenants');
  for (const t of tenants)
    if (!GUID.test(t))
      throw new AdminError(`"${t}" must be a tenant id (a GUID)`, 'invalid_input', 'trustedTenants');
  return [...new Set(tenants.map((t) => t.toLowerCase()))];
}

function issuerFor(kind: ProviderKind, given: string | undefined, tenant: string | null): string {
  switch (kind) {
    case 'google': {
      const preset = PRESETS.google.issuer();
      if (given !== undefined && given !== preset)
        throw new AdminError(`must be ${preset} for google (or left out)`, 'invalid_input', 'issuer');
      return preset;
    }
    // A given issuer replaces the public cloud's: a national cloud, or a stand-in under test.
    case 'azure':
      return checkIssuer(given ?? PRESETS.azure.issuer(tenant!));
    case 'oidc': {
      if (given === undefined) throw new AdminError('is required', 'invalid_input', 'issuer');
      const issuer = checkIssuer(given);
      // Entra ID's email trust (`xms_edov`, trusted tenants) and its tenant rules apply only to `--slug azure`.
      if (MICROSOFT_LOGIN_HOSTS.test(new URL(issuer).hostname))
        throw new AdminError(
          'is a Microsoft Entra ID issuer: add it with --slug azure --tenant <id|organizations|common>',
          'invalid_input',
          'issuer',
        );
      return issuer;
    }
  }
}

/** The hosts of Entra ID's clouds (public, US government, China). */
const MICROSOFT_LOGIN_HOSTS =
  /^(login\.microsoftonline\.(com|us)|login\.partner\.microsoftonline\.cn|login\.chinacloudapi\.cn)$/i;

function required(value: unknown, field: 'clientId' | 'clientSecret'): string {
  if (typeof value !== 'string' || !value.trim())
    throw new AdminError('must not be empty', 'invalid_input', field);
  return value;
}

/** The fields of a provider entry every change validates the same way (add, update). */
function checkedFields(
  kind: ProviderKind,
  slug: string,
  input: Omit<ProviderInput, 'slug' | 'clientSecret'>,
) {
  const tenant = checkTenant(kind, input.tenant);
  const issuer = issuerFor(kind, input.issuer, tenant);
  if (input.name !== undefined && typeof input.name !== 'string')
    throw new AdminError('must be a string', 'invalid_input', 'name');
  const name = input.name?.trim() || (kind === 'oidc' ? slug : PRESETS[kind].name);
  if (name.length > 100) throw new AdminError('must be at most 100 characters', 'invalid_input', 'name');
  const tokenAuth = (input.tokenAuth ?? 'client_secret_basic') as TokenAuth;
  if (!TOKEN_AUTH_METHODS.includes(tokenAuth))
    throw new AdminError(`must be one of ${TOKEN_AUTH_METHODS.join(', ')}`, 'invalid_input', 'tokenAuth');
  const trusted = input.trustedTenants ?? [];
  if (!Array.isArray(trusted) || trusted.some((t) => typeof t !== 'string'))
    throw new AdminError('must be a list of strings', 'invalid_input', 'trustedTenants');
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    throw new AdminError('"enabled" must be true or false');
  return {
    name,
    issuer,
    tenant,
    clientId: required(input.clientId, 'clientId'),
    tokenAuth,
    trustedTenants: checkTrustedTenants(kind, trusted),
    enabled: input.enabled ?? true,
  };
}

/** Registers an upstream provider; its client secret is sealed with `LATCHKEY_SECRET` before it is stored. */
export async function addProvider(
  deps: Pick<Deps, 'store' | 'clock' | 'sealer'>,
  input: ProviderInput,
  ctx: AdminContext = CLI,
): Promise<Provider> {
  const slug = checkSlug(input.slug);
  const kind = kindOf(slug);
  const fields = checkedFields(kind, slug, input);
  const now = deps.clock.now();
  const provider: Provider = {
    slug,
    kind,
    ...fields,
    clientSecretSealed: deps.sealer.seal(required(input.clientSecret, 'clientSecret')),
    managedBy: managedByOf(ctx),
    createdAt: now,
    updatedAt: now,
  };
  const event = adminEvent(ctx, 'provider_added', now, { detail: { provider: slug } });
  if (!(await deps.store.providers.create(provider, event)))
    throw new AdminError(`"${slug}" is taken by another provider`, 'exists', 'slug');
  return provider;
}

export const listProviders = (deps: Pick<Deps, 'store'>): Promise<Provider[]> => deps.store.providers.list();

async function findProvider(deps: Pick<Deps, 'store'>, slug: string): Promise<Provider> {
  const provider = await deps.store.providers.find(slug);
  if (!provider) throw new AdminError(`no provider "${String(slug).slice(0, 64)}"`, 'not_found');
  return provider;
}

/** The provider fields a change is about, as `ProviderInput` names them. */
const COMPARED = ['name', 'issuer', 'tenant', 'clientId', 'tokenAuth', 'trustedTenants', 'enabled'] as const;

/**
 * Changes what the patch names (the issuer and tenant validated as `addProvider` does; the client secret only
 * when given). `changed` names what really changed; none: nothing was written. The upstream secret is
 * compared by opening the stored one: the same secret again is no change.
 */
export async function updateProvider(
  deps: Pick<Deps, 'store' | 'clock' | 'sealer'>,
  slug: string,
  patch: Partial<Omit<ProviderInput, 'slug'>>,
  ctx: AdminContext = CLI,
): Promise<{ provider: Provider; changed: (keyof ProviderInput)[] }> {
  const prior = await findProvider(deps, slug);
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const fields = checkedFields(prior.kind, prior.slug, {
    name: prior.name,
    // A preset's issuer is derived: the tenant alone may move it (azure), unless an issuer is given.
    ...(prior.kind === 'oidc' || (prior.kind === 'azure' && given['tenant'] === undefined)
      ? { issuer: prior.issuer }
      : {}),
    ...(prior.tenant !== null ? { tenant: prior.tenant } : {}),
    clientId: prior.clientId,
    tokenAuth: prior.tokenAuth,
    trustedTenants: prior.trustedTenants,
    enabled: prior.enabled,
    ...given,
  });
  const changed: (keyof ProviderInput)[] = COMPARED.filter((key) => {
    const a = prior[key];
    const b = fields[key];
    return Array.isArray(a) && Array.isArray(b) ? !sameSet(a, b) : a !== b;
  });
  let clientSecretSealed = prior.clientSecretSealed;
  if (patch.clientSecret !== undefined) {
    const secret = required(patch.clientSecret, 'clientSecret');
    let same = false;
    try {
      same = deps.sealer.open(prior.clientSecretSealed) === secret;
    } catch {
      // Sealed under another LATCHKEY_SECRET: the new one replaces it.
    }
    if (!same) {
      clientSecretSealed = deps.sealer.seal(secret);
      changed.push('clientSecret');
    }
  }
  if (!changed.length) return { provider: prior, changed };
  const now = deps.clock.now();
  const provider: Provider = { ...prior, ...fields, clientSecretSealed, updatedAt: now };
  const event = adminEvent(ctx, 'provider_updated', now, { detail: { provider: slug, changed } });
  if (!(await deps.store.providers.update(provider, event)))
    throw new AdminError(`no provider "${slug}"`, 'not_found');
  return { provider, changed };
}

/** SPEC §1: a running server sees the change at once (it reads the registry, the CLI caches nothing). */
export async function setProviderEnabled(
  deps: Pick<Deps, 'store' | 'clock'>,
  slug: string,
  enabled: boolean,
  ctx: AdminContext = CLI,
): Promise<Provider> {
  const now = deps.clock.now();
  const event = adminEvent(ctx, enabled ? 'provider_enabled' : 'provider_disabled', now, {
    detail: { provider: slug },
  });
  const found =
    (await deps.store.providers.setEnabled(slug, enabled, now, event)) &&
    (await deps.store.providers.find(slug));
  if (!found) throw new AdminError(`no provider "${slug}"`, 'not_found');
  return found;
}

/**
 * Removes the entry. The users linked through it keep their link (no foreign key: removing an entry must not
 * unlink anyone silently); `user unlink` is the action that does, and hands out a set-password link.
 */
export async function removeProvider(
  deps: Pick<Deps, 'store' | 'clock'>,
  slug: string,
  ctx: AdminContext = CLI,
): Promise<void> {
  const event = adminEvent(ctx, 'provider_removed', deps.clock.now(), { detail: { provider: slug } });
  if (!(await deps.store.providers.remove(slug, event)))
    throw new AdminError(`no provider "${slug}"`, 'not_found');
}
