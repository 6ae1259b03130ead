import {
  ConfigError,
  type SeedClient,
  type SeedProvider,
  type SeedScope,
  type SeedUser,
  seedClientId,
} from '../config.js';
import { safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { BUILTIN_SCOPES } from '../oauth/scope.js';
import { type ClientInput, putClient, removeClient } from './clients.js';
import { CONFIG_FILE } from './context.js';
import { CLIENT_FIELD_KEYS, FIELD_NAMES, PROVIDER_FIELD_KEYS, USER_FIELD_KEYS } from './fields.js';
import { addProvider, updateProvider } from './providers.js';
import { addScope, removeScope } from './scopes.js';
import { createUser, type UserPatch, updateUser } from './users.js';
import { AdminError, type AdminWarning, checkEmail } from './validate.js';

const SEED_KEYS = FIELD_NAMES;

/** The built-in scopes: creates what is missing, never duplicates (the registry lists them). */
export async function seedBuiltinScopes(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const existing = new Set((await deps.store.scopes.list()).map((s) => s.name));
  for (const scope of BUILTIN_SCOPES)
    if (!existing.has(scope.name)) await deps.store.scopes.upsert(scope, deps.clock.now());
}

type SeedDeps = Pick<Deps, 'store' | 'clock' | 'config' | 'log' | 'sealer'>;

/** One application of the file: its name for messages, and the one-line log of what it did. */
class SeedRun {
  constructor(
    readonly deps: SeedDeps,
    readonly file: string,
  ) {}

  /** Runs a use case; its `AdminError` becomes a `ConfigError` naming the entry's key: `clients[0].roles`. */
  at<T>(path: string, fn: () => Promise<T>): Promise<T> {
    return fn().catch((err: unknown) => {
      if (!(err instanceof AdminError)) throw err;
      const where = err.field ? `${path}.${SEED_KEYS[err.field]}` : path;
      throw new ConfigError(`${this.file}: "${where}" ${err.problem}`);
    });
  }

  created(kind: string, name: string): void {
    this.deps.log.info(`${this.file}: ${kind} "${name}" created`);
  }

  /** One line per changed entry, naming the changed keys: never a value (a secret's least of all). */
  updated(kind: string, name: string, changed: string[]): void {
    if (changed.length) this.deps.log.info(`${this.file}: ${kind} "${name}" updated: ${changed.join(', ')}`);
  }

  /** An entry the CLI or the admin API created: the file never touches it. */
  leftAlone(kind: string, name: string): void {
    this.deps.log.info(
      `${this.file}: ${kind} "${name}" exists and was not created by this file: left as it is`,
    );
  }

  warnings(path: string, warnings: AdminWarning[]): void {
    for (const w of warnings)
      this.deps.log.warn(`${this.file}: "${path}.${SEED_KEYS[w.field]}" ${w.problem}`);
  }
}

/**
 * Applies the `LATCHKEY_CONFIG` file at start. What the file creates it manages (`managed_by = 'config'`): a
 * later start updates it to what the file says, and `prune: true` removes the clients and scopes the file no
 * longer lists. What the CLI or the admin API created is never touched, whatever the file says.
 */
export async function seedConfigFile(deps: SeedDeps): Promise<void> {
  const { seed } = deps.config;
  const run = new SeedRun(deps, deps.config.configFile ?? 'LATCHKEY_CONFIG');
  // Scopes first: clients list them.
  for (const [i, scope] of seed.scopes.entries()) await seedScope(run, `scopes[${i}]`, scope);
  for (const [i, client] of seed.clients.entries()) await seedClient(run, `clients[${i}]`, client);
  for (const [i, user] of seed.users.entries()) await seedUser(run, `users[${i}]`, user);
  for (const [i, provider] of seed.providers.entries()) await seedProvider(run, `providers[${i}]`, provider);
  if (seed.prune) await prune(run);
}

async function seedScope(run: SeedRun, path: string, scope: SeedScope): Promise<void> {
  const [existing] = await run.deps.store.scopes.findMany([scope.name]);
  // A built-in scope is refused by addScope, with the file's words.
  if (existing && !existing.builtin && existing.managedBy !== 'config')
    return run.leftAlone('scope', scope.name);
  await run.at(path, () => addScope(run.deps, scope.name, scope.description, CONFIG_FILE));
  if (!existing) run.created('scope', scope.name);
  else if (existing.description !== scope.description.trim())
    run.updated('scope', scope.name, ['description']);
}

async function seedClient(run: SeedRun, path: string, c: SeedClient): Promise<void> {
  const id = seedClientId(c);
  const existing = await run.deps.store.clients.find(id);
  if (existing && existing.managedBy !== 'config') return run.leftAlone('client', id);
  if (!existing && !c.public && !c.client_secret)
    throw new ConfigError(`${run.file}: "${path}.client_secret" is required for a confidential client`);
  // The file gives its secret on every start: only a different one is a change (the store keeps a SHA-256).
  const sameSecret =
    existing !== undefined &&
    existing.secretHash !== null &&
    c.client_secret !== undefined &&
    safeEqual(sha256(c.client_secret), existing.secretHash);
  const input: ClientInput = {
    name: c.name,
    clientId: id,
    ...(c.client_secret !== undefined && !sameSecret ? { clientSecret: c.client_secret } : {}),
    redirectUris: c.redirect_uris ?? [],
    postLogoutRedirectUris: c.post_logout_redirect_uris ?? [],
    resources: c.resources ?? [],
    grants: c.grants ?? [],
    scopes: c.scopes ?? [],
    roles: c.roles ?? [],
    isPublic: c.public ?? false,
    firstParty: c.first_party ?? false,
    implicit: c.implicit ?? false,
    introspectAny: c.introspect_any ?? false,
    requirePkce: c.require_pkce ?? false,
    requireMfa: c.require_mfa ?? false,
    requireVerifiedEmail: c.require_verified_email ?? false,
    ...(c.token_format ? { tokenFormat: c.token_format } : {}),
    ...(c.signing_alg ? { signingAlg: c.signing_alg } : {}),
    ...(c.access_token_alg ? { accessTokenAlg: c.access_token_alg } : {}),
    ...(c.id_token_alg ? { idTokenAlg: c.id_token_alg } : {}),
    ...(c.id_token_claims ? { idTokenClaims: c.id_token_claims } : {}),
    backchannelLogoutUri: c.backchannel_logout_uri ?? null,
    backchannelLogoutSessionRequired: c.backchannel_logout_session_required ?? true,
    logoUri: c.logo_uri ?? null,
    clientUri: c.client_uri ?? null,
    policyUri: c.policy_uri ?? null,
    tosUri: c.tos_uri ?? null,
    webOrigins: c.web_origins ?? [],
    ...(c.access_token_ttl !== undefined ? { accessTokenTtlSeconds: c.access_token_ttl } : {}),
    ...(c.refresh_token_ttl !== undefined ? { refreshTokenTtlSeconds: c.refresh_token_ttl } : {}),
    ...(c.refresh_reuse_grace !== undefined ? { refreshReuseGraceSeconds: c.refresh_reuse_grace } : {}),
  };
  const put = await run.at(path, () => putClient(run.deps, id, input, CONFIG_FILE));
  if (put.created) run.created('client', id);
  else
    run.updated(
      'client',
      id,
      put.changed.map((f) => CLIENT_FIELD_KEYS[f] ?? f),
    );
  if (put.created || put.changed.length) run.warnings(path, put.warnings);
}

async function seedUser(run: SeedRun, path: string, u: SeedUser): Promise<void> {
  const email = await run.at(path, async () => checkEmail(u.email));
  const existing = await run.deps.store.users.findByEmail(email);
  if (!existing) {
    await run.at(path, () =>
      createUser(
        run.deps,
        {
          email,
          ...(u.password !== undefined ? { password: u.password } : {}),
          ...(u.name !== undefined ? { name: u.name } : {}),
          ...(u.given_name !== undefined ? { givenName: u.given_name } : {}),
          ...(u.family_name !== undefined ? { familyName: u.family_name } : {}),
          ...(u.username !== undefined ? { username: u.username } : {}),
          roles: u.roles ?? [],
          groups: u.groups ?? [],
          disabled: u.disabled ?? false,
        },
        CONFIG_FILE,
      ),
    );
    return run.created('user', email);
  }
  if (existing.managedBy !== 'config') return run.leftAlone('user', email);
  // What the file leaves out is empty, as when it creates the user; the password is the user's own once
  // set (change it with `latchkey user set-password`). `disabled` is applied only when the file says it,
  // so that an admin's `user update --disabled` survives a restart.
  const patch: UserPatch = {
    name: u.name ?? ([u.given_name, u.family_name].filter(Boolean).join(' ') || null),
    givenName: u.given_name ?? null,
    familyName: u.family_name ?? null,
    username: u.username ?? null,
    roles: u.roles ?? [],
    groups: u.groups ?? [],
    ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
  };
  const { changed } = await run.at(path, () => updateUser(run.deps, existing.id, patch, CONFIG_FILE));
  run.updated(
    'user',
    email,
    changed.map((f) => USER_FIELD_KEYS[f]),
  );
}

async function seedProvider(run: SeedRun, path: string, p: SeedProvider): Promise<void> {
  const existing = await run.deps.store.providers.find(p.slug);
  const given = {
    clientId: p.client_id,
    ...(p.issuer !== undefined ? { issuer: p.issuer } : {}),
    ...(p.tenant !== undefined ? { tenant: p.tenant } : {}),
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    ...(p.token_auth !== undefined ? { tokenAuth: p.token_auth } : {}),
    ...(p.trusted_tenants !== undefined ? { trustedTenants: p.trusted_tenants } : {}),
  };
  if (!existing) {
    await run.at(path, () =>
      addProvider(run.deps, { slug: p.slug, clientSecret: p.client_secret, ...given }, CONFIG_FILE),
    );
    return run.created('provider', p.slug);
  }
  if (existing.managedBy !== 'config') return run.leftAlone('provider', p.slug);
  // A key the file leaves out is left as it is (`enabled`: an admin may have disabled the provider since).
  // The secret is given on every start: updateProvider opens the stored one, and the same is no change.
  const { changed } = await run.at(path, () =>
    updateProvider(run.deps, p.slug, { ...given, clientSecret: p.client_secret }, CONFIG_FILE),
  );
  run.updated(
    'provider',
    p.slug,
    changed.map((f) => PROVIDER_FIELD_KEYS[f]),
  );
}

/**
 * `prune: true`: the clients and scopes the file created and no longer lists are removed (a client with every
 * token issued to it). A scope a client still lists stays, with a warning. Users and providers are never
 * pruned: remove them with the CLI.
 */
async function prune(run: SeedRun): Promise<void> {
  const { store } = run.deps;
  const { seed } = run.deps.config;
  const clientIds = new Set(seed.clients.map(seedClientId));
  for (const client of await store.clients.list()) {
    if (client.managedBy !== 'config' || clientIds.has(client.id)) continue;
    await removeClient(run.deps, client.id, CONFIG_FILE);
    run.deps.log.info(`${run.file}: client "${client.id}" removed: no longer in the file (prune)`);
  }
  const scopeNames = new Set(seed.scopes.map((s) => s.name));
  const clients = await store.clients.list();
  for (const scope of await store.scopes.list()) {
    if (scope.builtin || scope.managedBy !== 'config' || scopeNames.has(scope.name)) continue;
    const users = clients.filter((c) => c.scopes.includes(scope.name)).map((c) => `"${c.id}"`);
    if (users.length) {
      run.deps.log.warn(
        `${run.file}: scope "${scope.name}" is no longer in the file but is kept: client ${users.join(', ')} still lists it`,
      );
      continue;
    }
    await removeScope(run.deps, scope.name, CONFIG_FILE);
    run.deps.log.info(`${run.file}: scope "${scope.name}" removed: no longer in the file (prune)`);
  }
}
