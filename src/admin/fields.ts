import type { ClientInput } from './client-rules.js';
import type { ProviderInput } from './providers.js';
import type { UserInput, UserPatch } from './users.js';
import type { AdminField } from './validate.js';

/**
 * The snake_case name of every field of the admin use cases: the admin API's JSON member, the config file's
 * key, and what `describeClient` and `describeUser` print. One map, so an error names the very member or key
 * the caller wrote, whichever door it came through.
 */
export const FIELD_NAMES: Readonly<Record<AdminField, string>> = {
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
  accessTokenAlg: 'access_token_alg',
  idTokenAlg: 'id_token_alg',
  idTokenClaims: 'id_token_claims',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  logoUri: 'logo_uri',
  clientUri: 'client_uri',
  policyUri: 'policy_uri',
  tosUri: 'tos_uri',
  webOrigins: 'web_origins',
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
  session: 'session_id',
};

/** A client's fields as the config file and `describeClient` name them (`client update --json` prints these). */
export const CLIENT_FIELD_KEYS: Readonly<Record<keyof ClientInput, string>> = {
  name: 'name',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  resources: 'resources',
  grants: 'grants',
  scopes: 'scopes',
  isPublic: 'public',
  firstParty: 'first_party',
  implicit: 'implicit',
  introspectAny: 'introspect_any',
  requirePkce: 'require_pkce',
  requireMfa: 'require_mfa',
  requireVerifiedEmail: 'require_verified_email',
  tokenFormat: 'token_format',
  signingAlg: 'signing_alg',
  accessTokenAlg: 'access_token_alg',
  idTokenAlg: 'id_token_alg',
  idTokenClaims: 'id_token_claims',
  backchannelLogoutUri: 'backchannel_logout_uri',
  backchannelLogoutSessionRequired: 'backchannel_logout_session_required',
  logoUri: 'logo_uri',
  clientUri: 'client_uri',
  policyUri: 'policy_uri',
  tosUri: 'tos_uri',
  webOrigins: 'web_origins',
  accessTokenTtlSeconds: 'access_token_ttl',
  refreshTokenTtlSeconds: 'refresh_token_ttl',
  refreshReuseGraceSeconds: 'refresh_reuse_grace',
  roles: 'roles',
};

/** A user's fields as the config file and `describeUser` name them. */
export const USER_FIELD_KEYS: Readonly<Record<keyof UserPatch | keyof UserInput, string>> = {
  email: 'email',
  name: 'name',
  givenName: 'given_name',
  familyName: 'family_name',
  username: 'username',
  roles: 'roles',
  groups: 'groups',
  disabled: 'disabled',
  password: 'password',
};

/** A provider's fields as the config file names them. */
export const PROVIDER_FIELD_KEYS: Readonly<Record<keyof ProviderInput, string>> = {
  slug: 'slug',
  issuer: 'issuer',
  tenant: 'tenant',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  name: 'name',
  enabled: 'enabled',
  tokenAuth: 'token_auth',
  trustedTenants: 'trusted_tenants',
};

/** A name map turned around: from the snake_case name back to the use case's field. */
export function byName<K extends string>(names: Readonly<Record<K, string>>): Readonly<Record<string, K>> {
  return Object.fromEntries(Object.entries(names).map(([field, name]) => [name, field])) as Record<string, K>;
}

/** The members present in `body`, renamed as the use cases name them (`fields`: from `byName`). */
export function renamedFields<T>(body: Record<string, unknown>, fields: Readonly<Record<string, string>>): T {
  const out: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(body)) out[fields[member] ?? member] = value;
  return out as T;
}
