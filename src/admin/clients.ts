import { MIN_CONFIGURED_SECRET_LENGTH } from '../config.js';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { uniqueViolation } from '../store/index.js';
import type { Client, ManagedBy, SigningAlg, TokenFormat } from '../store/types.js';
import {
  type AdminContext,
  adminEvent,
  CLI,
  clientReach,
  decodeCursor,
  encodeCursor,
  managedByOf,
  type Page,
  type PageRequest,
  pageLimit,
  pageOf,
  requireReach,
} from './context.js';
import { ADMIN_SCOPE, BUILTIN_ROLES, PERMISSIONS } from './permissions.js';
import { requireScopes } from './scopes.js';
import {
  AdminError,
  type AdminField,
  type AdminWarning,
  checkDisplayName,
  checkLabels,
  checkRedirectUri,
  checkResourceUri,
  checkTtl,
  sameSet,
} from './validate.js';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'urn:latchkey:grant-type:mfa-otp',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const DEFAULTS = {
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  grants: ['authorization_code', 'refresh_token'],
  accessTokenTtlSeconds: 600,
  refreshTokenTtlSeconds: 30 * 86400,
  refreshReuseGraceSeconds: 10,
} as const;

export interface ClientInput {
  name: string;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** RFC 8707 resources the client may ask tokens for. */
  resources?: string[];
  grants?: string[];
  scopes?: string[];
  isPublic?: boolean;
  firstParty?: boolean;
  implicit?: boolean;
  introspectAny?: boolean;
  requirePkce?: boolean;
  /** Every sign-in to the client passes a second factor. */
  requireMfa?: boolean;
  tokenFormat?: string;
  signingAlg?: string;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  refreshReuseGraceSeconds?: number;
  /** Admin roles of the client's client-credentials tokens (with the `admin` scope). */
  roles?: string[];
}

