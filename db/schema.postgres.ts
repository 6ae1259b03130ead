import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL twin of `schema.sqlite.ts` (issue 18): the same tables, columns, keys, indexes and defaults, under
 * the same property names, so a store method reads the same in both dialects. What differs is only the column type:
 * times are `bigint` read as numbers (epoch seconds, and epoch milliseconds where the name ends in `Ms`), flags are
 * `boolean`, JSON is `jsonb` (its operators replace SQLite's `json_each`), autoincrement ids are identity columns.
 * Keep the two files in step: a change to one is a migration in both folders.
 */

/** Epoch seconds: past 2038 they no longer fit a 32-bit `integer`. */
const epochSeconds = (name: string) => bigint(name, { mode: 'number' });
/** Epoch milliseconds. */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull().unique(),
    emailVerified: boolean('email_verified').notNull().default(false),
    passwordHash: text('password_hash'),
    name: text('name'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    roles: jsonb('roles').$type<string[]>().notNull().default([]),
    /** Unique when set (`preferred_username`). */
    username: text('username').unique(),
    groups: jsonb('groups').$type<string[]>().notNull().default([]),
    /** Set while the user is disabled: no sign-in, no token. */
    disabledAt: epochSeconds('disabled_at'),
    /** `config`: created by the `LATCHKEY_CONFIG` file, which may update it; null: the CLI or the API. */
    managedBy: text('managed_by', { enum: ['config'] }),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
  },
  // The admin lists page by (created_at, id).
  (t) => [index('users_created').on(t.createdAt, t.id)],
);

export const clients = pgTable(
  'clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secretHash: text('secret_hash'),
    isPublic: boolean('is_public').notNull().default(false),
    firstParty: boolean('first_party').notNull().default(false),
    allowImplicit: boolean('allow_implicit').notNull().default(false),
    grants: jsonb('grants').$type<string[]>().notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    tokenFormat: text('token_format', { enum: ['jwt', 'opaque'] })
      .notNull()
      .default('jwt'),
    accessTokenTtlSeconds: integer('access_token_ttl').notNull(),
    refreshTokenTtlSeconds: integer('refresh_token_ttl').notNull(),
    refreshReuseGraceSeconds: integer('refresh_reuse_grace').notNull(),
    /** The JWT access tokens' algorithm (`--access-token-alg`; `--signing-alg` sets both). */
    signingAlg: text('signing_alg', { enum: ['ES256', 'RS256'] })
      .notNull()
      .default('ES256'),
    /** The ID tokens' algorithm (`--id-token-alg`): RS256 unless registered otherwise (OIDC Registration §2). */
    idTokenAlg: text('id_token_alg', { enum: ['ES256', 'RS256'] })
      .notNull()
      .default('RS256'),
    /** `minimal`: the ID token carries no scope claims (they are at userinfo); `full` (default): it does. */
    idTokenClaims: text('id_token_claims', { enum: ['full', 'minimal'] })
      .notNull()
      .default('full'),
    /** OpenID Connect Back-Channel Logout 1.0: where logout tokens go, and whether the client needs `sid` (always sent). */
    backchannelLogoutUri: text('backchannel_logout_uri'),
    backchannelLogoutSessionRequired: boolean('backchannel_logout_session_required').notNull().default(true),
    /** RFC 7591 §2 client metadata, shown on the consent page as text links (issue 14); null: not registered. */
    logoUri: text('logo_uri'),
    clientUri: text('client_uri'),
    policyUri: text('policy_uri'),
    tosUri: text('tos_uri'),
    requirePkce: boolean('require_pkce').notNull().default(false),
    /** `--require-mfa`: every sign-in to the client passes a second factor. */
    requireMfa: boolean('require_mfa').notNull().default(false),
    /** `--require-verified-email`: a user whose email is not verified gets no code or token for the client. */
    requireVerifiedEmail: boolean('require_verified_email').notNull().default(false),
    introspectAny: boolean('introspect_any').notNull().default(false),
    /** Admin roles of the client's client-credentials tokens (SPEC §1 `--role`). */
    roles: jsonb('roles').$type<string[]>().notNull().default([]),
    managedBy: text('managed_by', { enum: ['config'] }),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull().default(0),
  },
  (t) => [index('clients_created').on(t.createdAt, t.id)],
);

export const clientUris = pgTable(
  'client_uris',
  {
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    // `resource`: an RFC 8707 resource the client may ask tokens for (SPEC §1 `--resource`).
    // `web_origin`: an origin allowed CORS at /token, /userinfo and /revoke besides the redirect URIs' (issue 13).
    kind: text('kind', { enum: ['redirect', 'post_logout', 'resource', 'web_origin'] }).notNull(),
    uri: text('uri').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.kind, t.uri] })],
);

