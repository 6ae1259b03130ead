/** The domain records every store works with. Times are epoch seconds. */

export type TokenFormat = 'jwt' | 'opaque';
export type SigningAlg = 'ES256' | 'RS256';

export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  roles: string[];
  /** Unique when set (`preferred_username`). */
  username: string | null;
  groups: string[];
  passwordHash: string | null;
  /** Set while the user is disabled: no sign-in, no token (disabling ends the sessions and grants). */
  disabledAt: number | null;
  /** `config`: the `LATCHKEY_CONFIG` file created it and may update it; null: the CLI or the admin API did. */
  managedBy: ManagedBy;
  createdAt: number;
  updatedAt: number;
}

/** Who owns an entry: `config` (the `LATCHKEY_CONFIG` file updates and prunes it) or null (the CLI, the API). */
export type ManagedBy = 'config' | null;

/** A user to create; what it leaves out starts empty (no username, no groups, enabled, owned by the CLI/API). */
export type NewUser = Omit<User, 'updatedAt' | 'username' | 'groups' | 'disabledAt' | 'managedBy'> &
  Partial<Pick<User, 'username' | 'groups' | 'disabledAt' | 'managedBy'>>;

export interface Client {
  id: string;
  name: string;
  secretHash: string | null;
  isPublic: boolean;
  firstParty: boolean;
  allowImplicit: boolean;
  grants: string[];
  scopes: string[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** RFC 8707 resources the client may name in `resource`; none: no `resource` is accepted. */
  resources: string[];
  tokenFormat: TokenFormat;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  /** The JWT access tokens' algorithm (`--access-token-alg`). */
  signingAlg: SigningAlg;
  /** The ID tokens' algorithm (`--id-token-alg`; RS256 unless registered otherwise, issue 13). */
  idTokenAlg: SigningAlg;
  /** `minimal`: scope claims only at userinfo; `full`: in the ID token too. */
  idTokenClaims: 'full' | 'minimal';
  /** OpenID Connect Back-Channel Logout 1.0 (issue 13). */
  backchannelLogoutUri: string | null;
  /** Registration metadata the client declares (§2.2); latchkey's logout tokens always carry `sid` anyway. */
  backchannelLogoutSessionRequired: boolean;
  /**
   * RFC 7591 §2 client metadata (issue 14): https, or http to loopback. The consent page shows the pages as
   * text links; the logo is never loaded from a third party unless the admin opted in.
   */
  logoUri: string | null;
  /** The client's home page. */
  clientUri: string | null;
  /** The client's privacy policy. */
  policyUri: string | null;
  /** The client's terms of service. */
  tosUri: string | null;
  /**
   * Origins allowed CORS (at /token, /userinfo, /revoke, the self-service API and DELETE /session) besides the
   * redirect URIs' (`--web-origin`).
   */
  webOrigins: string[];
  requirePkce: boolean;
  /** `--require-mfa`: every sign-in to the client passes a second factor. */
  requireMfa: boolean;
  /** `--require-verified-email`: a user whose email is not verified gets no code or token for the client. */
  requireVerifiedEmail: boolean;
  introspectAny: boolean;
  /** Admin roles of the client's client-credentials tokens (SPEC §1 `--role`). */
  roles: string[];
  managedBy: ManagedBy;
  createdAt: number;
  updatedAt: number;
}

export interface Scope {
  name: string;
  description: string;
  builtin: boolean;
  managedBy?: ManagedBy;
}

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: Record<string, unknown>;
  privateSealed: string;
  createdAt: number;
  active: boolean;
  retiredAt: number | null;
  /** A retired key stays in the JWKS until then. */
  publishUntil: number | null;
}