/** A random client_id that never starts with `-` or `_`, so it reads as an argument on any command line. */
function newClientId(): string {
  for (;;) {
    const id = randomToken(12);
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/** What `client add` and `client list` print: never the secret or its hash. */
export function describeClient(c: Client): Record<string, unknown> {
  return {
    client_id: c.id,
    name: c.name,
    public: c.isPublic,
    first_party: c.firstParty,
    implicit: c.allowImplicit,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    resources: c.resources,
    grants: c.grants,
    scopes: c.scopes,
    roles: c.roles,
    token_format: c.tokenFormat,
    signing_alg: c.signingAlg,
    access_token_ttl: c.accessTokenTtlSeconds,
    refresh_token_ttl: c.refreshTokenTtlSeconds,
    refresh_reuse_grace: c.refreshReuseGraceSeconds,
    require_pkce: c.isPublic || c.requirePkce,
    require_mfa: c.requireMfa,
    introspect_any: c.introspectAny,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** A created client, its secret when it has one (shown once), and what the caller should warn about. */
export interface CreatedClient {
  client: Client;
  secret?: string;
  warnings: AdminWarning[];
}

/** The input the stored client would be built from: an update is this with the patch laid over it. */
function inputOf(c: Client): ClientInput {
  return {
    name: c.name,
    clientId: c.id,
    redirectUris: c.redirectUris,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    resources: c.resources,
    grants: c.grants,
    scopes: c.scopes,
    isPublic: c.isPublic,
    firstParty: c.firstParty,
    implicit: c.allowImplicit,
    introspectAny: c.introspectAny,
    requirePkce: c.requirePkce,
    requireMfa: c.requireMfa,
    tokenFormat: c.tokenFormat,
    signingAlg: c.signingAlg,
    accessTokenTtlSeconds: c.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: c.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: c.refreshReuseGraceSeconds,
    roles: c.roles,
  };
}

/** The client fields a change is about, by the `ClientInput` name the caller used (`implicit`). */
const COMPARED: readonly [keyof ClientInput, keyof Client][] = [
  ['name', 'name'],
  ['redirectUris', 'redirectUris'],
  ['postLogoutRedirectUris', 'postLogoutRedirectUris'],
  ['resources', 'resources'],
  ['grants', 'grants'],
  ['scopes', 'scopes'],
  ['roles', 'roles'],
  ['firstParty', 'firstParty'],
  ['implicit', 'allowImplicit'],
  ['introspectAny', 'introspectAny'],
  ['requirePkce', 'requirePkce'],
  ['requireMfa', 'requireMfa'],
  ['tokenFormat', 'tokenFormat'],
  ['signingAlg', 'signingAlg'],
  ['accessTokenTtlSeconds', 'accessTokenTtlSeconds'],
  ['refreshTokenTtlSeconds', 'refreshTokenTtlSeconds'],
  ['refreshReuseGraceSeconds', 'refreshReuseGraceSeconds'],
];

/**
 * What differs between two clients, ignoring `createdAt`, `updatedAt`, `managedBy` and the secret hash (the
 * caller compares secrets). Lists compare as sets: their order means nothing (URIs come back sorted).
 */
function differences(before: Client, after: Client): (keyof ClientInput)[] {
  return COMPARED.filter(([, key]) => {
    const a = before[key];
    const b = after[key];
    return Array.isArray(a) && Array.isArray(b) ? !sameSet(a, b) : a !== b;
  }).map(([name]) => name);
}

/** A list of strings from the input (the admin API hands over parsed JSON). */
function strings(value: unknown, field: AdminField): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new AdminError('must be a list of strings', 'invalid_input', field);
  return value as string[];
}

function flag(value: unknown, field: AdminField | null, name: string): boolean {
  if (typeof value !== 'boolean')
    throw field
      ? new AdminError('must be true or false', 'invalid_input', field)
      : new AdminError(`"${name}" must be true or false`);
  return value;
}

const isRole = (role: string): boolean =>
  Object.hasOwn(BUILTIN_ROLES, role) || (PERMISSIONS as readonly string[]).includes(role);

/**
 * The rules of a client, written once: validates `input` into the client it describes, what it leaves out
 * taking its default. With `prior` (an update, a repeated PUT), the id, `createdAt`, `managedBy`, publicness
 * and the secret hash carry over; a `clientSecret` in the input replaces the hash. Without, a confidential
 * client gets the given secret or a generated one, answered once as `secret`.
 */
async function buildClient(
  deps: Pick<Deps, 'store'>,
  input: ClientInput,
  to: { id: string; now: number; managedBy: ManagedBy; prior?: Client },
): Promise<{ client: Client; secret?: string; warnings: AdminWarning[] }> {
  const warnings: AdminWarning[] = [];
  const warn = (w: AdminWarning) => warnings.push(w);
  const { prior } = to;
  if (typeof input.name !== 'string' || !input.name.trim())
    throw new AdminError('is required', 'invalid_input', 'name');
  const name = checkDisplayName(input.name, 'name');
  const isPublic = prior ? prior.isPublic : flag(input.isPublic ?? false, 'isPublic', 'isPublic');
  const given = (value: unknown, field: AdminField) =>
    value === undefined ? undefined : strings(value, field);
  const givenGrants = given(input.grants, 'grants');
  const grants = [...new Set(givenGrants?.length ? givenGrants : DEFAULTS.grants)];
  for (const g of grants) {
    if (!(GRANT_TYPES as readonly string[]).includes(g))
      throw new AdminError(`"${g}" is not one of ${GRANT_TYPES.join(', ')}`, 'invalid_input', 'grants');
  }
  if (isPublic && grants.includes('client_credentials')) {
    throw new AdminError(
      'cannot be combined with the client_credentials grant: a public client has no secret',
      'invalid_input',
      'isPublic',
    );
  }
  // RFC 6749 §4.3.2: a public client cannot authenticate, so anyone could run the grant in its name.
  if (isPublic && grants.includes('password')) {
    throw new AdminError(
      'cannot be combined with the password grant: a public client cannot keep a password grant safe',
      'invalid_input',
      'isPublic',
    );
  }
  const roles = checkLabels(given(input.roles, 'roles') ?? [], 'roles');
  const unknownRole = roles.find((r) => !isRole(r));
  if (unknownRole !== undefined)
    throw new AdminError(
      `"${unknownRole}" is neither a built-in role (${Object.keys(BUILTIN_ROLES).join(', ')}) nor a permission (${PERMISSIONS.join(', ')})`,
      'invalid_input',
      'roles',
    );
  const firstParty = flag(input.firstParty ?? false, null, 'firstParty');
  const givenScopes = given(input.scopes, 'scopes');
  const scopes = [...new Set(givenScopes?.length ? givenScopes : DEFAULTS.scopes)];
  // Issue 12: only a first-party client (its users' own admin tool) or one acting with roles may hold it.
  if (scopes.includes(ADMIN_SCOPE) && !firstParty && !roles.length)
    throw new AdminError(
      `may include "${ADMIN_SCOPE}" only for a first-party client or a client with roles`,
      'invalid_input',
      'scopes',
    );
  await requireScopes(deps, scopes);
  const tokenFormat = (input.tokenFormat ?? 'jwt') as TokenFormat;
  if (tokenFormat !== 'jwt' && tokenFormat !== 'opaque')
    throw new AdminError('must be jwt or opaque', 'invalid_input', 'tokenFormat');
  const signingAlg = (input.signingAlg ?? 'ES256') as SigningAlg;
  if (signingAlg !== 'ES256' && signingAlg !== 'RS256')
    throw new AdminError('must be ES256 or RS256', 'invalid_input', 'signingAlg');
  const redirectUris = [
    ...new Set(
      (given(input.redirectUris, 'redirectUris') ?? []).map((u) => checkRedirectUri(u, 'redirectUris', warn)),
    ),
  ];
  const postLogoutRedirectUris = [
    ...new Set(
      (given(input.postLogoutRedirectUris, 'postLogoutRedirectUris') ?? []).map((u) =>
        checkRedirectUri(u, 'postLogoutRedirectUris', warn),
      ),
    ),
  ];
  const resources = [
    ...new Set((given(input.resources, 'resources') ?? []).map((u) => checkResourceUri(u, 'resources'))),
  ];
  const implicit = flag(input.implicit ?? false, null, 'implicit');
  if (implicit && !redirectUris.length)
    throw new AdminError('is required for an implicit client', 'invalid_input', 'redirectUris');
  if (!/^[\x21-\x7e]{1,128}$/.test(to.id))
    throw new AdminError('must be 1-128 printable ASCII characters', 'invalid_input', 'clientId');
  if (input.clientSecret !== undefined) {
    if (isPublic)
      throw new AdminError('is not for a public client: it has no secret', 'invalid_input', 'clientSecret');
    if (typeof input.clientSecret !== 'string' || input.clientSecret.length < MIN_CONFIGURED_SECRET_LENGTH)
      throw new AdminError(
        `must be at least ${MIN_CONFIGURED_SECRET_LENGTH} characters (it is stored as an unsalted SHA-256)`,
        'invalid_input',
        'clientSecret',
      );
  }
  const secret = isPublic || prior ? input.clientSecret : (input.clientSecret ?? randomToken(32));
  const client: Client = {
    id: to.id,
    name,
    secretHash: secret !== undefined ? sha256(secret) : (prior?.secretHash ?? null),
    isPublic,
    firstParty,
    allowImplicit: implicit,
    grants,
    scopes,
    redirectUris,
    postLogoutRedirectUris,
    resources,
    tokenFormat,
    accessTokenTtlSeconds:
      checkTtl(input.accessTokenTtlSeconds, 'accessTokenTtlSeconds') ?? DEFAULTS.accessTokenTtlSeconds,
    refreshTokenTtlSeconds:
      checkTtl(input.refreshTokenTtlSeconds, 'refreshTokenTtlSeconds') ?? DEFAULTS.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds:
      checkTtl(input.refreshReuseGraceSeconds, 'refreshReuseGraceSeconds', 0) ??
      DEFAULTS.refreshReuseGraceSeconds,
    signingAlg,
    requirePkce: isPublic || flag(input.requirePkce ?? false, null, 'requirePkce'),
    requireMfa: flag(input.requireMfa ?? false, null, 'requireMfa'),
    introspectAny: flag(input.introspectAny ?? false, null, 'introspectAny'),
    roles,
    managedBy: prior ? prior.managedBy : to.managedBy,
    createdAt: prior ? prior.createdAt : to.now,
    updatedAt: to.now,
  };
  return secret !== undefined && !prior ? { client, secret, warnings } : { client, warnings };
}

/** Whether the built client's secret hash differs from the stored one (compared in constant time). */
const secretChanged = (prior: Client, built: Client): boolean =>
  built.secretHash !== null && (prior.secretHash === null || !safeEqual(prior.secretHash, built.secretHash));

/** The `client_id` the input names, when it names one. */
function idOf(input: ClientInput): string {
  const id = input.clientId ?? newClientId();
  if (typeof id !== 'string') throw new AdminError('must be a string', 'invalid_input', 'clientId');
  return id;
}

export async function createClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  input: ClientInput,
  ctx: AdminContext = CLI,
): Promise<CreatedClient> {
  const id = idOf(input);
  const now = deps.clock.now();
  const built = await buildClient(deps, input, { id, now, managedBy: managedByOf(ctx) });
  requireReach(ctx, clientReach(built.client), `registering client "${id}"`);
  const taken = () => new AdminError(`"${id}" is taken by another client`, 'exists', 'clientId');
  if (await deps.store.clients.find(id)) throw taken();
  try {
    await deps.store.clients.create(built.client, adminEvent(ctx, 'client_created', now, { clientId: id }));
  } catch (err) {
    // Another request created the same id between the check and the insert.
    if (uniqueViolation(err) !== undefined) throw taken();
    throw err;
  }
  return built;
}

export async function rotateClientSecret(
  deps: Pick<Deps, 'store' | 'clock'>,
  clientId: string,
  ctx: AdminContext = CLI,
): Promise<string> {
  const client = await findClient(deps, clientId);
  // Its secret is its roles (client credentials) or, first-party with `admin`, any admin's sign-in.
  requireReach(ctx, clientReach(client), `rotating the secret of client "${clientId}"`);
  if (client.isPublic) throw new AdminError(`client "${clientId}" is public: it has no secret`);
  const secret = randomToken(32);
  const now = deps.clock.now();
  if (
    !(await deps.store.clients.setSecretHash(
      clientId,
      sha256(secret),
      adminEvent(ctx, 'client_secret_rotated', now, { clientId }),
    ))
  )
    throw new AdminError(`no client "${clientId}"`, 'not_found');
  return secret;
}

/** A change to a client: a member left out is left as it is. `isPublic` and the id never change. */
export type ClientPatch = Partial<Omit<ClientInput, 'clientId' | 'isPublic'>>;

export interface UpdatedClient {
  client: Client;
  /** The fields (as `ClientInput` names them) that really changed; none: nothing was written. */
  changed: (keyof ClientInput)[];
  warnings: AdminWarning[];
}

/** Public or confidential is chosen at creation: a client's tokens and its callers depend on it. */
function keepPublicness(prior: Client, isPublic: unknown): void {
  if (isPublic !== undefined && isPublic !== prior.isPublic)
    throw new AdminError(
      `cannot change: the client is ${prior.isPublic ? 'public' : 'confidential'} (remove it and add it again)`,
      'invalid_input',
      'isPublic',
    );
}

/** Writes `built` over `prior` when anything differs, with its `client_updated` row; `changed` says what. */
async function saveChanges(
  deps: Pick<Deps, 'store'>,
  prior: Client,
  built: { client: Client; warnings: AdminWarning[] },
  now: number,
  ctx: AdminContext,
): Promise<UpdatedClient> {
  // Both what the client could reach before and after: demoting an admin console counts as much as making one.
  requireReach(ctx, [...clientReach(prior), ...clientReach(built.client)], `changing client "${prior.id}"`);
  const changed = differences(prior, built.client);
  if (secretChanged(prior, built.client)) changed.push('clientSecret');
  if (!changed.length) return { client: prior, changed, warnings: built.warnings };
  const event = adminEvent(ctx, 'client_updated', now, { clientId: prior.id, detail: { changed } });
  if (!(await deps.store.clients.update(built.client, event)))
    throw new AdminError(`no client "${prior.id}"`, 'not_found');
  return { client: built.client, changed, warnings: built.warnings };
}

/** `client update`, `PATCH /admin/v1/clients/:id`: changes what the patch names (a secret only when given). */
export async function updateClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  clientId: string,
  patch: ClientPatch,
  ctx: AdminContext = CLI,
): Promise<UpdatedClient> {
  const prior = await findClient(deps, clientId);
  const loose = patch as ClientInput;
  keepPublicness(prior, loose.isPublic);
  if (loose.clientId !== undefined && loose.clientId !== prior.id)
    throw new AdminError('cannot change: remove the client and add it again', 'invalid_input', 'clientId');
  const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const now = deps.clock.now();
  const built = await buildClient(
    deps,
    { ...inputOf(prior), ...given },
    { id: prior.id, now, managedBy: prior.managedBy, prior },
  );
  return saveChanges(deps, prior, built, now, ctx);
}

/**
 * `PUT /admin/v1/clients/:id` and the config file: a declarative upsert. What the input leaves out takes its
 * default, so the same input twice changes nothing (`changed` empty, nothing written). Creating answers the
 * secret once (generated unless given) and names every field in `changed`; updating changes the secret only
 * when the input gives one (the same secret again is no change). It does not ask who owns the entry: the
 * config file leaves alone what it does not manage (`managedBy`) before calling this.
 */
export async function putClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  clientId: string,
  input: ClientInput,
  ctx: AdminContext = CLI,
): Promise<UpdatedClient & { created: boolean; secret?: string }> {
  if (input.clientId !== undefined && input.clientId !== clientId)
    throw new AdminError(`must be "${clientId}" or left out`, 'invalid_input', 'clientId');
  const now = deps.clock.now();
  const prior = await deps.store.clients.find(clientId);
  if (!prior) {
    try {
      const created = await createClient(deps, { ...input, clientId }, ctx);
      return { ...created, changed: COMPARED.map(([name]) => name), created: true };
    } catch (err) {
      // The same PUT sent twice at once: the one that lost the race updates what the other created.
      if (!(err instanceof AdminError && err.code === 'exists' && err.field === 'clientId')) throw err;
      if (!(await deps.store.clients.find(clientId))) throw err;
      return putClient(deps, clientId, input, ctx);
    }
  }
  keepPublicness(prior, input.isPublic ?? false);
  const built = await buildClient(deps, input, { id: clientId, now, managedBy: prior.managedBy, prior });
  return { ...(await saveChanges(deps, prior, built, now, ctx)), created: false };
}

