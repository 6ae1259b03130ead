import type { Deps } from '../deps.js';
import { createClient } from './clients.js';
import { addScope, BUILTIN_SCOPES } from './scopes.js';
import { createUser } from './users.js';
import { AdminError, checkEmail } from './validate.js';

/** Built-in scopes, then the `LATCHKEY_CONFIG` seed: creates what is missing, never duplicates. */
export async function seedStore(deps: Pick<Deps, 'store' | 'clock' | 'config' | 'log'>): Promise<void> {
  const { store, clock, config } = deps;
  const existing = new Set((await store.scopes.list()).map((s) => s.name));
  for (const scope of BUILTIN_SCOPES)
    if (!existing.has(scope.name)) await store.scopes.upsert(scope, clock.now());

  const file = config.configFile ?? 'LATCHKEY_CONFIG';
  const at = (path: string, fn: () => Promise<unknown>) =>
    fn().catch((err: unknown) => {
      if (err instanceof AdminError) throw new AdminError(`${file}: "${path}" ${err.message}`);
      throw err;
    });
  const { seed } = config;
  for (const [i, scope] of seed.scopes.entries()) {
    await at(`scopes[${i}]`, () => addScope(deps, scope.name, scope.description));
  }
  for (const [i, c] of seed.clients.entries()) {
    const id = c.client_id ?? c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (await store.clients.find(id)) continue;
    if (!c.public && !c.client_secret)
      throw new AdminError(`${file}: "clients[${i}].client_secret" is required for a confidential client`);
    await at(`clients[${i}]`, () =>
      createClient(deps, {
        name: c.name,
        clientId: id,
        ...(c.client_secret !== undefined ? { clientSecret: c.client_secret } : {}),
        redirectUris: c.redirect_uris ?? [],
        postLogoutRedirectUris: c.post_logout_redirect_uris ?? [],
        grants: c.grants ?? [],
        scopes: c.scopes ?? [],
        isPublic: c.public ?? false,
        firstParty: c.first_party ?? false,
        implicit: c.implicit ?? false,
        introspectAny: c.introspect_any ?? false,
        requirePkce: c.require_pkce ?? false,
        ...(c.token_format ? { tokenFormat: c.token_format } : {}),
        ...(c.signing_alg ? { signingAlg: c.signing_alg } : {}),
        ...(c.access_token_ttl !== undefined ? { accessTokenTtl: c.access_token_ttl } : {}),
        ...(c.refresh_token_ttl !== undefined ? { refreshTokenTtl: c.refresh_token_ttl } : {}),
        ...(c.refresh_reuse_grace !== undefined ? { refreshReuseGrace: c.refresh_reuse_grace } : {}),
      }),
    );
  }
  for (const [i, u] of seed.users.entries()) {
    const email = await at(`users[${i}].email`, async () => checkEmail(u.email));
    if (await store.users.findByEmail(email as string)) continue;
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
  if (seed.providers.length) {
    deps.log.warn('upstream providers in the config file are not supported yet; ignored', {
      count: seed.providers.length,
    });
  }
}
