/**
 * The storage interface: intent verbs and domain records, no SQL. Times are epoch seconds.
 * Every secret-like value arrives here already hashed (`*Hash` fields).
 */

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
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewUser = Omit<User, 'updatedAt'>;

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
  signingAlg: SigningAlg;
  requirePkce: boolean;
  /** `--require-mfa`: every sign-in to the client passes a second factor. */
  requireMfa: boolean;
  introspectAny: boolean;
  createdAt: number;
}

export interface Scope {
  name: string;
  description: string;
  builtin: boolean;
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
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
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
  detail: Record<string, unknown> | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

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

export interface UserStore {
  create(user: NewUser): Promise<User>;
  find(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  /**
   * Deletes the user with their sessions, grants (so every token issued from them) and consents, and writes
   * `event`, in one transaction. False, with nothing written, when there is no such user.
   */
  remove(id: string, event: NewAuditEvent): Promise<boolean>;
  /**
   * A password change (SPEC §3): sets the hash, ends every session of the user and revokes all the user's
   * grants, with `event` (its detail gains the counts `sessions` and `grants`) in one transaction.
   * `undefined`, with nothing written, when there is no such user.
   */
  changePassword(
    id: string,
    passwordHash: string,
    now: number,
    event: NewAuditEvent,
  ): Promise<{ sessions: number; grants: number } | undefined>;
  count(): Promise<number>;
}

export interface ClientStore {
  create(client: Client): Promise<Client>;
  find(id: string): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  remove(id: string): Promise<boolean>;
  setSecretHash(id: string, secretHash: string): Promise<void>;
}

export interface ScopeStore {
  /** Adds or updates the description; never turns a built-in scope into a custom one. */
  upsert(scope: Scope, now: number): Promise<Scope>;
  list(): Promise<Scope[]>;
  findMany(names: string[]): Promise<Scope[]>;
}

export interface KeyStore {
  list(): Promise<SigningKey[]>;
  /** Adds keys; when `retire` is given, every active key of those algorithms becomes retired, published until `publishUntil`. */
  add(keys: SigningKey[], retire?: { at: number; publishUntil: number }): Promise<void>;
  prune(now: number): Promise<number>;
}

export interface GrantStore {
  find(id: string): Promise<Grant | undefined>;
  /**
   * Revokes a grant, and with it its whole token family (every refresh token names its grant); `event`, when
   * given, is written in the same transaction (refresh-token reuse), even when the grant was already revoked.
   * Returns false when it was already revoked or does not exist.
   */
  revoke(id: string, now: number, event?: NewAuditEvent): Promise<boolean>;
  /**
   * "Revoke" on the account page: revokes the user's grants for the client and forgets the consent, with
   * `event` (its detail gains `revoked_grants`) in one transaction. Returns how many grants it revoked.
   */
  revokeApp(userId: string, clientId: string, now: number, event: NewAuditEvent): Promise<number>;
  /** Active grants with refresh tokens for a user, per client: the "connected apps". */
  listActiveForUser(userId: string, now: number): Promise<Grant[]>;
}

export interface TokenStore {
  /** Writes a grant and the tokens of one response together. */
  issue(issued: Issued): Promise<void>;
  findOpaqueAccess(hash: string): Promise<OpaqueAccessToken | undefined>;
  revokeOpaqueAccess(hash: string, now: number): Promise<void>;
  revokeJti(jti: string, expiresAt: number): Promise<void>;
  isJtiRevoked(jti: string): Promise<boolean>;
  findRefresh(hash: string): Promise<RefreshToken | undefined>;
  /**
   * Marks `oldHash` rotated (sealing the successor response for an idempotent retry) and writes
   * the successor, only if nobody rotated it first. Never forks the family.
   */
  rotateRefresh(
    oldHash: string,
    now: number,
    retrySealed: string | null,
    successor: Issued,
  ): Promise<RotateResult>;
}

export interface CodeStore {
  /** Saves the grant and its code together. */
  save(grant: Grant, code: AuthorizationCode): Promise<void>;
  find(hash: string): Promise<AuthorizationCode | undefined>;
  /**
   * Consumes the code and writes the tokens at once. A second redemption revokes the family (RFC 6749 §4.1.2)
   * and writes `replayEvent` in the same transaction; an unknown code answers `replayed` and writes nothing.
   */
  redeem(hash: string, now: number, issued: Issued, replayEvent?: NewAuditEvent): Promise<RedeemResult>;
  /**
   * Spends the code without issuing anything (a failed redemption): a later redemption is a replay. The
   * grant is left as it is. False when the code was already spent or does not exist.
   */
  consume(hash: string, now: number): Promise<boolean>;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  /**
   * A sign-in, as one unit of work: ends the browser's previous session (`previousHash`, when it had one;
   * when it was the same user's and still live, the grants issued through it move to the new session, so a
   * logout still revokes them), creates `session`, saves the progress of the interaction the sign-in belongs to and moves it onto the
   * browser's new id (`interaction`, only if it is still bound to the old one), and writes `event` (the
   * `login` audit row).
   */
  start(
    session: Session,
    previousHash: string | null,
    interaction: {
      id: string;
      data: Record<string, unknown>;
      fromBrowserHash: string;
      toBrowserHash: string;
    } | null,
    event: NewAuditEvent,
  ): Promise<void>;
  find(idHash: string): Promise<Session | undefined>;
  touch(idHash: string, now: number): Promise<void>;
  end(idHash: string, now: number): Promise<void>;
  listActiveForUser(userId: string, now: number): Promise<Session[]>;
  /**
   * RP-initiated logout (SPEC §3): ends the session and revokes the grants issued through it except those
   * whose scope holds `offline_access`, with `event` (its detail gains `revoked_grants`) in one transaction.
   * Returns how many grants it revoked.
   */
  logout(idHash: string, now: number, event: NewAuditEvent): Promise<number>;
  /**
   * "Sign out everywhere" (SPEC §3): ends every session of the user and revokes all the user's grants, with
   * `event` (its detail gains the counts `sessions` and `grants`) in one transaction.
   */
  signOutEverywhere(
    userId: string,
    now: number,
    event: NewAuditEvent,
  ): Promise<{ sessions: number; grants: number }>;
}

export interface InteractionStore {
  save(interaction: Interaction): Promise<void>;
  find(id: string): Promise<Interaction | undefined>;
  update(id: string, data: Record<string, unknown>): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface ConsentStore {
  find(userId: string, clientId: string): Promise<string[]>;
  /** Adds the scopes to what the user already approved for the client. */
  add(userId: string, clientId: string, scopes: string[], now: number): Promise<void>;
}

/** Audit events are kept this long; `sweep` deletes older ones. */
export const EVENT_RETENTION_SECONDS = 90 * 24 * 3600;

export interface EventStore {
  add(event: NewAuditEvent): Promise<void>;
  /**
   * Records a failed attempt (a wrong password, a wrong client secret) without a row per attempt, so that a
   * flood of failures cannot grow the table without end. When a row of the same `type`, `userId`, `clientId`
   * and `ip` was written at most `windowSeconds` before `event.at`, that row counts this one: its
   * `detail.count` goes up by one and `detail.lastAt` becomes `event.at` (its `at` stays the first attempt's).
   * Otherwise `event` is inserted with `detail.count` 1. Atomic, also against another process doing the same.
   */
  recordFailure(event: NewAuditEvent, windowSeconds: number): Promise<void>;
  list(limit: number): Promise<AuditEvent[]>;
}

export interface BulkStore {
  /** Bulk inserts in one transaction (benchmark data). */
  insert(users: NewUser[], issued: Issued[]): Promise<void>;
  /** After a bulk load: lets the database absorb it so the next writer does not pay for it (SQLite: a WAL checkpoint). */
  settle(): Promise<void>;
}

/** How a throttle key counts failures: `free` failures, then waits that double up to `maxMs`. */
export interface ThrottleRule {
  free: number;
  /** The first wait, in milliseconds; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** A key whose last failure is this old starts again from zero. */
  forgetMs: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Failure counters keyed by a hash (an account, an address). Every method is atomic, so concurrent requests
 * cannot all pass one check before any of them is counted.
 */
export interface ThrottleStore {
  /**
   * Reserves an attempt before the secret is checked, on every key at once: refused while any key waits
   * (the longest wait is answered); else counted as a failure on each key (a success then calls `reset`),
   * and the wait after it starts. All or nothing: a refused attempt counts on no key.
   */
  reserve(keys: readonly { key: string; rule: ThrottleRule }[], nowMs: number): Promise<ThrottleVerdict>;
  /** Counts a failure without reserving; returns how many failures the key has now. */
  fail(key: string, nowMs: number, rule: ThrottleRule): Promise<number>;
  /** A success: the keys start again from zero. */
  reset(...keys: string[]): Promise<void>;
  /** Deletes keys whose last failure is older than `beforeMs`, at most `limit`. */
  prune(beforeMs: number, limit: number): Promise<number>;
}

/** A user's TOTP factor; the secret is sealed (src/crypto/seal.ts). */
export interface TotpFactor {
  userId: string;
  /** The method id given to apps (`mfa_methods[].id`). */
  id: string;
  secretSealed: string;
  /** The last time step accepted (0: none): no code of it or an earlier step is accepted again. */
  lastStep: number;
  /** Null while enrolment waits for a first code: the factor does not count until then. */
  confirmedAt: number | null;
  createdAt: number;
}

/** The MFA grant's pending sign-in (SPEC §3), behind an opaque `mfa_token` stored only as its hash. */
export interface MfaToken {
  hash: string;
  clientId: string;
  userId: string;
  scope: string;
  resource: string | null;
  amr: string[];
  authTime: number;
  /** Codes tried with it so far. */
  attempts: number;
  createdAt: number;
  expiresAt: number;
  spentAt: number | null;
}

/** Second factors: TOTP, recovery codes (as keyed hashes), and the MFA grant's tokens. */
export interface MfaStore {
  /** The user's TOTP factor, confirmed or not. */
  findTotp(userId: string): Promise<TotpFactor | undefined>;
  /**
   * Starts an enrolment with a new unconfirmed factor, replacing an unconfirmed one. Refused (`false`) while a
   * confirmed factor exists: that one is turned off first.
   */
  beginTotp(factor: TotpFactor): Promise<boolean>;
  /**
   * Confirms the unconfirmed factor `id` with its first accepted step, and replaces the recovery codes: one
   * unit of work. `false` when that factor is gone or was confirmed already.
   */
  confirmTotp(
    userId: string,
    id: string,
    step: number,
    recoveryHashes: readonly string[],
    now: number,
    event: NewAuditEvent,
  ): Promise<boolean>;
  /** Enrols at once (the admin CLI): a confirmed factor and new recovery codes, replacing any before. */
  enrollTotp(factor: TotpFactor, recoveryHashes: readonly string[], event: NewAuditEvent): Promise<void>;
  /**
   * Accepts `step` for the user's factor only when it is later than the last accepted one; atomic, so one code
   * is accepted once even when sent twice at the same moment.
   */
  acceptStep(userId: string, step: number): Promise<boolean>;
  /** The hashes of the user's unused recovery codes. */
  unusedRecoveryCodes(userId: string): Promise<string[]>;
  /** Marks the code used; `false` when it was used already (atomic). */
  useRecoveryCode(userId: string, hash: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /** Voids every recovery code of the user and stores the new ones. */
  replaceRecoveryCodes(
    userId: string,
    hashes: readonly string[],
    now: number,
    event: NewAuditEvent,
  ): Promise<void>;
  /** Removes the TOTP factor and the recovery codes (turned off by the user, or reset by an admin). */
  removeAll(userId: string, event: NewAuditEvent): Promise<boolean>;
  saveToken(token: MfaToken): Promise<void>;
  /** The token by its hash, whatever its state (the grant checks its client before counting an attempt). */
  findToken(hash: string): Promise<MfaToken | undefined>;
  /**
   * Counts one attempt on a live token (unspent, unexpired, fewer than `maxAttempts` tried) and returns it;
   * `undefined` otherwise. Atomic: concurrent attempts cannot exceed `maxAttempts`.
   */
  attemptToken(hash: string, now: number, maxAttempts: number): Promise<MfaToken | undefined>;
  /** Spends the token; `false` when it was spent already (the first success wins). */
  spendToken(hash: string, now: number): Promise<boolean>;
}

export type ProviderKind = 'oidc' | 'google' | 'azure';

/** An upstream OpenID provider (SPEC §4); the client secret is sealed (src/crypto/seal.ts). */
export interface Provider {
  slug: string;
  name: string;
  kind: ProviderKind;
  /** Where discovery starts (for Entra ID, the tenant's URL; its discovered issuer may be a template). */
  issuer: string;
  /** Entra ID: a tenant id, `organizations` or `common`. */
  tenant: string | null;
  clientId: string;
  clientSecretSealed: string;
  tokenAuth: 'client_secret_basic' | 'client_secret_post';
  /** Entra ID tenants whose email addresses are trusted as verified. */
  trustedTenants: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ProviderStore {
  /** `false` when the slug is taken. */
  create(provider: Provider): Promise<boolean>;
  find(slug: string): Promise<Provider | undefined>;
  list(): Promise<Provider[]>;
  /** `false` when there is no such provider. */
  setEnabled(slug: string, enabled: boolean, now: number): Promise<boolean>;
  remove(slug: string): Promise<boolean>;
}

/** A user's link to an upstream identity: the upstream `iss` and `sub` (never the email alone). */
export interface FederatedIdentity {
  userId: string;
  providerSlug: string;
  issuer: string;
  subject: string;
  createdAt: number;
}

export interface IdentityStore {
  find(issuer: string, subject: string): Promise<FederatedIdentity | undefined>;
  findByUser(userId: string): Promise<FederatedIdentity | undefined>;
  /** A first upstream sign-in: the user and the link in one unit of work. `undefined` when the email or the identity is taken. */
  createUser(user: NewUser, identity: FederatedIdentity, event: NewAuditEvent): Promise<User | undefined>;
  /**
   * Links a signed-in user to an upstream identity, removes the password, ends the user's other sessions (all
   * but `keepSessionHash`) and revokes the grants not issued through that session: one unit of work. `false` when the user has a link already or the identity
   * is linked to someone.
   */
  link(
    identity: FederatedIdentity,
    keepSessionHash: string | null,
    now: number,
    event: NewAuditEvent,
  ): Promise<boolean>;
  /**
   * Removes the user's link, ends the user's sessions and revokes the user's refresh tokens, and saves a
   * single-use set-password token: one unit of work. `false` when the user has no link.
   */
  unlink(userId: string, token: PasswordToken, now: number, event: NewAuditEvent): Promise<boolean>;
}

/** A single-use link to set a password, stored as its hash. */
export interface PasswordToken {
  hash: string;
  userId: string;
  purpose: 'set' | 'reset' | 'invite';
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface PasswordTokenStore {
  save(token: PasswordToken): Promise<void>;
  find(hash: string): Promise<PasswordToken | undefined>;
  /**
   * Spends a live token (unused, unexpired) and sets the user's password; ends the user's sessions and revokes
   * the user's refresh tokens (a password change, SPEC §3): one unit of work. `false` when the token is not live.
   */
  redeem(hash: string, passwordHash: string, now: number, event: NewAuditEvent): Promise<boolean>;
}

/** An RFC 8628 device authorization; both codes stored only as hashes. */
export interface DeviceAuthorization {
  deviceCodeHash: string;
  userCodeHash: string;
  clientId: string;
  scope: string;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  /** Set by the approval: who signed in on `/device`, through which session, how. */
  userId: string | null;
  sessionHash: string | null;
  authTime: number | null;
  amr: string[];
  /** Seconds between polls; grows by 5 at each `slow_down`. */
  interval: number;
  /** Epoch milliseconds of the last poll (0: none yet). */
  lastPollMs: number;
  createdAt: number;
  expiresAt: number;
}

/** What one poll of the token endpoint finds (RFC 8628 §3.5). */
export type DevicePoll =
  /** No such device code, or another client's (which changes nothing). */
  | { status: 'unknown' }
  | { status: 'expired' }
  /** Polled sooner than `interval` after the last poll while pending: the interval has grown by 5 s. */
  | { status: 'slow_down'; interval: number }
  | { status: 'pending' | 'denied' | 'redeemed' }
  | { status: 'approved'; authorization: DeviceAuthorization };

export interface DeviceStore {
  /** `false` when the user code is taken (the caller makes another). */
  create(authorization: DeviceAuthorization, event: NewAuditEvent): Promise<boolean>;
  findByUserCode(userCodeHash: string): Promise<DeviceAuthorization | undefined>;
  /** A pending, unexpired authorization becomes approved with the sign-in; `false` otherwise. */
  approve(
    userCodeHash: string,
    signIn: { userId: string; sessionHash: string | null; authTime: number; amr: string[] },
    now: number,
    event: NewAuditEvent,
  ): Promise<boolean>;
  /** A pending, unexpired authorization becomes denied; `false` otherwise. */
  deny(userCodeHash: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /** One poll by `clientId`, atomically (the interval and `slow_down` are counted here). */
  poll(deviceCodeHash: string, clientId: string, nowMs: number): Promise<DevicePoll>;
  /** Approved → redeemed and the tokens written, in one unit of work; `false` when it was redeemed already. */
  redeem(deviceCodeHash: string, now: number, issued: Issued): Promise<boolean>;
}

export interface Store {
  users: UserStore;
  clients: ClientStore;
  scopes: ScopeStore;
  keys: KeyStore;
  grants: GrantStore;
  tokens: TokenStore;
  codes: CodeStore;
  sessions: SessionStore;
  interactions: InteractionStore;
  consents: ConsentStore;
  throttle: ThrottleStore;
  mfa: MfaStore;
  providers: ProviderStore;
  identities: IdentityStore;
  passwordTokens: PasswordTokenStore;
  devices: DeviceStore;
  events: EventStore;
  bulk: BulkStore;
  /** Deletes up to `limit` expired rows per table, and audit events older than `EVENT_RETENTION_SECONDS`. */
  sweep(now: number, limit: number): Promise<SweepResult>;
  /**
   * A cross-process change counter: changes whenever any process commits to the database (the CLI while the
   * server runs), so caches compare it before use. SQLite backs it with `PRAGMA data_version`, a PostgreSQL
   * dialect with a local counter bumped by LISTEN/NOTIFY. Synchronous and cheap: it is on the discovery hot path.
   */
  generation(): number;
  /** Checks that the database answers. */
  ping(): Promise<boolean>;
  /**
   * Starts the upkeep a long-running server wants and a CLI command does not (SQLite: checkpoints on a
   * background thread once writes pick up). What goes wrong there is reported to `onError`, never thrown.
   * `close()` ends it.
   */
  startBackground(onError: (message: string) => void): void;
  /** Ends the background upkeep and closes the connection; closing again does nothing. */
  close(): Promise<void>;
}
