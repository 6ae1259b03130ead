import type {
  AuditEvent,
  AuthorizationCode,
  Client,
  ClientQuery,
  EventQuery,
  Grant,
  Interaction,
  Issued,
  NewAuditEvent,
  NewUser,
  OpaqueAccessToken,
  RedeemResult,
  RefreshToken,
  RotateResult,
  Scope,
  ScopeRemoveResult,
  Session,
  SigningKey,
  User,
  UserChange,
  UserQuery,
  UserUpdateResult,
} from './records.js';

/** The stores of the OAuth core: users, clients, scopes, keys, grants, tokens, sessions, consents, events. */

export interface UserStore {
  /** Creates the user, with `event` (the admin's `user_created`) in the same transaction when given. */
  create(user: NewUser, event?: NewAuditEvent): Promise<User>;
  find(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  /** One keyset page (see `UserQuery`); the caller asks one row more than it shows to know if more follow. */
  page(query: UserQuery): Promise<User[]>;
  /**
   * An admin's change, with `event` in one transaction (`updatedAt` becomes `now`). Disabling (`disabledAt`
   * set) also ends every session of the user and revokes all the user's grants there, and the event's detail
   * gains the counts `sessions` and `grants`. An email or username another user has answers `taken`, and
   * nothing is written.
   */
  update(id: string, change: UserChange, now: number, event: NewAuditEvent): Promise<UserUpdateResult>;
  /**
   * Deletes the user with their sessions, grants (so every token issued from them) and consents, and writes
   * `event`, in one transaction. False, with nothing written, when there is no such user.
   */
  remove(id: string, event: NewAuditEvent): Promise<boolean>;
  /**
   * A password change (SPEC §3): sets the hash, ends every session of the user, revokes all the user's
   * grants and marks the user's unused password tokens used (a mailed reset link dies with the change), with `event` (its detail gains the counts `sessions` and `grants`) in one transaction.
   * `undefined`, with nothing written, when there is no such user.
   */
  changePassword(
    id: string,
    passwordHash: string,
    now: number,
    event: NewAuditEvent,
  ): Promise<{ sessions: number; grants: number } | undefined>;
  count(): Promise<number>;
  /**
   * Whether some user who is not disabled holds one of `roles`: with the roles that grant an admin permission,
   * whether the server has an administrator yet (the console's first run, issue 17).
   */
  anyEnabledWithRole(roles: readonly string[]): Promise<boolean>;
}

export interface ClientStore {
  /** Creates the client with its URIs, and `event` in the same transaction when given. */
  create(client: Client, event?: NewAuditEvent): Promise<Client>;
  find(id: string): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  /** One keyset page (see `ClientQuery`). */
  page(query: ClientQuery): Promise<Client[]>;
  /**
   * Replaces every field of the client but `id` and `createdAt` (its URIs too) with `client`'s, with `event`,
   * in one transaction. False, with nothing written, when there is no such client.
   */
  update(client: Client, event: NewAuditEvent): Promise<boolean>;
  /**
   * Deletes the client and everything issued to it (grants with their refresh tokens, opaque access tokens,
   * codes, device codes, consents, mfa tokens), with `event` when given, in one transaction. False, with
   * nothing written, when there is no such client.
   */
  remove(id: string, event?: NewAuditEvent): Promise<boolean>;
  /**
   * Replaces the secret hash; with `event`, `updatedAt` becomes the event's `at` and the event is written in
   * the same transaction. False, with nothing written, when there is no such client.
   */
  setSecretHash(id: string, secretHash: string, event?: NewAuditEvent): Promise<boolean>;
}

export interface ScopeStore {
  /**
   * Adds or updates the description, with `event` in the same transaction when given; never turns a built-in
   * scope into a custom one. `managedBy` is taken on insert only: who created an entry owns it.
   */
  upsert(scope: Scope, now: number, event?: NewAuditEvent): Promise<Scope>;
  list(): Promise<Scope[]>;
  findMany(names: string[]): Promise<Scope[]>;
  /**
   * Deletes a custom scope no client lists, with `event`, in one transaction; `builtin`, `in_use` or
   * `not_found` write nothing.
   */
  remove(name: string, event: NewAuditEvent): Promise<ScopeRemoveResult>;
}

export interface KeyStore {
  list(): Promise<SigningKey[]>;
  /**
   * Adds keys; when `retire` is given, every active key of those algorithms becomes retired, published until
   * `publishUntil`; `event` (`keys_rotated`) is written in the same transaction when given.
   */
  add(
    keys: SigningKey[],
    retire?: { at: number; publishUntil: number },
    event?: NewAuditEvent,
  ): Promise<void>;
  /**
   * Adds each of `keys` whose algorithm has no active key yet, as one atomic step, and returns those it added: the
   * first keys, made by every node starting at once on an empty database (issue 18), exist once.
   */
  addFirst(keys: SigningKey[]): Promise<SigningKey[]>;
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
  /**
   * Revokes a live grant and writes `event` with it, in one transaction; false, with nothing written, when it
   * was already revoked or does not exist (RFC 7009 `/revoke`: its `token_revoked` row says something changed).
   */
  revokeOnce(id: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /**
   * The user's live grants (not revoked, not expired), newest first, at most `limit`; with `clientId`, only
   * that client's: what `GET /account/v1/authorizations` lists.
   */
  listAuthorizations(
    userId: string,
    now: number,
    options: { clientId?: string; limit: number },
  ): Promise<Authorization[]>;
  /**
   * `DELETE /account/v1/authorizations/:id`: revokes the user's live grant `id` (its whole token family) and
   * forgets the user's consent for the grant's client, with `event`, in one transaction. False, with nothing
   * written, when `id` is not a live grant of that user.
   */
  revokeAuthorization(id: string, userId: string, now: number, event: NewAuditEvent): Promise<boolean>;
  /**
   * `DELETE /session`: ends the browser session grant `id` was issued through as an RP-initiated logout does
   * (`sessions.logout`: its grants revoked except `offline_access` ones) and revokes grant `id` itself, with
   * `event` (its detail gains `session_ended` and `revoked_grants`), in one transaction. A grant issued without
   * a browser session (the password grant) only has itself revoked. `undefined`, with nothing written, when
   * there is no such grant.
   */
  endSessionOf(
    id: string,
    now: number,
    event: NewAuditEvent,
  ): Promise<{ sessionEnded: boolean; revokedGrants: number } | undefined>;
}

/** A live grant as the self-service API shows it. */
export interface Authorization extends Grant {
  /** The newest refresh token's `createdAt` (each refresh writes one), or the grant's own `createdAt`. */
  lastUsedAt: number;
}

export interface TokenStore {
  /** Writes a grant and the tokens of one response together. */
  issue(issued: Issued): Promise<void>;
  findOpaqueAccess(hash: string): Promise<OpaqueAccessToken | undefined>;
  /** Revokes one opaque access token; `event`, when given, is written with it, and only if it was still live. */
  revokeOpaqueAccess(hash: string, now: number, event?: NewAuditEvent): Promise<void>;
  /** Revokes one JWT access token by its `jti`; `event`, when given, is written with it, and only the first time. */
  revokeJti(jti: string, expiresAt: number, event?: NewAuditEvent): Promise<void>;
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
  /** Saves the grant and its code together, with `event` (the `authorized` row) when given. */
  save(grant: Grant, code: AuthorizationCode, event?: NewAuditEvent): Promise<void>;
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
   * when it was the same user's and still live, the new session carries it on: the grants issued through it
   * move along, so a logout still revokes them, and its `sid` is kept), creates `session`, saves the progress of
   * the interaction the sign-in belongs to and moves it onto the browser's new id (`interaction`, only if it is
   * still bound to the old one), and writes `event` (the `login` audit row). A carried-on session takes the new
   * sign-in's lifetimes (`createdAt`, `expiresAt`, `remember`): the sign-in just made is what they count from.
   * @returns the hash of a live session of another user that it ended (its clients are owed a logout), or null.
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
  ): Promise<string | null>;
  find(idHash: string): Promise<Session | undefined>;
  /** A use of the session: `lastSeenAt` becomes `now`, and `expiresAt` its new end (the idle end moves on). */
  touch(idHash: string, now: number, expiresAt: number): Promise<void>;
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
  /** Adds the scopes to what the user already approved for the client, with `event` (when given) in one transaction. */
  add(userId: string, clientId: string, scopes: string[], now: number, event?: NewAuditEvent): Promise<void>;
}

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
  /** One page of the trail, newest first (see `EventQuery`). */
  query(query: EventQuery): Promise<AuditEvent[]>;
}

export interface BulkStore {
  /** Bulk inserts in one transaction (benchmark data). */
  insert(users: NewUser[], issued: Issued[]): Promise<void>;
  /** After a bulk load: lets the database absorb it so the next writer does not pay for it (SQLite: a WAL checkpoint). */
  settle(): Promise<void>;
}