export const scopes = pgTable('scopes', {
  name: text('name').primaryKey(),
  description: text('description').notNull(),
  builtin: boolean('builtin').notNull().default(false),
  managedBy: text('managed_by', { enum: ['config'] }),
  createdAt: epochSeconds('created_at').notNull(),
});

export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg', { enum: ['ES256', 'RS256'] }).notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  privateSealed: text('private_sealed').notNull(),
  createdAt: epochSeconds('created_at').notNull(),
  active: boolean('active').notNull().default(false),
  retiredAt: epochSeconds('retired_at'),
  publishUntil: epochSeconds('publish_until'),
});

export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    authTime: epochSeconds('auth_time').notNull(),
    amr: jsonb('amr').$type<string[]>().notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: epochSeconds('created_at').notNull(),
    lastSeenAt: epochSeconds('last_seen_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    endedAt: epochSeconds('ended_at'),
    /**
     * Back-Channel Logout §2.1: the `sid` ID and logout tokens carry; kept when the same user signs in again in
     * the same browser (step-up), as the grants are. Null for sessions older than migration 0008 (derived then).
     */
    sid: text('sid'),
    /**
     * "Keep me signed in" was ticked: the session may last `LATCHKEY_SESSION_MAX` from its sign-in (else 24 h at
     * most) and its cookie outlives the browser. `expires_at` is the earlier of that end and the idle end.
     */
    remember: boolean('remember').notNull().default(false),
  },
  (t) => [index('sessions_user').on(t.userId), index('sessions_expires').on(t.expiresAt)],
);

/** A grant is one token family: everything issued from one code, one password sign-in or one refresh chain. */
export const grants = pgTable(
  'grants',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionHash: text('session_hash'),
    scope: text('scope').notNull(),
    resource: text('resource'),
    authTime: epochSeconds('auth_time'),
    amr: jsonb('amr').$type<string[]>().notNull().default([]),
    nonce: text('nonce'),
    /** The `claims` request parameter's claim names (OIDC Core §5.5), for the ID token and userinfo. */
    claims: jsonb('claims').$type<{ idToken: string[]; userinfo: string[] }>(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    revokedAt: epochSeconds('revoked_at'),
  },
  (t) => [
    index('grants_user').on(t.userId),
    index('grants_session').on(t.sessionHash),
    index('grants_expires').on(t.expiresAt),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    hash: text('hash').primaryKey(),
    grantId: text('grant_id')
      .notNull()
      .references(() => grants.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    rotatedAt: epochSeconds('rotated_at'),
    // The successor response sealed with a key derived from this (presented) token: an idempotent
    // retry within the grace window can open it, nobody else can.
    retrySealed: text('retry_sealed'),
  },
  (t) => [index('refresh_grant').on(t.grantId), index('refresh_expires').on(t.expiresAt)],
);

/** Opaque access tokens only: JWT access tokens are not stored. */
export const accessTokens = pgTable(
  'access_tokens',
  {
    hash: text('hash').primaryKey(),
    jti: text('jti').notNull().unique(),
    grantId: text('grant_id'),
    clientId: text('client_id').notNull(),
    userId: text('user_id'),
    scope: text('scope').notNull(),
    aud: text('aud').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    revokedAt: epochSeconds('revoked_at'),
  },
  (t) => [index('access_expires').on(t.expiresAt)],
);

/** Revoked JWT access tokens by `jti`, kept until they would have expired anyway. */
export const revokedJtis = pgTable('revoked_jtis', {
  jti: text('jti').primaryKey(),
  expiresAt: epochSeconds('expires_at').notNull(),
});

export const codes = pgTable(
  'codes',
  {
    hash: text('hash').primaryKey(),
    grantId: text('grant_id').notNull(),
    clientId: text('client_id').notNull(),
    userId: text('user_id').notNull(),
    redirectUri: text('redirect_uri'),
    codeChallenge: text('code_challenge'),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    consumedAt: epochSeconds('consumed_at'),
  },
  (t) => [index('codes_expires').on(t.expiresAt)],
);

export const interactions = pgTable(
  'interactions',
  {
    id: text('id').primaryKey(),
    browserHash: text('browser_hash').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
  },
  (t) => [index('interactions_expires').on(t.expiresAt)],
);

export const consents = pgTable(
  'consents',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientId] })],
);

