import { MIN_CONFIGURED_SECRET_LENGTH } from '../config.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import type { Client, SigningAlg, TokenFormat } from '../store/types.js';
import { type AdminContext, CLI, type Page, type PageRequest } from './context.js';
import { requireScopes } from './scopes.js';
import { AdminError, type AdminWarning, checkRedirectUri, checkResourceUri, checkTtl } from './validate.js';

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

/** What `client add` and `client list` print: never the secret hash. */
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
    token_format: c.tokenFormat,
    signing_alg: c.signingAlg,
    access_token_ttl: c.accessTokenTtlSeconds,
    refresh_token_ttl: c.refreshTokenTtlSeconds,
    refresh_reuse_grace: c.refreshReuseGraceSeconds,
    require_pkce: c.isPublic || c.requirePkce,
    require_mfa: c.requireMfa,
    introspect_any: c.introspectAny,
    created_at: c.createdAt,
  };
}

/** A created client, its secret when it has one (shown once), and what the caller should warn about. */
export interface CreatedClient {
  client: Client;
  secret?: string;
  warnings: AdminWarning[];
}

export async function createClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  input: ClientInput,
): Promise<CreatedClient> {
  const warnings: AdminWarning[] = [];
  const warn = (w: AdminWarning) => warnings.push(w);
  const name = input.name?.trim();
  if (!name) throw new AdminError('is required', 'invalid_input', 'name');
  const isPublic = input.isPublic ?? false;
  const grants = [...new Set(input.grants?.length ? input.grants : DEFAULTS.grants)];
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
  const scopes = [...new Set(input.scopes?.length ? input.scopes : DEFAULTS.scopes)];
  await requireScopes(deps, scopes);
  const tokenFormat = (input.tokenFormat ?? 'jwt') as TokenFormat;
  if (tokenFormat !== 'jwt' && tokenFormat !== 'opaque')
    throw new AdminError('must be jwt or opaque', 'invalid_input', 'tokenFormat');
  const signingAlg = (input.signingAlg ?? 'ES256') as SigningAlg;
  if (signingAlg !== 'ES256' && signingAlg !== 'RS256')
    throw new AdminError('must be ES256 or RS256', 'invalid_input', 'signingAlg');
  const redirectUris = (input.redirectUris ?? []).map((u) => checkRedirectUri(u, 'redirectUris', warn));
  const postLogoutRedirectUris = (input.postLogoutRedirectUris ?? []).map((u) =>
    checkRedirectUri(u, 'postLogoutRedirectUris', warn),
  );
  const resources = [...new Set((input.resources ?? []).map((u) => checkResourceUri(u, 'resources')))];
  if (input.implicit && !redirectUris.length)
    throw new AdminError('is required for an implicit client', 'invalid_input', 'redirectUris');
  const id = input.clientId ?? newClientId();
  if (!/^[\x21-\x7e]{1,128}$/.test(id))
    throw new AdminError('must be 1-128 printable ASCII characters', 'invalid_input', 'clientId');
  if (await deps.store.clients.find(id))
    throw new AdminError(`"${id}" is taken by another client`, 'exists', 'clientId');
  if (input.clientSecret !== undefined && input.clientSecret.length < MIN_CONFIGURED_SECRET_LENGTH)
    throw new AdminError(
      `must be at least ${MIN_CONFIGURED_SECRET_LENGTH} characters (it is stored as an unsalted SHA-256)`,
      'invalid_input',
      'clientSecret',
    );
  const secret = isPublic ? undefined : (input.clientSecret ?? randomToken(32));
  const now = deps.clock.now();
  const client: Client = {
    id,
    name,
    secretHash: secret ? sha256(secret) : null,
    isPublic,
    firstParty: input.firstParty ?? false,
    allowImplicit: input.implicit ?? false,
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
    requirePkce: isPublic || (input.requirePkce ?? false),
    requireMfa: input.requireMfa ?? false,
    introspectAny: input.introspectAny ?? false,
    roles: [],
    managedBy: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.clients.create(client);
  return secret ? { client, secret, warnings } : { client, warnings };
}

export async function rotateClientSecret(deps: Pick<Deps, 'store'>, clientId: string): Promise<string> {
  const client = await deps.store.clients.find(clientId);
  if (!client) throw new AdminError(`no client "${clientId}"`, 'not_found');
  if (client.isPublic) throw new AdminError(`client "${clientId}" is public: it has no secret`);
  const secret = randomToken(32);
  await deps.store.clients.setSecretHash(clientId, sha256(secret));
  return secret;
}

// ---- issue 12: the use cases the admin API, the CLI and the config file share (signatures fixed; H1 implements) ----

/** A change to a client: a member left out is left as it is. `isPublic` and the id never change. */
export type ClientPatch = Partial<Omit<ClientInput, 'clientId' | 'isPublic'>>;

export interface UpdatedClient {
  client: Client;
  /** The fields (as `ClientInput` names them) that really changed; none: nothing was written. */
  changed: (keyof ClientInput)[];
  warnings: AdminWarning[];
}

/** `client update`, `PATCH /admin/v1/clients/:id`: changes what the patch names (a secret only when given). */
export async function updateClient(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _clientId: string,
  _patch: ClientPatch,
  _ctx: AdminContext = CLI,
): Promise<UpdatedClient> {
  throw new Error('not implemented yet');
}

/**
 * `PUT /admin/v1/clients/:id` and the config file: a declarative upsert. What the input leaves out takes its
 * default, so the same input twice changes nothing (`changed` empty, nothing written). Creating answers the
 * secret once (generated unless given); updating changes the secret only when the input gives one.
 */
export async function putClient(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _clientId: string,
  _input: ClientInput,
  _ctx: AdminContext = CLI,
): Promise<UpdatedClient & { created: boolean; secret?: string }> {
  throw new Error('not implemented yet');
}

/** A client by id, or `not_found`. */
export async function findClient(_deps: Pick<Deps, 'store'>, _clientId: string): Promise<Client> {
  throw new Error('not implemented yet');
}

export interface ClientFilter extends PageRequest {
  /** A part of the name or client id (case-insensitive). */
  query?: string;
}

/** Clients, oldest first, paged. */
export async function listClients(
  _deps: Pick<Deps, 'store'>,
  _filter: ClientFilter = {},
): Promise<Page<Client>> {
  throw new Error('not implemented yet');
}

/** Deletes the client, revoking every token issued to it, with its audit row, in one unit of work. */
export async function removeClient(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _clientId: string,
  _ctx: AdminContext = CLI,
): Promise<Client> {
  throw new Error('not implemented yet');
}
