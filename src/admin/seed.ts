import { ConfigError } from '../config.js';
import type { Deps } from '../deps.js';
import { BUILTIN_SCOPES } from '../oauth/scope.js';
import { createClient } from './clients.js';
import { addProvider } from './providers.js';
import { addScope } from './scopes.js';
import { createUser } from './users.js';
import { AdminError, type AdminField, checkEmail } from './validate.js';

const SEED_KEYS: Readonly<Record<AdminField, string>> = {
  name: 'name',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  resources: 'resources',
  grants: 'grants',
  scopes: 'scopes',
  isPublic: 'public',
  tokenFormat: 'token_format',
  signingAlg: 'signing_alg',
  accessTokenTtlSeconds: 'access_token_ttl',
  refreshTokenTtlSeconds: 'refresh_token_ttl',
  refreshReuseGraceSeconds: 'refresh_reuse_grace',
  email: 'email',
  password: 'password',
  description: 'description',
  slug: 'slug',
  issuer: 'issuer',
  tenant: 'tenant',
  tokenAuth: 'token_auth',
  trustedTenants: 'trusted_tenants',
  givenName: 'given_name',
  familyName: 'family_name',
  roles: 'roles',
  groups: 'groups',
  username: 'username',
  cursor: 'cursor',
  limit: 'limit',
  session: 'session',
};

/** The built-in scopes: creates what is missing, never duplicates (the registry lists them). */
export async function seedBuiltinScopes(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const existing = new Set((await deps.store.scopes.list()).map((s) => s.name));
  for (const scope of BUILTIN_SCOPES)
    if (!existing.has(scope.name)) await deps.store.scopes.upsert(scope, deps.clock.now());
}

/** The `LATCHKEY_CONFIG` seed: creates what is missing, never duplicates. */
export async function seedConfigFile(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'log' | 'sealer'>,
): Promise<void> {
  const { store, config } = deps;

  const file = config.configFile ?? 'LATCHKEY_CONFIG';
  // The file's own words for each field: `clients[0].redirect_uris`.
  const at = <T>(path: string, fn: () => Promise<T>): Promise<T> =>
    fn().catch((err: unknown) => {
      if (!(err instanceof AdminError)) throw err;
      const where = err.field ? `${path}.${SEED_KEYS[err.field]}` : path;
      throw new ConfigError(`${file}: "${where}" ${err.problem}`);
    });
  const { seed } = config;
  for (const [i, scope] of seed.scopes.entries()) {
    await at(`scopes[${i}]`, () => addScope(deps, scope.name, scope.description));
  }
  for (const [i, c] of seed.clients.entries()) {
    const id = c.client_id ?? c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (await store.clients.find(id)) continue;
    if (!c.public && !c.client_secret)
      throw new ConfigError(`${file}: "clients[${i}].client_secret" is required for a confidential client`);
    const created = await at(`clients[${i}]`, () =>
      createClient(deps, {
        name: c.name,
        clientId: id,
        ...(c.client_secret !== undefined ? { clientSecret: c.client_secret } : {}),
        redirectUris: c.redirect_uris ?? [],
        postLogoutRedirectUris: c.post_logout_redirect_uris ?? [],
        resources: c.resources ?? [],
        grants: c.grants ?? [],
        scopes: c.scopes ?? [],
        isPublic: c.public ?? false,
        firstParty: c.first_party ?? false,
        implicit: c.implicit ?? false,
        introspectAny: c.introspect_any ?? false,
        requirePkce: c.require_pkce ?? false,
        requireMfa: c.require_mfa ?? false,
        ...(c.token_format ? { tokenFormat: c.token_format } : {}),
        ...(c.signing_alg ? { signingAlg: c.signing_alg } : {}),
        ...(c.access_token_ttl !== undefined ? { accessTokenTtlSeconds: c.access_token_ttl } : {}),
        ...(c.refresh_token_ttl !== undefined ? { refreshTokenTtlSeconds: c.refresh_token_ttl } : {}),
        ...(c.refresh_reuse_grace !== undefined ? { refreshReuseGraceSeconds: c.refresh_reuse_grace } : {}),
      }),
    );
    for (const w of created.warnings)
      deps.log.warn(`${file}: "clients[${i}].${SEED_KEYS[w.field]}" ${w.problem}`, { client_id: id });
  }
  for (const [i, u] of seed.users.entries()) {
    const email = await at(`users[${i}]`, async () => checkEmail(u.email));
    if (await store.users.findByEmail(email)) continue;
    await at(`users[${i}]`, () =>
      createUser(deps, {
        email: u.email,
        ...(u.password !== undefined ? { password: u.password } : {}),
        ...(u.name !== undefined ? { name: u.name } : {}),
        ...(u.given_name !== undefined ? { givenName: u.given_name } : {}),
        ...(u.family_name !== undefined ? { familyName: u.family_name } : {}),
        roles: u.roles ?? [],
      }),
    );
  }
  // Like clients: an entry already there is left as it is (the CLI may have disabled it since).
  for (const [i, p] of seed.providers.entries()) {
    if (await store.providers.find(p.slug)) continue;
    await at(`providers[${i}]`, () =>
      addProvider(deps, {
        slug: p.slug,
        clientId: p.client_id,
        clientSecret: p.client_secret,
        ...(p.issuer !== undefined ? { issuer: p.issuer } : {}),
        ...(p.tenant !== undefined ? { tenant: p.tenant } : {}),
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
        ...(p.token_auth !== undefined ? { tokenAuth: p.token_auth } : {}),
        trustedTenants: p.trusted_tenants ?? [],
      }),
    );
  }
}
