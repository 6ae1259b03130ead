import { MIN_CONFIGURED_SECRET_LENGTH } from '../config.js';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import type { Client, ManagedBy, SigningAlg, TokenFormat } from '../store/types.js';
import { ADMIN_SCOPE, BUILTIN_ROLES, PERMISSIONS } from './permissions.js';
import { requireScopes } from './scopes.js';
import {
  AdminError,
  type AdminField,
  AdminWarning,
  checkDisplayName,
  checkLabels,
  checkRedirectUri,
  checkResourceUri,
  checkTtl,
  isLoopbackHost,
  sameSet,
} from './validate.js';

/**
 * The rules of a client, written once: `buildClient` validates an input into a `Client` for create, update
 * and the declarative upsert alike, and `differences` says what an update changes.
 */

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
  /** A user whose email is not verified gets no code or token for the client (issue 15). */
  requireVerifiedEmail?: boolean;
  tokenFormat?: string;
  /** Both algorithms at once (`--signing-alg`); `accessTokenAlg` and `idTokenAlg` win over it. */
  signingAlg?: string;
  /** The JWT access tokens' algorithm: ES256 unless given. */
  accessTokenAlg?: string;
  /** The ID tokens' algorithm: RS256 unless given (OpenID Connect Registration §2, Core §15.1). */
  idTokenAlg?: string;
  /** `minimal`: the ID token carries only the protocol claims, the scope claims are at userinfo. */
  idTokenClaims?: string;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2; null: none. */
  backchannelLogoutUri?: string | null;
  backchannelLogoutSessionRequired?: boolean;
  /** RFC 7591 §2 client metadata the consent page shows (issue 14); null: none. */
  logoUri?: string | null;
  clientUri?: string | null;
  policyUri?: string | null;
  tosUri?: string | null;
  /** Origins allowed CORS besides those of the redirect URIs (as Keycloak's "Web origins"). */
  webOrigins?: string[];
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

/** A created client, its secret when it has one (shown once), and what the caller should warn about. */
export interface CreatedClient {
  client: Client;
  secret?: string;
  warnings: AdminWarning[];
}

/** The input the stored client would be built from: an update is this with the patch laid over it. */
export function inputOf(c: Client): ClientInput {
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
    requireVerifiedEmail: c.requireVerifiedEmail,
    tokenFormat: c.tokenFormat,
    accessTokenAlg: c.signingAlg,
    idTokenAlg: c.idTokenAlg,
    idTokenClaims: c.idTokenClaims,
    backchannelLogoutUri: c.backchannelLogoutUri,
    backchannelLogoutSessionRequired: c.backchannelLogoutSessionRequired,
    logoUri: c.logoUri,
    clientUri: c.clientUri,
    policyUri: c.policyUri,
    tosUri: c.tosUri,
    webOrigins: c.webOrigins,
    accessTokenTtlSeconds: c.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: c.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: c.refreshReuseGraceSeconds,
    roles: c.roles,
  };
}

/** The client fields a change is about, by the `ClientInput` name the caller used (`implicit`). */
export const COMPARED: readonly [keyof ClientInput, keyof Client][] = [
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
  ['requireVerifiedEmail', 'requireVerifiedEmail'],
  ['tokenFormat', 'tokenFormat'],
  ['accessTokenAlg', 'signingAlg'],
  ['idTokenAlg', 'idTokenAlg'],
  ['idTokenClaims', 'idTokenClaims'],
  ['backchannelLogoutUri', 'backchannelLogoutUri'],
  ['backchannelLogoutSessionRequired', 'backchannelLogoutSessionRequired'],
  ['logoUri', 'logoUri'],
  ['clientUri', 'clientUri'],
  ['policyUri', 'policyUri'],
  ['tosUri', 'tosUri'],
  ['webOrigins', 'webOrigins'],
  ['accessTokenTtlSeconds', 'accessTokenTtlSeconds'],
  ['refreshTokenTtlSeconds', 'refreshTokenTtlSeconds'],
  ['refreshReuseGraceSeconds', 'refreshReuseGraceSeconds'],
];

/**
 * What differs between two clients, ignoring `createdAt`, `updatedAt`, `managedBy` and the secret hash (the
 * caller compares secrets). Lists compare as sets: their order means nothing (URIs come back sorted).
 */
export function differences(before: Client, after: Client): (keyof ClientInput)[] {
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

/** An algorithm of latchkey's keys, or undefined when not given. */
function algorithm(value: unknown, field: AdminField): SigningAlg | undefined {
  if (value === undefined) return undefined;
  if (value !== 'ES256' && value !== 'RS256')
    throw new AdminError('must be ES256 or RS256', 'invalid_input', field);
  return value;
}

/**
 * Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment. The logout token is a bearer credential
 * for the session, so it travels over https, or plain http to this machine only.
 */
export function checkBackchannelLogoutUri(uri: unknown): string {
  const field = 'backchannelLogoutUri';
  if (typeof uri !== 'string') throw new AdminError('must be a string or null', 'invalid_input', field);
  const fail = (problem: string) => new AdminError(`"${uri}" ${problem}`, 'invalid_input', field);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('must be an absolute URI');
  }
  if (url.hash || uri.includes('#')) throw fail('must not contain a fragment (Back-Channel Logout 1.0 §2.2)');
  if (/\s/.test(uri) || uri.length > 2000)
    throw fail('must be a URI of at most 2000 characters, no white space');
  if (url.username || url.password) throw fail('must not carry a user name or password');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url)))
    throw fail('must be https (plain http only to a loopback address)');
  return uri;
}