export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: epochSeconds('at').notNull(),
    type: text('type').notNull(),
    userId: text('user_id'),
    clientId: text('client_id'),
    ip: text('ip'),
    /** Who did it: `user:<id>`, `client:<id>`, `cli`, `config`, `system`; null when it is the subject itself. */
    actor: text('actor'),
    userAgent: text('user_agent'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  // `events_type_ip_at`: `recordFailure` finds the row to count on by kind and address, not by scanning the window.
  // The others serve the filters of `latchkey events` and `/admin/v1/events` (newest first, by id).
  (t) => [
    index('events_at').on(t.at),
    index('events_type_ip_at').on(t.type, t.ip, t.at),
    index('events_user_id').on(t.userId, t.id),
    index('events_client_id').on(t.clientId, t.id),
    index('events_type_id').on(t.type, t.id),
  ],
);

/**
 * Sign-in failure counters (per account, per address), kept in the database so a restart does not clear
 * them and several nodes share them. `key` is a hash: request input never lands here in the clear.
 */
export const throttle = pgTable(
  'throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    /** Epoch milliseconds: no attempt is evaluated before this. */
    blockedUntilMs: epochMs('blocked_until_ms').notNull(),
    lastMs: epochMs('last_ms').notNull(),
  },
  (t) => [index('throttle_last_ms').on(t.lastMs)],
);

/**
 * A user's TOTP factor (RFC 6238). The secret is sealed with `LATCHKEY_SECRET`; `last_step` is the last time
 * step accepted, so no code of that step or an earlier one is accepted again. Unconfirmed while the user
 * has not yet entered a first code (`confirmed_at` null): it does not count as enrolled.
 */
export const totpFactors = pgTable('totp_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The method id given to apps (`mfa_methods[].id`). */
  id: text('id').notNull(),
  secretSealed: text('secret_sealed').notNull(),
  lastStep: integer('last_step').notNull().default(0),
  confirmedAt: epochSeconds('confirmed_at'),
  createdAt: epochSeconds('created_at').notNull(),
});

/** Single-use recovery codes, stored only as keyed hashes. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    hash: text('hash').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    usedAt: epochSeconds('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.hash] })],
);

/**
 * The MFA grant's `mfa_token` (SPEC §3): what a password sign-in waiting for its second factor established,
 * bound to the client; stored hashed; single use; at most `MAX_CODE_ATTEMPTS` codes tried.
 */
export const mfaTokens = pgTable(
  'mfa_tokens',
  {
    hash: text('hash').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    resource: text('resource'),
    amr: jsonb('amr').$type<string[]>().notNull(),
    authTime: epochSeconds('auth_time').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    spentAt: epochSeconds('spent_at'),
  },
  (t) => [index('mfa_tokens_expires').on(t.expiresAt)],
);

/**
 * Upstream OpenID providers ("Continue with …", SPEC §4). The client secret is sealed with `LATCHKEY_SECRET`.
 * `issuer` is where discovery starts; for a multi-tenant Entra ID entry the discovered issuer is a template
 * (`…/{tenantid}/v2.0`) that each ID token's `tid` completes.
 */
export const providers = pgTable('providers', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['oidc', 'google', 'azure'] }).notNull(),
  issuer: text('issuer').notNull(),
  /** Entra ID: the tenant id, `organizations` or `common`. */
  tenant: text('tenant'),
  clientId: text('client_id').notNull(),
  clientSecretSealed: text('client_secret_sealed').notNull(),
  tokenAuth: text('token_auth', { enum: ['client_secret_basic', 'client_secret_post'] })
    .notNull()
    .default('client_secret_basic'),
  /** Entra ID tenants whose email addresses are trusted as verified. */
  trustedTenants: jsonb('trusted_tenants').$type<string[]>().notNull().default([]),
  enabled: boolean('enabled').notNull().default(true),
  managedBy: text('managed_by', { enum: ['config'] }),
  createdAt: epochSeconds('created_at').notNull(),
  updatedAt: epochSeconds('updated_at').notNull(),
});

/**
 * A user's link to an upstream identity: the upstream issuer (the ID token's `iss`) and `sub`, never the email
 * alone. One provider per user. No foreign key to `providers`: removing a provider must not silently unlink.
 */
export const federatedIdentities = pgTable(
  'federated_identities',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    providerSlug: text('provider_slug').notNull(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('federated_identities_issuer_subject').on(t.issuer, t.subject)],
);

/** Single-use links that let a user set a password (after an admin unlink; later reset and invitation). */
export const passwordTokens = pgTable(
  'password_tokens',
  {
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['set', 'reset', 'invite'] }).notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    usedAt: epochSeconds('used_at'),
  },
  (t) => [index('password_tokens_user').on(t.userId), index('password_tokens_expires').on(t.expiresAt)],
);

/**
 * RFC 8628 device authorizations. Both codes are stored only as hashes. `status` moves pending → approved or
 * denied (the `/device` page) → redeemed (the token endpoint, once); `interval` grows by 5 s at each
 * `slow_down` (RFC 8628 §3.5).
 */