/** One token family: what one code, one password sign-in or one refresh chain issued. */
export interface Grant {
  id: string;
  clientId: string;
  userId: string | null;
  sessionHash: string | null;
  scope: string;
  resource: string | null;
  authTime: number | null;
  amr: string[];
  nonce: string | null;
  /** The claims the `claims` request parameter asked for by name (OIDC Core §5.5); none when left out. */
  claims?: RequestedClaims | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** Claim names asked for by the `claims` parameter, among those latchkey has, per place they go. */
export interface RequestedClaims {
  idToken: string[];
  userinfo: string[];
}

export interface RefreshToken {
  hash: string;
  grantId: string;
  clientId: string;
  createdAt: number;
  expiresAt: number;
  rotatedAt: number | null;
  retrySealed: string | null;
}

export interface OpaqueAccessToken {
  hash: string;
  jti: string;
  grantId: string | null;
  clientId: string;
  userId: string | null;
  scope: string;
  aud: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface AuthorizationCode {
  hash: string;
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string | null;
  codeChallenge: string | null;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface Session {
  idHash: string;
  userId: string;
  authTime: number;
  amr: string[];
  userAgent: string | null;
  ip: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  endedAt: number | null;
  /**
   * Back-Channel Logout §2.1: the `sid` its tokens carry, kept when the same user signs in again in the same
   * browser. Unset for a new session and for sessions older than migration 0008: `sessionSid(idHash)` then.
   */
  sid?: string | null;
  /**
   * "Keep me signed in": the session may last `LATCHKEY_SESSION_MAX` from `createdAt` (else 24 h at most) and
   * its cookie outlives the browser. `expiresAt` is the earlier of that end and the idle end (src/http/browser.ts).
   * Unset means false.
   */
  remember?: boolean;
}

export interface Interaction {
  id: string;
  browserHash: string;
  data: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
}

export interface AuditEvent {
  id: number;
  at: number;
  type: string;
  userId: string | null;
  clientId: string | null;
  ip: string | null;
  /**
   * Who did it, when not the subject itself: `user:<id>` (an admin), `client:<id>` (a client-credentials
   * token), `cli`, `config` (the config file at start), `system`. Null: the user or client the row names.
   */
  actor: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

/** `actor` and `userAgent` may be left out (null): most rows are the subject acting from no browser. */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'actor' | 'userAgent'> & {
  actor?: string | null;
  userAgent?: string | null;
};

/** What one token response writes, in one transaction. */
export interface Issued {
  grant?: Grant;
  refresh?: RefreshToken;
  access?: OpaqueAccessToken;
  /** An audit entry written in the same transaction. */
  event?: NewAuditEvent;
}

export type RedeemResult = 'ok' | 'replayed';
export type RotateResult = 'rotated' | 'already_rotated';

export interface SweepResult {
  deleted: number;
  more: boolean;
}

/** Where a keyset page starts: after this row of a list ordered by (`createdAt`, `id`). */
export interface KeysetAfter {
  createdAt: number;
  id: string;
}

/** One page of users, oldest first (`createdAt`, then `id`), matching every filter given. */
export interface UserQuery {
  after?: KeysetAfter;
  limit: number;
  /** A part of the email, name or username, matched case-insensitively (wildcards are literal). */
  query?: string;
  /** Holds this role. */
  role?: string;
  disabled?: boolean;
}

/** One page of clients, oldest first (`createdAt`, then `id`). */
export interface ClientQuery {
  after?: KeysetAfter;
  limit: number;
  /** A part of the name or client id, matched case-insensitively (wildcards are literal). */
  query?: string;
}

/** One page of audit events, newest first (by `id`), matching every filter given. */
export interface EventQuery {
  /** Only rows with a smaller id (the last id of the previous page). */
  beforeId?: number;
  limit: number;
  userId?: string;
  clientId?: string;
  type?: string;
  /** `at` from (inclusive). */
  since?: number;
  /** `at` before (exclusive). */
  until?: number;
}

/** What an admin may change on a user; a member left out stays as it is. */
export type UserChange = Partial<
  Pick<
    User,
    | 'email'
    | 'emailVerified'
    | 'name'
    | 'givenName'
    | 'familyName'
    | 'username'
    | 'roles'
    | 'groups'
    | 'disabledAt'
  >
>;

export type UserUpdateResult =
  | { status: 'updated'; user: User; sessions: number; grants: number }
  | { status: 'not_found' }
  /** Another user has that email or username: nothing was written. */
  | { status: 'taken'; field: 'email' | 'username' };

export type ScopeRemoveResult = 'removed' | 'not_found' | 'builtin' | 'in_use';