/** The RFC 7591 §2 URIs a client registers about itself, for the pages to show. */
export const METADATA_URI_FIELDS = ['logoUri', 'clientUri', 'policyUri', 'tosUri'] as const;
export type MetadataUriField = (typeof METADATA_URI_FIELDS)[number];

/**
 * A client's logo, home page, privacy policy or terms (RFC 7591 §2): shown to the user before consent, so
 * only https (plain http only to this machine, where a developer runs the app), no user name or password
 * (they would be shown), no fragment, at most 2048 characters.
 */
export function checkMetadataUri(uri: unknown, field: MetadataUriField): string {
  if (typeof uri !== 'string') throw new AdminError('must be a string or null', 'invalid_input', field);
  const fail = (problem: string) =>
    new AdminError(`"${uri.slice(0, 200)}" ${problem}`, 'invalid_input', field);
  if (uri.length > 2048 || /[\s\p{Cc}]/u.test(uri))
    throw fail('must be a URI of at most 2048 characters, no white space');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('must be an absolute URI');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('must be an https URI');
  if (url.protocol === 'http:' && !isLoopbackHost(url))
    throw fail('must be https (plain http only to a loopback address)');
  if (url.username || url.password) throw fail('must not carry a user name or password');
  if (url.hash || uri.includes('#')) throw fail('must not contain a fragment');
  return uri;
}

/** A web origin exactly as browsers send it in `Origin` (RFC 6454 §6.2): scheme://host[:port], nothing more. */
export function checkWebOrigin(origin: string, warn: (w: AdminWarning) => void = () => {}): string {
  const fail = (problem: string) => new AdminError(`"${origin}" ${problem}`, 'invalid_input', 'webOrigins');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw fail('must be an origin: scheme://host[:port]');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('must be an http or https origin');
  // `origin` drops the default port and lowercases the host: ask for that form, compared byte for byte.
  if (url.origin !== origin)
    throw fail(`must be an origin (scheme://host[:port], no path, no trailing slash): "${url.origin}"?`);
  if (url.protocol === 'http:' && !isLoopbackHost(url))
    warn(
      new AdminWarning(`"${origin}" is plain http off loopback: tokens sent to it can be read`, 'webOrigins'),
    );
  return origin;
}

const isRole = (role: string): boolean =>
  Object.hasOwn(BUILTIN_ROLES, role) || (PERMISSIONS as readonly string[]).includes(role);

/**
 * The rules of a client, written once: validates `input` into the client it describes, what it leaves out
 * taking its default. With `prior` (an update, a repeated PUT), the id, `createdAt`, `managedBy`, publicness
 * and the secret hash carry over; a `clientSecret` in the input replaces the hash. Without, a confidential
 * client gets the given secret or a generated one, answered once as `secret`.
 */
export async function buildClient(
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
  const both = algorithm(input.signingAlg, 'signingAlg');
  const signingAlg = algorithm(input.accessTokenAlg, 'accessTokenAlg') ?? both ?? 'ES256';
  // Issue 13: RS256 is the one algorithm every relying party verifies (OpenID Connect Core §15.1).
  const idTokenAlg = algorithm(input.idTokenAlg, 'idTokenAlg') ?? both ?? 'RS256';
  const idTokenClaims = input.idTokenClaims ?? 'full';
  if (idTokenClaims !== 'full' && idTokenClaims !== 'minimal')
    throw new AdminError('must be full or minimal', 'invalid_input', 'idTokenClaims');
  const backchannelLogoutUri =
    input.backchannelLogoutUri == null ? null : checkBackchannelLogoutUri(input.backchannelLogoutUri);
  const metadata = Object.fromEntries(
    METADATA_URI_FIELDS.map((f) => [f, input[f] == null ? null : checkMetadataUri(input[f], f)]),
  ) as Record<MetadataUriField, string | null>;
  const webOrigins = [
    ...new Set((given(input.webOrigins, 'webOrigins') ?? []).map((o) => checkWebOrigin(o, warn))),
  ];
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
    idTokenAlg,
    idTokenClaims,
    backchannelLogoutUri,
    backchannelLogoutSessionRequired: flag(
      input.backchannelLogoutSessionRequired ?? true,
      'backchannelLogoutSessionRequired',
      'backchannelLogoutSessionRequired',
    ),
    ...metadata,
    webOrigins,
    requirePkce: isPublic || flag(input.requirePkce ?? false, null, 'requirePkce'),
    requireMfa: flag(input.requireMfa ?? false, null, 'requireMfa'),
    requireVerifiedEmail: flag(input.requireVerifiedEmail ?? false, null, 'requireVerifiedEmail'),
    introspectAny: flag(input.introspectAny ?? false, null, 'introspectAny'),
    roles,
    managedBy: prior ? prior.managedBy : to.managedBy,
    createdAt: prior ? prior.createdAt : to.now,
    updatedAt: to.now,
  };
  return secret !== undefined && !prior ? { client, secret, warnings } : { client, warnings };
}

/** Whether the built client's secret hash differs from the stored one (compared in constant time). */
export const secretChanged = (prior: Client, built: Client): boolean =>
  built.secretHash !== null && (prior.secretHash === null || !safeEqual(prior.secretHash, built.secretHash));

/** The `client_id` the input names, when it names one. */
export function idOf(input: ClientInput): string {
  const id = input.clientId ?? newClientId();
  if (typeof id !== 'string') throw new AdminError('must be a string', 'invalid_input', 'clientId');
  return id;
}