export const deviceCodes = pgTable(
  'device_codes',
  {
    deviceCodeHash: text('device_code_hash').primaryKey(),
    userCodeHash: text('user_code_hash').notNull().unique(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'denied', 'redeemed'] }).notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionHash: text('session_hash'),
    authTime: epochSeconds('auth_time'),
    amr: jsonb('amr').$type<string[]>().notNull().default([]),
    /** Seconds the client must wait between polls. */
    interval: integer('interval').notNull(),
    /** Epoch milliseconds of the last poll (0: none yet). */
    lastPollMs: epochMs('last_poll_ms').notNull().default(0),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
  },
  (t) => [index('device_codes_expires').on(t.expiresAt)],
);

/**
 * Back-channel logout deliveries (OpenID Connect Back-Channel Logout 1.0 §2.5): a durable outbox drained in the
 * background, so a slow or down receiver never delays a sign-out and gets its token once it is up again. The
 * logout token's claims are kept, and signed when sent.
 */
export const logoutDeliveries = pgTable(
  'logout_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    uri: text('uri').notNull(),
    claims: jsonb('claims').$type<Record<string, unknown>>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: epochSeconds('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: epochSeconds('created_at').notNull(),
    deliveredAt: epochSeconds('delivered_at'),
    /** Given up on (too many attempts or too old). */
    failedAt: epochSeconds('failed_at'),
  },
  (t) => [index('logout_deliveries_due').on(t.deliveredAt, t.failedAt, t.nextAttemptAt)],
);

/**
 * The outbox of outgoing mail (issue 15): the message (recipient-visible subject and bodies, which carry
 * single-use links) is sealed with the server secret, so no token is in the clear at rest.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    /** `Sealer.seal(JSON.stringify({ text, html }))`. */
    bodySealed: text('body_sealed').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: epochSeconds('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: epochSeconds('created_at').notNull(),
    sentAt: epochSeconds('sent_at'),
    /** Given up on (too old). */
    failedAt: epochSeconds('failed_at'),
  },
  (t) => [index('mail_outbox_due').on(t.sentAt, t.failedAt, t.nextAttemptAt)],
);

/**
 * Single-use email links (issue 15): 'verify' proves the user's address, 'change' proves a new one before it
 * replaces the old. Stored only as the SHA-256 of the token.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address the link proves. */
    email: text('email').notNull(),
    purpose: text('purpose', { enum: ['verify', 'change'] }).notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    usedAt: epochSeconds('used_at'),
  },
  (t) => [index('email_tokens_user').on(t.userId), index('email_tokens_expires').on(t.expiresAt)],
);

/**
 * Facts about the database itself (issue 16), one row per key. `secret_check`: an HMAC of a fixed label under a
 * key derived from `LATCHKEY_SECRET`, written on first use, so a missing or different secret is refused before
 * it seals anything or a sealed value fails to open.
 */
export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: epochSeconds('updated_at').notNull(),
});

/**
 * Signed-in admin console sessions (issue 17), apart from the browser sessions: stored only as the SHA-256 of
 * the `lk_console` cookie. `grant_id` is the grant the console's code was redeemed from: while it is stored, its
 * revocation (a code replay) ends the console session too; `browser_session_hash` binds it to the browser session
 * it was started from, so a logout of that session ends it whether or not the grant is still stored; what ends all the
 * user's sessions (disabling, sign out everywhere, a password change) deletes these rows with them.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** No foreign key: the sweep deletes the grant once it expires, long before the console session ends. */
    grantId: text('grant_id').notNull(),
    /**
     * The hash of the browser session the console was signed in from: it must still be live (not logged out,
     * not expired) for the console session to hold. No foreign key: the sweep deletes ended sessions.
     */
    browserSessionHash: text('browser_session_hash').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    lastSeenAt: epochSeconds('last_seen_at').notNull(),
    /** The earlier of the idle end (moved on by each touch) and the absolute end: what the sweep deletes by. */
    expiresAt: epochSeconds('expires_at').notNull(),
  },
  (t) => [index('console_sessions_user').on(t.userId), index('console_sessions_expires').on(t.expiresAt)],
);

/**
 * PostgreSQL only: the database's change counter (`Store.generation`), one row. A write that changes what nodes
 * cache (clients, scopes, providers, keys) bumps it and sends `NOTIFY latchkey_changes` in the same transaction, so
 * the notification leaves at commit; a node whose listener was cut off compares this value when it reconnects.
 */
export const latchkeyChanges = pgTable(
  'latchkey_changes',
  {
    id: integer('id').primaryKey(),
    generation: bigint('generation', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('latchkey_changes_one_row', sql`${t.id} = 1`)],
);