/** A client by id, or `not_found`. */
export async function findClient(deps: Pick<Deps, 'store'>, clientId: string): Promise<Client> {
  const client = await deps.store.clients.find(clientId);
  if (!client) throw new AdminError(`no client "${String(clientId).slice(0, 128)}"`, 'not_found');
  return client;
}

export interface ClientFilter extends PageRequest {
  /** A part of the name or client id (case-insensitive). */
  query?: string;
}

const CLIENTS_CURSOR = 'clients';

/** Clients, oldest first (by creation time, then id), paged. */
export async function listClients(
  deps: Pick<Deps, 'store'>,
  filter: ClientFilter = {},
): Promise<Page<Client>> {
  const limit = pageLimit(filter.limit);
  const after =
    filter.cursor !== undefined
      ? decodeCursor(CLIENTS_CURSOR, filter.cursor, ['n', 's'] as const)
      : undefined;
  const query = filter.query?.trim().slice(0, 200);
  const rows = await deps.store.clients.page({
    limit: limit + 1,
    ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}),
    ...(query ? { query } : {}),
  });
  return pageOf(rows, limit, (c) => encodeCursor(CLIENTS_CURSOR, [c.createdAt, c.id]));
}

/** Deletes the client, revoking every token issued to it, with its audit row, in one unit of work. */
export async function removeClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  clientId: string,
  ctx: AdminContext = CLI,
): Promise<Client> {
  const client = await findClient(deps, clientId);
  requireReach(ctx, clientReach(client), `removing client "${clientId}"`);
  const event = adminEvent(ctx, 'client_removed', deps.clock.now(), {
    clientId,
    detail: { name: client.name },
  });
  if (!(await deps.store.clients.remove(clientId, event)))
    throw new AdminError(`no client "${clientId}"`, 'not_found');
  return client;
}
