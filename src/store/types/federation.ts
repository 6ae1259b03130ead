import type { ManagedBy, NewAuditEvent, NewUser, User } from './records.js';

/** Upstream providers, linked identities and set-password links. */

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
  /** `config`: seeded by the `LATCHKEY_CONFIG` file, which may update it. */
  managedBy?: ManagedBy;
  createdAt: number;
  updatedAt: number;
}

/** Each change writes its `event`, when given, in the same transaction; a change that fails writes nothing. */
export interface ProviderStore {
  /** `false` when the slug is taken. */
  create(provider: Provider, event?: NewAuditEvent): Promise<boolean>;
  find(slug: string): Promise<Provider | undefined>;
  list(): Promise<Provider[]>;
  /** Replaces every field but `slug`, `createdAt` and `managedBy`. `false` when there is no such provider. */
  update(provider: Provider, event?: NewAuditEvent): Promise<boolean>;
  /** `false` when there is no such provider. */
  setEnabled(slug: string, enabled: boolean, now: number, event?: NewAuditEvent): Promise<boolean>;
  remove(slug: string, event?: NewAuditEvent): Promise<boolean>;
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
   * but `keepSessionHash`), revokes the grants not issued through that session and marks the user's unused
   * password tokens used (a reset link mailed before must not bring a password back): one unit of work. `false` when the user has a link already or the identity
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
   * the user's refresh tokens (a password change, SPEC §3); marks the user's other unused tokens used (any later
   * password change voids a link); a 'reset' or 'invite' token (it came by mail) also sets `emailVerified`:
   * one unit of work. `false` when the token is not live.
   */
  redeem(hash: string, passwordHash: string, now: number, event: NewAuditEvent): Promise<boolean>;
}
