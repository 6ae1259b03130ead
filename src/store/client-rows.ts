import type { Client } from './types.js';

/**
 * A client as both dialects store it (issue 18): one row of `clients` (the same columns under the same names in
 * db/schema.sqlite.ts and db/schema.postgres.ts) and its URIs, one row each in `client_uris`.
 */
type UriLists = 'redirectUris' | 'postLogoutRedirectUris' | 'resources' | 'webOrigins';
export type ClientColumns = Omit<Client, UriLists | 'managedBy'> & { managedBy: Client['managedBy'] | null };
export interface ClientUri {
  kind: 'redirect' | 'post_logout' | 'resource' | 'web_origin';
  uri: string;
}

/** The `clients` row of a client: everything but its URI lists. */
export const clientColumns = ({
  redirectUris: _r,
  postLogoutRedirectUris: _p,
  resources: _s,
  webOrigins: _w,
  ...row
}: Client): Omit<Client, UriLists> => row;

/** The client a `clients` row and its `client_uris` rows make. */
export const clientOf = (row: ClientColumns, uris: readonly ClientUri[]): Client => ({
  id: row.id,
  name: row.name,
  secretHash: row.secretHash,
  isPublic: row.isPublic,
  firstParty: row.firstParty,
  allowImplicit: row.allowImplicit,
  grants: row.grants,
  scopes: row.scopes,
  redirectUris: uris.filter((u) => u.kind === 'redirect').map((u) => u.uri),
  postLogoutRedirectUris: uris.filter((u) => u.kind === 'post_logout').map((u) => u.uri),
  resources: uris.filter((u) => u.kind === 'resource').map((u) => u.uri),
  webOrigins: uris.filter((u) => u.kind === 'web_origin').map((u) => u.uri),
  tokenFormat: row.tokenFormat,
  accessTokenTtlSeconds: row.accessTokenTtlSeconds,
  refreshTokenTtlSeconds: row.refreshTokenTtlSeconds,
  refreshReuseGraceSeconds: row.refreshReuseGraceSeconds,
  signingAlg: row.signingAlg,
  idTokenAlg: row.idTokenAlg,
  idTokenClaims: row.idTokenClaims,
  backchannelLogoutUri: row.backchannelLogoutUri,
  backchannelLogoutSessionRequired: row.backchannelLogoutSessionRequired,
  logoUri: row.logoUri,
  clientUri: row.clientUri,
  policyUri: row.policyUri,
  tosUri: row.tosUri,
  requirePkce: row.requirePkce,
  requireMfa: row.requireMfa,
  requireVerifiedEmail: row.requireVerifiedEmail,
  introspectAny: row.introspectAny,
  roles: row.roles,
  managedBy: row.managedBy ?? null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});
