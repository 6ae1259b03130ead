import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { uniqueViolation } from '../store/index.js';
import type { Client } from '../store/types.js';
import {
  buildClient,
  type ClientInput,
  COMPARED,
  type CreatedClient,
  differences,
  idOf,
  inputOf,
  secretChanged,
} from './client-rules.js';
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
import { CLIENT_FIELD_KEYS } from './fields.js';
import { AdminError, type AdminWarning } from './validate.js';

/** The admin console's own client (issue 17): the console signs its admins in through `/authorize` like any app. */
export const CONSOLE_CLIENT_ID = 'latchkey-console';
export {
  type ClientInput,
  type CreatedClient,
  DEFAULTS,
  GRANT_TYPES,
  type GrantType,
} from './client-rules.js';

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
    // Kept for callers written before issue 13: the access tokens' algorithm, as `access_token_alg`.
    signing_alg: c.signingAlg,
    access_token_alg: c.signingAlg,
    id_token_alg: c.idTokenAlg,
    id_token_claims: c.idTokenClaims,
    backchannel_logout_uri: c.backchannelLogoutUri,
    backchannel_logout_session_required: c.backchannelLogoutSessionRequired,
    logo_uri: c.logoUri,
    client_uri: c.clientUri,
    policy_uri: c.policyUri,
    tos_uri: c.tosUri,
    web_origins: c.webOrigins,
    access_token_ttl: c.accessTokenTtlSeconds,
    refresh_token_ttl: c.refreshTokenTtlSeconds,
    refresh_reuse_grace: c.refreshReuseGraceSeconds,
    require_pkce: c.isPublic || c.requirePkce,
    require_mfa: c.requireMfa,
    require_verified_email: c.requireVerifiedEmail,
    introspect_any: c.introspectAny,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export async function createClient(
  deps: Pick<Deps, 'store' | 'clock'>,
  input: ClientInput,
  ctx: AdminContext = CLI,
): Promise<CreatedClient> {
  const id = idOf(input);
  // Only the server makes its console's client (src/admin/console/client.ts, actor `system`): one registered
  // before it, by the CLI, the API or the `LATCHKEY_CONFIG` file, would be "ensured" as it stands.
  if (id === CONSOLE_CLIENT_ID && ctx.actor !== 'system')
    throw new AdminError(`"${id}" is reserved for the admin console's own client`, 'exists', 'clientId');
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
  if (clientId === CONSOLE_CLIENT_ID)
    throw new AdminError(
      `"${CONSOLE_CLIENT_ID}" is the admin console's own client: it is public and has no secret to rotate`,
      'in_use',
    );
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

/** What an admin may change of the console's own client: the rest is what makes it the console. */
const CONSOLE_CLIENT_EDITABLE: readonly (keyof ClientInput)[] = [
  'requireMfa',
  'accessTokenTtlSeconds',
  'refreshTokenTtlSeconds',
  'refreshReuseGraceSeconds',
];

/**
 * The console's client is a public first-party client with the `admin` scope: another redirect URI, grant or
 * scope would be a silent sign-in to the console somewhere else. Only its second factor and token lifetimes
 * may change; the form that sends every field unchanged still saves.
 */
function keepConsoleClient(changed: readonly (keyof ClientInput)[]): void {
  const locked = changed.filter((name) => !CONSOLE_CLIENT_EDITABLE.includes(name));
  if (!locked.length) return;
  const names = (list: readonly (keyof ClientInput)[]) => list.map((n) => CLIENT_FIELD_KEYS[n]).join(', ');
  throw new AdminError(
    `"${CONSOLE_CLIENT_ID}" is the admin console's own client: only ${names(CONSOLE_CLIENT_EDITABLE)} may change (not ${names(locked)})`,
    'in_use',
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
  if (prior.id === CONSOLE_CLIENT_ID) keepConsoleClient(changed);
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
  const base = inputOf(prior);
  // `--signing-alg` sets both algorithms, unless the patch names one of them too.
  if (given['signingAlg'] !== undefined) {
    delete base.accessTokenAlg;
    delete base.idTokenAlg;
  }
  const now = deps.clock.now();
  const built = await buildClient(
    deps,
    { ...base, ...given },
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
  // An ID-token algorithm left out keeps the client's (RS256 is the default of new clients only): a relying
  // party that pinned ES256 before RS256 became the default must not break at the next start or PUT.
  const algorithms =
    input.idTokenAlg === undefined && input.signingAlg === undefined
      ? { ...input, idTokenAlg: prior.idTokenAlg }
      : input;
  const built = await buildClient(deps, algorithms, { id: clientId, now, managedBy: prior.managedBy, prior });
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
  // It would come back at the next start; its settings (require_mfa) are what an admin may change instead.
  if (clientId === CONSOLE_CLIENT_ID)
    throw new AdminError(
      `"${CONSOLE_CLIENT_ID}" is the admin console's own client: it cannot be removed`,
      'in_use',
    );
  const event = adminEvent(ctx, 'client_removed', deps.clock.now(), {
    clientId,
    detail: { name: client.name },
  });
  if (!(await deps.store.clients.remove(clientId, event)))
    throw new AdminError(`no client "${clientId}"`, 'not_found');
  return client;
}
