import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EVENT_RETENTION_SECONDS } from '../../src/config.js';
import { sessionSid } from '../../src/crypto/hash.js';
import type {
  AuthorizationCode,
  Client,
  ConsoleSession,
  DeviceAuthorization,
  FederatedIdentity,
  Grant,
  Issued,
  MfaToken,
  NewAuditEvent,
  NewUser,
  OpaqueAccessToken,
  PasswordToken,
  Provider,
  RefreshToken,
  Session,
  SigningKey,
  Store,
  TotpFactor,
} from '../../src/store/types.js';

/** Lets the clock pass the store's one-millisecond generation check. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** Two connections to one database, for the cross-connection checks. */
export interface StorePair {
  a: Store;
  b: Store;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** Opens two connections to one database; without it the cross-connection tests are not registered. */
  pair?: () => Promise<StorePair> | StorePair;
  /**
   * A pause between two looks for another connection's committed write, and the quiet spell in which nothing
   * must change: SQLite's `data_version` is read on the spot (the default, a 2 ms tick); PostgreSQL's change
   * counter moves when the NOTIFY arrives over the listener's connection, a little later on a loaded machine
   * (the checks poll for it, up to 10 s).
   */
  settle?: () => Promise<void>;
}

const NOW = 1_800_000_000;
let seq = 0;
const uniq = (prefix: string) => `${prefix}-${++seq}-${randomUUID().slice(0, 8)}`;

export function newUser(over: Partial<NewUser> = {}): NewUser {
  const id = uniq('user');
  return {
    id,
    email: `${id}@example.test`,
    emailVerified: true,
    name: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    roles: ['admin'],
    username: null,
    groups: [],
    passwordHash: '$argon2id$fake',
    disabledAt: null,
    managedBy: null,
    createdAt: NOW,
    ...over,
  };
}

export function newClient(over: Partial<Client> = {}): Client {
  return {
    id: uniq('client'),
    name: 'Contract client',
    secretHash: 'secret-hash',
    isPublic: false,
    firstParty: false,
    allowImplicit: false,
    grants: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'profile'],
    redirectUris: [],
    postLogoutRedirectUris: [],
    resources: [],
    tokenFormat: 'jwt',
    accessTokenTtlSeconds: 600,
    refreshTokenTtlSeconds: 86400,
    refreshReuseGraceSeconds: 10,
    signingAlg: 'ES256',
    idTokenAlg: 'ES256',
    idTokenClaims: 'full',
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: true,
    logoUri: null,
    clientUri: null,
    policyUri: null,
    tosUri: null,
    webOrigins: [],
    requirePkce: false,
    requireMfa: false,
    requireVerifiedEmail: false,
    introspectAny: false,
    roles: [],
    managedBy: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

export function newGrant(clientId: string, userId: string | null, over: Partial<Grant> = {}): Grant {
  return {
    id: uniq('grant'),
    clientId,
    userId,
    sessionHash: null,
    scope: 'openid profile',
    resource: null,
    authTime: NOW,
    amr: ['pwd'],
    nonce: 'n-0S6_WzA2Mj',
    claims: null,
    createdAt: NOW,
    expiresAt: NOW + 86400,
    revokedAt: null,
    ...over,
  };
}

export function newRefresh(grant: Grant, over: Partial<RefreshToken> = {}): RefreshToken {
  return {
    hash: uniq('rt-hash'),
    grantId: grant.id,
    clientId: grant.clientId,
    createdAt: NOW,
    expiresAt: NOW + 3600,
    rotatedAt: null,
    retrySealed: null,
    ...over,
  };
}

function newOpaque(clientId: string, over: Partial<OpaqueAccessToken> = {}): OpaqueAccessToken {
  return {
    hash: uniq('at-hash'),
    jti: uniq('jti'),
    grantId: null,
    clientId,
    userId: null,
    scope: 'api:read',
    aud: clientId,
    createdAt: NOW,
    expiresAt: NOW + 600,
    revokedAt: null,
    ...over,
  };
}

function newCode(grant: Grant, over: Partial<AuthorizationCode> = {}): AuthorizationCode {
  return {
    hash: uniq('code-hash'),
    grantId: grant.id,
    clientId: grant.clientId,
    userId: grant.userId!,
    redirectUri: 'https://app.example.test/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    createdAt: NOW,
    expiresAt: NOW + 60,
    consumedAt: null,
    ...over,
  };
}

export function newSession(userId: string, over: Partial<Session> = {}): Session {
  return {
    idHash: uniq('session-hash'),
    userId,
    authTime: NOW,
    amr: ['pwd'],
    userAgent: 'node:test',
    ip: '127.0.0.1',
    createdAt: NOW,
    lastSeenAt: NOW,
    expiresAt: NOW + 3600,
    endedAt: null,
    sid: null,
    remember: false,
    ...over,
  };
}

export function newEvent(type: string, over: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return {
    at: NOW,
    type,
    userId: null,
    clientId: null,
    ip: '127.0.0.1',
    detail: { via: 'contract' },
    ...over,
  };
}

function newDevice(clientId: string, over: Partial<DeviceAuthorization> = {}): DeviceAuthorization {
  return {
    deviceCodeHash: uniq('device-hash'),
    userCodeHash: uniq('user-code-hash'),
    clientId,
    scope: 'openid',
    status: 'pending',
    userId: null,
    sessionHash: null,
    authTime: null,
    amr: [],
    interval: 5,
    lastPollMs: 0,
    createdAt: NOW,
    expiresAt: NOW + 600,
    ...over,
  };
}

/**
 * An audit row the database refuses (`type` is NOT NULL). A unit of work writes its audit row last, so
 * passing this one makes its last write fail: everything before it must roll back.
 */
const REFUSED_EVENT = newEvent(null as never);

function newKey(alg: SigningKey['alg'], over: Partial<SigningKey> = {}): SigningKey {
  const kid = uniq('kid');
  return {
    kid,
    alg,
    publicJwk: { kty: alg === 'ES256' ? 'EC' : 'RSA', kid, alg, use: 'sig' },
    privateSealed: `v1.sealed.${kid}`,
    createdAt: NOW,
    active: true,
    retiredAt: null,
    publishUntil: null,
    ...over,
  };
}

function newFactor(userId: string, over: Partial<TotpFactor> = {}): TotpFactor {
  return {
    userId,
    id: uniq('totp'),
    secretSealed: `v1.sealed.${uniq('secret')}`,
    lastStep: 0,
    confirmedAt: null,
    createdAt: NOW,
    ...over,
  };
}

function newMfaToken(clientId: string, userId: string, over: Partial<MfaToken> = {}): MfaToken {
  return {
    hash: uniq('mfa-token-hash'),
    clientId,
    userId,
    scope: 'openid profile',
    resource: null,
    amr: ['pwd'],
    authTime: NOW,
    attempts: 0,
    createdAt: NOW,
    expiresAt: NOW + 300,
    spentAt: null,
    ...over,
  };
}

function newProvider(over: Partial<Provider> = {}): Provider {
  return {
    slug: uniq('idp'),
    name: 'Upstream',
    kind: 'oidc',
    issuer: 'https://idp.example.test',
    tenant: null,
    clientId: 'upstream-client',
    clientSecretSealed: `v1.sealed.${uniq('upstream-secret')}`,
    tokenAuth: 'client_secret_basic',
    trustedTenants: [],
    enabled: true,
    managedBy: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

function newIdentity(userId: string, over: Partial<FederatedIdentity> = {}): FederatedIdentity {
  return {
    userId,
    providerSlug: 'google',
    issuer: 'https://accounts.google.com',
    subject: uniq('sub'),
    createdAt: NOW,
    ...over,
  };
}

function newPasswordToken(userId: string, over: Partial<PasswordToken> = {}): PasswordToken {
  return {
    hash: uniq('set-password-hash'),
    userId,
    purpose: 'set',
    createdAt: NOW,
    expiresAt: NOW + 86400,
    usedAt: null,
    ...over,
  };
}

/**
 * The storage conformance suite: every dialect runs it (better-auth's `create-test-suite`, authelia's
 * storage provider). It speaks only the `Store` interface's intent verbs.
 */
export function storeContract(
  name: string,
  make: () => Promise<Store> | Store,
  options: ContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    /** A user and a client the rows below can point at (foreign keys are on). */
    async function owners(): Promise<{ user: NewUser; client: Client }> {
      const user = newUser();
      const client = newClient();
      await store.users.create(user);
      await store.clients.create(client);
      return { user, client };
    }

    /** The audit rows written so far, oldest first, without their ids. */
    async function audit(): Promise<NewAuditEvent[]> {
      // `actor` and `userAgent` are left out when empty, as the events written here leave them out.
      return (await store.events.list(100)).reverse().map(({ id: _id, actor, userAgent, ...event }) => ({
        ...event,
        ...(actor !== null ? { actor } : {}),
        ...(userAgent !== null ? { userAgent } : {}),
      }));
    }

    it('answers ping()', async () => {
      assert.equal(await store.ping(), true);
    });

    describe('users', () => {
      it('anyEnabledWithRole() finds an enabled user holding one of the roles, not a disabled one', async () => {
        assert.equal(await store.users.anyEnabledWithRole(['admin', 'auditor']), false, 'no users yet');
        await store.users.create(newUser({ roles: ['support'] }));
        assert.equal(await store.users.anyEnabledWithRole(['admin', 'auditor']), false);
        await store.users.create(newUser({ roles: ['auditor'], disabledAt: NOW }));
        assert.equal(await store.users.anyEnabledWithRole(['admin', 'auditor']), false, 'disabled');
        await store.users.create(newUser({ roles: ['support', 'users:read'] }));
        assert.equal(await store.users.anyEnabledWithRole(['admin', 'users:read']), true);
        assert.equal(await store.users.anyEnabledWithRole(['admin']), false);
        assert.equal(await store.users.anyEnabledWithRole([]), false);
      });

      it('creates a user and finds it by id', async () => {
        const input = newUser();
        const created = await store.users.create(input);
        assert.deepEqual(created, { ...input, updatedAt: input.createdAt });
        assert.deepEqual(await store.users.find(input.id), created);
        assert.equal(await store.users.find('no-such-user'), undefined);
      });

      it('finds a user by email whatever its case', async () => {
        const input = newUser({ email: 'ada.lovelace@example.test' });
        await store.users.create(input);
        assert.equal((await store.users.findByEmail('ada.lovelace@example.test'))?.id, input.id);
        assert.equal((await store.users.findByEmail('Ada.LOVELACE@Example.TEST'))?.id, input.id);
        assert.equal(await store.users.findByEmail('nobody@example.test'), undefined);
      });

      it('refuses a second user with the same email', async () => {
        await store.users.create(newUser({ email: 'twice@example.test' }));
        await assert.rejects(store.users.create(newUser({ email: 'twice@example.test' })));
        assert.equal(await store.users.count(), 1);
      });

      it('lists, counts and removes users', async () => {
        const a = newUser({ createdAt: NOW });
        const b = newUser({ createdAt: NOW + 1 });
        await store.users.create(b);
        await store.users.create(a);
        assert.equal(await store.users.count(), 2);
        assert.deepEqual(
          (await store.users.list()).map((u) => u.id),
          [a.id, b.id],
        );
        assert.equal(await store.users.remove(a.id, newEvent('user_removed', { userId: a.id })), true);
        assert.equal(await store.users.remove(a.id, newEvent('user_removed', { userId: a.id })), false);
        assert.equal(await store.users.count(), 1);
        assert.equal(await store.users.find(a.id), undefined);
      });

      it('remove() takes the user’s sessions, grants, tokens and consents and writes its audit row', async () => {
        const { user, client } = await owners();
        const other = newUser();
        await store.users.create(other);
        const session = newSession(user.id);
        await store.sessions.create(session);
        const grant = newGrant(client.id, user.id, { sessionHash: session.idHash });
        const refresh = newRefresh(grant);
        await store.tokens.issue({ grant, refresh });
        await store.consents.add(user.id, client.id, ['openid'], NOW);
        const theirs = newGrant(client.id, other.id);
        await store.tokens.issue({ grant: theirs });
        const event = newEvent('user_removed', { userId: user.id });

        assert.equal(await store.users.remove(user.id, event), true);
        assert.equal(await store.users.find(user.id), undefined);
        assert.equal(await store.sessions.find(session.idHash), undefined);
        assert.equal(await store.grants.find(grant.id), undefined);
        assert.equal(await store.tokens.findRefresh(refresh.hash), undefined);
        assert.deepEqual(await store.consents.find(user.id, client.id), []);
        assert.deepEqual(await store.grants.find(theirs.id), theirs, 'another user’s grant stays');
        assert.deepEqual(await audit(), [event]);

        assert.equal(await store.users.remove('no-such-user', newEvent('user_removed')), false);
        assert.deepEqual(await audit(), [event], 'nothing is written for a user that does not exist');
      });

      it('remove() is all or nothing', async () => {
        const { user, client } = await owners();
        const session = newSession(user.id);
        await store.sessions.create(session);
        const grant = newGrant(client.id, user.id);
        const refresh = newRefresh(grant);
        await store.tokens.issue({ grant, refresh });
        await store.consents.add(user.id, client.id, ['openid'], NOW);

        await assert.rejects(store.users.remove(user.id, REFUSED_EVENT));
        assert.ok(await store.users.find(user.id), 'the user is still there');
        assert.deepEqual(await store.sessions.find(session.idHash), session);
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.deepEqual(await store.tokens.findRefresh(refresh.hash), refresh);
        assert.deepEqual(await store.consents.find(user.id, client.id), ['openid']);
        assert.deepEqual(await audit(), []);
      });

      it('changePassword() sets the hash, ends every session, revokes every grant of the user and writes its audit row', async () => {
        const { user, client } = await owners();
        const someoneElse = newUser();
        await store.users.create(someoneElse);
        const mine = [newSession(user.id), newSession(user.id), newSession(user.id, { endedAt: NOW - 5 })];
        const theirs = newSession(someoneElse.id);
        for (const s of [...mine, theirs]) await store.sessions.create(s);
        const grants = [
          newGrant(client.id, user.id, { sessionHash: mine[0]!.idHash }),
          newGrant(client.id, user.id, { scope: 'openid offline_access' }),
        ];
        const refresh = newRefresh(grants[1]!);
        const done = newGrant(client.id, user.id, { revokedAt: NOW - 5 });
        const theirGrant = newGrant(client.id, someoneElse.id);
        await store.tokens.issue({ grant: grants[0]! });
        await store.tokens.issue({ grant: grants[1]!, refresh });
        for (const grant of [done, theirGrant]) await store.tokens.issue({ grant });
        const event = newEvent('password_changed', { userId: user.id });

        assert.deepEqual(await store.users.changePassword(user.id, '$argon2id$new', NOW + 5, event), {
          sessions: 2,
          grants: 2,
        });
        const changed = await store.users.find(user.id);
        assert.equal(changed?.passwordHash, '$argon2id$new');
        assert.equal(changed?.updatedAt, NOW + 5);
        assert.deepEqual(await store.sessions.listActiveForUser(user.id, NOW), []);
        assert.equal(
          (await store.sessions.find(mine[2]!.idHash))?.endedAt,
          NOW - 5,
          'an ended session keeps its end',
        );
        for (const grant of grants) assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 5);
        assert.equal(
          (await store.grants.find(done.id))?.revokedAt,
          NOW - 5,
          'a revoked grant keeps its time',
        );
        assert.equal(
          (await store.sessions.find(theirs.idHash))?.endedAt,
          null,
          'another user’s session stays',
        );
        assert.equal((await store.grants.find(theirGrant.id))?.revokedAt, null, 'another user’s grant stays');
        assert.deepEqual(await audit(), [{ ...event, detail: { via: 'contract', sessions: 2, grants: 2 } }]);

        assert.equal(
          await store.users.changePassword(
            'no-such-user',
            '$argon2id$x',
            NOW + 6,
            newEvent('password_changed'),
          ),
          undefined,
        );
        assert.equal((await audit()).length, 1, 'nothing is written for a user that does not exist');
      });

      it('changePassword() is all or nothing', async () => {
        const { user, client } = await owners();
        const session = newSession(user.id);
        await store.sessions.create(session);
        const grant = newGrant(client.id, user.id, { sessionHash: session.idHash });
        const refresh = newRefresh(grant);
        await store.tokens.issue({ grant, refresh });

        await assert.rejects(store.users.changePassword(user.id, '$argon2id$new', NOW + 5, REFUSED_EVENT));
        const unchanged = await store.users.find(user.id);
        assert.equal(unchanged?.passwordHash, user.passwordHash, 'the hash is unchanged');
        assert.equal(unchanged?.updatedAt, user.createdAt);
        assert.deepEqual(await store.sessions.find(session.idHash), session, 'the session is still active');
        assert.deepEqual(await store.grants.find(grant.id), grant, 'the grant is not revoked');
        assert.deepEqual(await store.tokens.findRefresh(refresh.hash), refresh);
        assert.deepEqual(await audit(), []);
      });
    });

    describe('clients', () => {
      it('creates a client with its redirect and post-logout URIs and resources, and finds it', async () => {
        const input = newClient({
          // The same URI in several lists stays in each.
          redirectUris: ['https://app.example.test/cb', 'com.example.app:/oauth2redirect'],
          postLogoutRedirectUris: ['https://app.example.test/bye'],
          resources: ['https://api.example.test/v1', 'https://app.example.test/cb', 'urn:example:ledger'],
          tokenFormat: 'opaque',
          signingAlg: 'RS256',
          isPublic: true,
          secretHash: null,
          requirePkce: true,
          introspectAny: true,
          firstParty: true,
          allowImplicit: true,
          refreshReuseGraceSeconds: 0,
        });
        await store.clients.create(input);
        const found = await store.clients.find(input.id);
        assert.ok(found);
        const sorted = (c: Client) => ({
          ...c,
          redirectUris: [...c.redirectUris].sort(),
          resources: [...c.resources].sort(),
        });
        assert.deepEqual(sorted(found), sorted(input));
        const listed = (await store.clients.list()).find((c) => c.id === input.id);
        assert.deepEqual(listed && sorted(listed), sorted(input));
        const plain = newClient();
        await store.clients.create(plain);
        assert.deepEqual((await store.clients.find(plain.id))?.resources, [], 'none: an empty list');
        assert.equal(await store.clients.find('no-such-client'), undefined);
      });

      it('lists and removes clients', async () => {
        const a = newClient({ createdAt: NOW });
        const b = newClient({ createdAt: NOW + 1 });
        await store.clients.create(a);
        await store.clients.create(b);
        assert.deepEqual(
          (await store.clients.list()).map((c) => c.id),
          [a.id, b.id],
        );
        assert.equal(await store.clients.remove(a.id), true);
        assert.equal(await store.clients.remove(a.id), false);
        assert.equal(await store.clients.find(a.id), undefined);
        assert.deepEqual(
          (await store.clients.list()).map((c) => c.id),
          [b.id],
        );
      });

      it('a removed client takes its grants and tokens with it', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const refresh = newRefresh(grant);
        const access = newOpaque(client.id, { grantId: grant.id });
        await store.tokens.issue({ grant, refresh, access });
        await store.clients.remove(client.id);
        assert.equal(await store.grants.find(grant.id), undefined);
        assert.equal(await store.tokens.findRefresh(refresh.hash), undefined);
        assert.equal(await store.tokens.findOpaqueAccess(access.hash), undefined);
      });

      it('replaces the secret hash, and find() sees the new one at once', async () => {
        const input = newClient({ secretHash: 'old' });
        await store.clients.create(input);
        assert.equal((await store.clients.find(input.id))?.secretHash, 'old');
        await store.clients.setSecretHash(input.id, 'new');
        assert.equal((await store.clients.find(input.id))?.secretHash, 'new');
      });

      it('a client looked up before it existed is found once created', async () => {
        const input = newClient();
        assert.equal(await store.clients.find(input.id), undefined);
        await store.clients.create(input);
        assert.equal((await store.clients.find(input.id))?.id, input.id);
      });
    });

    describe('scopes', () => {
      it('upserts a scope and updates its description', async () => {
        assert.deepEqual(
          await store.scopes.upsert({ name: 'api:read', description: 'Read', builtin: false }, NOW),
          {
            name: 'api:read',
            description: 'Read',
            builtin: false,
            managedBy: null,
          },
        );
        await store.scopes.upsert({ name: 'api:read', description: 'Read the API', builtin: false }, NOW);
        const [scope] = await store.scopes.findMany(['api:read']);
        assert.deepEqual(scope, {
          name: 'api:read',
          description: 'Read the API',
          builtin: false,
          managedBy: null,
        });
      });

      it('never turns a built-in scope into a custom one', async () => {
        await store.scopes.upsert(
          { name: 'openid', description: 'Confirm your identity', builtin: true },
          NOW,
        );
        const after = await store.scopes.upsert(
          { name: 'openid', description: 'Who you are', builtin: false },
          NOW,
        );
        assert.deepEqual(after, {
          name: 'openid',
          description: 'Who you are',
          builtin: true,
          managedBy: null,
        });
        assert.equal((await store.scopes.list()).find((s) => s.name === 'openid')?.builtin, true);
      });

      it('findMany returns only the scopes that exist', async () => {
        await store.scopes.upsert({ name: 'a', description: 'A', builtin: false }, NOW);
        await store.scopes.upsert({ name: 'b', description: 'B', builtin: false }, NOW);
        const found = (await store.scopes.findMany(['a', 'b', 'nope'])).map((s) => s.name).sort();
        assert.deepEqual(found, ['a', 'b']);
        assert.deepEqual(await store.scopes.findMany([]), []);
      });
    });

    describe('keys', () => {
      it('adds keys, retires the active ones of the same algorithm, and prunes them after publishUntil', async () => {
        const es1 = newKey('ES256');
        const rs1 = newKey('RS256');
        await store.keys.add([es1, rs1]);
        const es2 = newKey('ES256', { createdAt: NOW + 10 });
        await store.keys.add([es2], { at: NOW + 10, publishUntil: NOW + 700 });

        const byKid = new Map((await store.keys.list()).map((k) => [k.kid, k]));
        assert.equal(byKid.size, 3);
        assert.deepEqual(byKid.get(es1.kid), {
          ...es1,
          active: false,
          retiredAt: NOW + 10,
          publishUntil: NOW + 700,
        });
        assert.deepEqual(byKid.get(rs1.kid), rs1, 'a key of another algorithm stays active');
        assert.deepEqual(byKid.get(es2.kid), es2);

        assert.equal(await store.keys.prune(NOW + 699), 0, 'still published');
        assert.equal(await store.keys.prune(NOW + 700), 1);
        assert.deepEqual((await store.keys.list()).map((k) => k.kid).sort(), [es2.kid, rs1.kid].sort());
      });

      it('addFirst() adds only the algorithms without an active key, and says which', async () => {
        const es1 = newKey('ES256');
        assert.deepEqual(await store.keys.addFirst([es1]), [es1]);
        const es2 = newKey('ES256');
        const rs1 = newKey('RS256');
        assert.deepEqual(await store.keys.addFirst([es2, rs1]), [rs1], 'ES256 had one');
        assert.deepEqual((await store.keys.list()).map((k) => k.kid).sort(), [es1.kid, rs1.kid].sort());
      });

      it('addFirst() from several callers at once keeps one key per algorithm', async () => {
        const added = await Promise.all(
          [1, 2, 3, 4].map(() => store.keys.addFirst([newKey('ES256'), newKey('RS256')])),
        );
        assert.equal(added.flat().length, 2);
        const active = (await store.keys.list()).filter((k) => k.active);
        assert.deepEqual(active.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      });

      it('never prunes an active key', async () => {
        await store.keys.add([newKey('ES256'), newKey('RS256')]);
        assert.equal(await store.keys.prune(NOW + 10 * 365 * 86400), 0);
        assert.equal((await store.keys.list()).length, 2);
      });
    });

    describe('grants', () => {
      it('finds and revokes a grant once', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        await store.tokens.issue({ grant });
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.equal(await store.grants.revoke(grant.id, NOW + 1), true);
        assert.equal(await store.grants.revoke(grant.id, NOW + 2), false);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 1);
        assert.equal(await store.grants.revoke('no-such-grant', NOW), false);
        assert.equal(await store.grants.find('no-such-grant'), undefined);
      });

      it('revoke() on a refresh token’s grant revokes its whole family, rotated tokens and successors alike', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const first = newRefresh(grant);
        await store.tokens.issue({ grant, refresh: first });
        const second = newRefresh(grant);
        await store.tokens.rotateRefresh(first.hash, NOW + 1, null, { refresh: second });

        const presented = await store.tokens.findRefresh(first.hash);
        assert.equal(await store.grants.revoke(presented!.grantId, NOW + 2), true);
        for (const token of [first, second]) {
          const row = await store.tokens.findRefresh(token.hash);
          assert.equal(row?.grantId, grant.id);
          assert.equal((await store.grants.find(row!.grantId))?.revokedAt, NOW + 2, 'no longer usable');
        }
      });

      it('revoke() writes its audit row in the same transaction, and is all or nothing', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        await store.tokens.issue({ grant });

        await assert.rejects(store.grants.revoke(grant.id, NOW + 1, REFUSED_EVENT));
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'not revoked');

        const event = newEvent('refresh_reuse', { clientId: client.id, detail: { grant: grant.id } });
        assert.equal(await store.grants.revoke(grant.id, NOW + 2, event), true);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 2);
        assert.deepEqual(await audit(), [event]);
      });

      it('revokeApp() revokes the user’s grants for one client, forgets the consent and writes its audit row', async () => {
        const { user, client } = await owners();
        const other = newClient();
        await store.clients.create(other);
        const someoneElse = newUser();
        await store.users.create(someoneElse);
        const mine1 = newGrant(client.id, user.id);
        const mine2 = newGrant(client.id, user.id);
        const done = newGrant(client.id, user.id, { revokedAt: NOW - 5 });
        const otherApp = newGrant(other.id, user.id);
        const theirs = newGrant(client.id, someoneElse.id);
        for (const grant of [mine1, mine2, done, otherApp, theirs]) await store.tokens.issue({ grant });
        await store.consents.add(user.id, client.id, ['openid', 'profile'], NOW);
        await store.consents.add(user.id, other.id, ['openid'], NOW);
        await store.consents.add(someoneElse.id, client.id, ['openid'], NOW);
        const event = newEvent('app_revoked', { userId: user.id, clientId: client.id });

        assert.equal(await store.grants.revokeApp(user.id, client.id, NOW + 1, event), 2);
        assert.equal((await store.grants.find(mine1.id))?.revokedAt, NOW + 1);
        assert.equal((await store.grants.find(mine2.id))?.revokedAt, NOW + 1);
        assert.equal(
          (await store.grants.find(done.id))?.revokedAt,
          NOW - 5,
          'a revoked grant keeps its time',
        );
        assert.equal((await store.grants.find(otherApp.id))?.revokedAt, null);
        assert.equal((await store.grants.find(theirs.id))?.revokedAt, null);
        assert.deepEqual(await store.consents.find(user.id, client.id), []);
        assert.deepEqual(await store.consents.find(user.id, other.id), ['openid']);
        assert.deepEqual(await store.consents.find(someoneElse.id, client.id), ['openid']);
        assert.deepEqual(await audit(), [{ ...event, detail: { via: 'contract', revoked_grants: 2 } }]);
      });

      it('revokeApp() is all or nothing', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        await store.tokens.issue({ grant });
        await store.consents.add(user.id, client.id, ['openid'], NOW);

        await assert.rejects(store.grants.revokeApp(user.id, client.id, NOW + 1, REFUSED_EVENT));
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'not revoked');
        assert.deepEqual(await store.consents.find(user.id, client.id), ['openid'], 'the consent stays');
        assert.deepEqual(await audit(), []);
      });

      it('lists a user’s active grants', async () => {
        const { user, client } = await owners();
        const live = newGrant(client.id, user.id);
        const revoked = newGrant(client.id, user.id);
        const expired = newGrant(client.id, user.id, { expiresAt: NOW - 1 });
        for (const grant of [live, revoked, expired]) await store.tokens.issue({ grant });
        await store.grants.revoke(revoked.id, NOW);
        assert.deepEqual(
          (await store.grants.listActiveForUser(user.id, NOW)).map((g) => g.id),
          [live.id],
        );
      });

      it('lists grants of one second newest first, ties by id, the same on every dialect', async () => {
        const { user, client } = await owners();
        const older = newGrant(client.id, user.id, { createdAt: NOW - 1 });
        const tied = [1, 2, 3, 4].map(() => newGrant(client.id, user.id, { createdAt: NOW }));
        for (const grant of [older, ...tied]) await store.tokens.issue({ grant });
        const byId = tied.map((g) => g.id).sort((x, y) => (x < y ? 1 : -1));
        assert.deepEqual(
          (await store.grants.listActiveForUser(user.id, NOW)).map((g) => g.id),
          [...byId, older.id],
        );
      });
    });

    describe('tokens', () => {
      it('issues a grant, a refresh token and an opaque access token together', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const refresh = newRefresh(grant);
        const access = newOpaque(client.id, { grantId: grant.id, userId: user.id });
        await store.tokens.issue({ grant, refresh, access });
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.deepEqual(await store.tokens.findRefresh(refresh.hash), refresh);
        assert.deepEqual(await store.tokens.findOpaqueAccess(access.hash), access);
        assert.equal(await store.tokens.findRefresh('no-such-hash'), undefined);
        assert.equal(await store.tokens.findOpaqueAccess('no-such-hash'), undefined);
      });

      it('issue() is all or nothing', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const refresh = newRefresh(grant);
        await store.tokens.issue({ grant, refresh });
        const grant2 = newGrant(client.id, user.id);
        // The refresh token collides with an existing one: the new grant must not be written either.
        await assert.rejects(
          store.tokens.issue({ grant: grant2, refresh: { ...refresh, grantId: grant2.id } }),
        );
        assert.equal(await store.grants.find(grant2.id), undefined);
      });

      it('rotateRefresh rotates once, then answers already_rotated and never writes a second successor', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const first = newRefresh(grant);
        await store.tokens.issue({ grant, refresh: first });

        const successor = newRefresh(grant, { createdAt: NOW + 5 });
        const fork = newRefresh(grant, { createdAt: NOW + 6 });
        const forkAccess = newOpaque(client.id, { grantId: grant.id });
        // Two rotations at once: on PostgreSQL they run on two connections, so either may win; exactly one does.
        const [a, b] = await Promise.all([
          store.tokens.rotateRefresh(first.hash, NOW + 5, 'sealed-retry', { refresh: successor }),
          store.tokens.rotateRefresh(first.hash, NOW + 6, 'other', { refresh: fork, access: forkAccess }),
        ]);
        assert.deepEqual([a, b].sort(), ['already_rotated', 'rotated']);
        const firstWon = a === 'rotated';
        const [won, lost] = firstWon ? [successor, fork] : [fork, successor];

        const old = await store.tokens.findRefresh(first.hash);
        assert.equal(old?.rotatedAt, firstWon ? NOW + 5 : NOW + 6);
        assert.equal(old?.retrySealed, firstWon ? 'sealed-retry' : 'other');
        assert.deepEqual(await store.tokens.findRefresh(won.hash), won);
        assert.equal(await store.tokens.findRefresh(lost.hash), undefined, 'the family never forks');
        if (firstWon) assert.equal(await store.tokens.findOpaqueAccess(forkAccess.hash), undefined);
        else
          assert.ok(
            await store.tokens.findOpaqueAccess(forkAccess.hash),
            "the winner's access token is written",
          );
        const sealed = old?.retrySealed;

        assert.equal(
          await store.tokens.rotateRefresh(first.hash, NOW + 7, null, { refresh: newRefresh(grant) }),
          'already_rotated',
        );
        assert.equal((await store.tokens.findRefresh(first.hash))?.retrySealed, sealed);
      });

      it('revokes an opaque access token', async () => {
        const { client } = await owners();
        const access = newOpaque(client.id);
        await store.tokens.issue({ access });
        await store.tokens.revokeOpaqueAccess(access.hash, NOW + 3);
        assert.equal((await store.tokens.findOpaqueAccess(access.hash))?.revokedAt, NOW + 3);
        await store.tokens.revokeOpaqueAccess(access.hash, NOW + 9);
        assert.equal(
          (await store.tokens.findOpaqueAccess(access.hash))?.revokedAt,
          NOW + 3,
          'first revocation wins',
        );
      });

      it('revokes a JWT by jti, idempotently', async () => {
        assert.equal(await store.tokens.isJtiRevoked('jti-1'), false);
        assert.equal(await store.tokens.isJtiRevoked('jti-1'), false);
        // At once, within the same millisecond as the checks before it: this connection's own revocation.
        await store.tokens.revokeJti('jti-1', NOW + 600);
        assert.equal(await store.tokens.isJtiRevoked('jti-1'), true);
        await store.tokens.revokeJti('jti-1', NOW + 600);
        assert.equal(await store.tokens.isJtiRevoked('jti-1'), true);
        assert.equal(await store.tokens.isJtiRevoked('jti-2'), false);
      });
      it('revokes an access token with its audit row, written only when the token was still live', async () => {
        const { client } = await owners();
        const access = newOpaque(client.id);
        await store.tokens.issue({ access });
        const event = newEvent('token_revoked', { clientId: client.id });
        await store.tokens.revokeOpaqueAccess(access.hash, NOW + 3, event);
        await store.tokens.revokeOpaqueAccess(access.hash, NOW + 4, event);
        await store.tokens.revokeJti('jti-audited', NOW + 600, event);
        await store.tokens.revokeJti('jti-audited', NOW + 600, event);
        assert.deepEqual(await audit(), [event, event], 'one row per token, none for a second revocation');
      });

      it('adds a consent with its audit row in one transaction', async () => {
        const { user, client } = await owners();
        const event = newEvent('consent_granted', { userId: user.id, clientId: client.id });
        await store.consents.add(user.id, client.id, ['openid'], NOW, event);
        assert.deepEqual(await store.consents.find(user.id, client.id), ['openid']);
        assert.deepEqual(await audit(), [event]);
      });
    });

    describe('codes', () => {
      it('saves a code with its grant and finds it', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);
        assert.deepEqual(await store.codes.find(code.hash), code);
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.equal(await store.codes.find('no-such-code'), undefined);
      });

      it('redeems once; a replay answers replayed, writes nothing and revokes the grant', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);

        const refresh = newRefresh(grant);
        const access = newOpaque(client.id, { grantId: grant.id });
        assert.equal(await store.codes.redeem(code.hash, NOW + 1, { refresh, access }), 'ok');
        assert.equal((await store.codes.find(code.hash))?.consumedAt, NOW + 1);
        assert.deepEqual(await store.tokens.findRefresh(refresh.hash), refresh);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null);

        const replayRefresh = newRefresh(grant);
        assert.equal(await store.codes.redeem(code.hash, NOW + 2, { refresh: replayRefresh }), 'replayed');
        assert.equal(await store.tokens.findRefresh(replayRefresh.hash), undefined);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 2);
      });

      it('a replay revokes the grant and writes the replay event together; a first redemption does not write it', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);
        const replayed = newEvent('code_replayed', { userId: user.id, clientId: client.id });

        assert.equal(await store.codes.redeem(code.hash, NOW + 1, {}, replayed), 'ok');
        assert.deepEqual(await audit(), [], 'no replay, no event');
        assert.equal(await store.codes.redeem(code.hash, NOW + 2, {}, replayed), 'replayed');
        assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 2);
        assert.deepEqual(await audit(), [replayed]);
        assert.equal(await store.codes.redeem('no-such-code', NOW + 3, {}, replayed), 'replayed');
        assert.deepEqual(await audit(), [replayed], 'an unknown code writes nothing');
      });

      it('redeem() is all or nothing, on a first redemption and on a replay', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);

        const refresh = newRefresh(grant);
        await assert.rejects(store.codes.redeem(code.hash, NOW + 1, { refresh, event: REFUSED_EVENT }));
        assert.equal((await store.codes.find(code.hash))?.consumedAt, null, 'the code is not consumed');
        assert.equal(await store.tokens.findRefresh(refresh.hash), undefined);

        assert.equal(await store.codes.redeem(code.hash, NOW + 2, {}), 'ok');
        await assert.rejects(store.codes.redeem(code.hash, NOW + 3, {}, REFUSED_EVENT));
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'the grant is not revoked');
        assert.deepEqual(await audit(), []);
      });

      it('concurrent redemptions: exactly one wins', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);
        const results = await Promise.all([
          store.codes.redeem(code.hash, NOW + 1, { refresh: newRefresh(grant) }),
          store.codes.redeem(code.hash, NOW + 1, { refresh: newRefresh(grant) }),
        ]);
        assert.deepEqual([...results].sort(), ['ok', 'replayed']);
      });

      it('consume() spends a code without issuing or revoking; a later redemption is a replay', async () => {
        const { user, client } = await owners();
        const grant = newGrant(client.id, user.id);
        const code = newCode(grant);
        await store.codes.save(grant, code);

        assert.equal(await store.codes.consume(code.hash, NOW + 1), true);
        assert.equal((await store.codes.find(code.hash))?.consumedAt, NOW + 1);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'the grant is left as it is');
        assert.equal(await store.codes.consume(code.hash, NOW + 2), false, 'spent once');
        assert.equal((await store.codes.find(code.hash))?.consumedAt, NOW + 1);
        assert.equal(await store.codes.consume('no-such-code', NOW + 2), false);

        const refresh = newRefresh(grant);
        assert.equal(await store.codes.redeem(code.hash, NOW + 3, { refresh }), 'replayed');
        assert.equal(await store.tokens.findRefresh(refresh.hash), undefined);
        assert.deepEqual(await audit(), []);
      });

      it('an unknown code answers replayed', async () => {
        assert.equal(await store.codes.redeem('no-such-code', NOW, {}), 'replayed');
      });
    });

    describe('sessions', () => {
      it('lists sessions seen in one second by id, the same on every dialect', async () => {
        const { user } = await owners();
        const tied = [1, 2, 3, 4].map(() => newSession(user.id, { lastSeenAt: NOW }));
        const later = newSession(user.id, { lastSeenAt: NOW + 1 });
        for (const session of [...tied, later]) await store.sessions.create(session);
        const byId = tied.map((s) => s.idHash).sort((x, y) => (x < y ? 1 : -1));
        assert.deepEqual(
          (await store.sessions.listActiveForUser(user.id, NOW)).map((s) => s.idHash),
          [later.idHash, ...byId],
        );
      });

      it('creates, finds, touches, lists and ends sessions', async () => {
        const { user } = await owners();
        const base = {
          userId: user.id,
          authTime: NOW,
          amr: ['pwd', 'otp'],
          userAgent: 'node:test',
          ip: '127.0.0.1',
          createdAt: NOW,
          lastSeenAt: NOW,
          expiresAt: NOW + 3600,
          endedAt: null,
        };
        await store.sessions.create({ ...base, idHash: 's1' });
        await store.sessions.create({ ...base, idHash: 's2' });
        await store.sessions.create({ ...base, idHash: 'old', expiresAt: NOW - 1 });
        await store.sessions.create({ ...base, idHash: 'kept', remember: true });
        assert.deepEqual(await store.sessions.find('s1'), {
          ...base,
          idHash: 's1',
          sid: null,
          remember: false,
        });
        assert.equal((await store.sessions.find('kept'))?.remember, true, '"Keep me signed in" is kept');
        assert.equal(await store.sessions.find('nope'), undefined);

        await store.sessions.touch('s2', NOW + 30, NOW + 7200);
        const touched = await store.sessions.find('s2');
        assert.equal(touched?.lastSeenAt, NOW + 30);
        assert.equal(touched?.expiresAt, NOW + 7200, 'a use moves the end on');
        await store.sessions.end('kept', NOW);
        assert.deepEqual(
          (await store.sessions.listActiveForUser(user.id, NOW)).map((s) => s.idHash),
          ['s2', 's1'],
          'most recently seen first, expired left out',
        );

        await store.sessions.end('s1', NOW + 40);
        assert.equal((await store.sessions.find('s1'))?.endedAt, NOW + 40);
        assert.deepEqual(
          (await store.sessions.listActiveForUser(user.id, NOW)).map((s) => s.idHash),
          ['s2'],
        );
      });

      it('logout() ends the session, revokes its grants but offline_access ones, and writes its audit row', async () => {
        const { user, client } = await owners();
        const session = newSession(user.id);
        const other = newSession(user.id);
        for (const s of [session, other]) await store.sessions.create(s);
        const online = newGrant(client.id, user.id, { sessionHash: session.idHash });
        const offline = newGrant(client.id, user.id, {
          sessionHash: session.idHash,
          scope: 'openid offline_access email',
        });
        const lookalike = newGrant(client.id, user.id, {
          sessionHash: session.idHash,
          scope: 'openid offline_accessory',
        });
        const elsewhere = newGrant(client.id, user.id, { sessionHash: other.idHash });
        for (const grant of [online, offline, lookalike, elsewhere]) await store.tokens.issue({ grant });
        const event = newEvent('logout', { userId: user.id, clientId: client.id });

        assert.equal(await store.sessions.logout(session.idHash, NOW + 1, event), 2);
        assert.equal((await store.sessions.find(session.idHash))?.endedAt, NOW + 1);
        assert.equal((await store.sessions.find(other.idHash))?.endedAt, null);
        assert.equal((await store.grants.find(online.id))?.revokedAt, NOW + 1);
        assert.equal((await store.grants.find(offline.id))?.revokedAt, null, 'offline_access is spared');
        assert.equal(
          (await store.grants.find(lookalike.id))?.revokedAt,
          NOW + 1,
          'a scope that only starts with offline_access is not',
        );
        assert.equal((await store.grants.find(elsewhere.id))?.revokedAt, null);
        assert.deepEqual(await audit(), [{ ...event, detail: { via: 'contract', revoked_grants: 2 } }]);
      });

      /** An authorization interaction bound to the browser `browserHash`. */
      async function savedInteraction(id: string, browserHash: string) {
        const interaction = {
          id,
          browserHash,
          data: { kind: 'authorize' },
          createdAt: NOW,
          expiresAt: NOW + 600,
        };
        await store.interactions.save(interaction);
        return interaction;
      }

      it('start() ends the previous session, creates the new one, moves and saves the interaction, writes its audit row', async () => {
        const { user, client } = await owners();
        const previous = newSession(user.id);
        await store.sessions.create(previous);
        await savedInteraction('int-s', 'old-b');
        const next = newSession(user.id, { createdAt: NOW + 5 });
        const event = {
          at: NOW + 5,
          type: 'login',
          userId: user.id,
          clientId: client.id,
          ip: '192.0.2.1',
          detail: { amr: ['pwd'] },
        };
        await store.sessions.start(
          next,
          previous.idHash,
          {
            id: 'int-s',
            data: { kind: 'authorize', loginAt: NOW + 5 },
            fromBrowserHash: 'old-b',
            toBrowserHash: 'new-b',
          },
          event,
        );
        assert.equal((await store.sessions.find(previous.idHash))?.endedAt, NOW + 5);
        // The same user's live session carried on: its sid too.
        assert.deepEqual(await store.sessions.find(next.idHash), {
          ...next,
          sid: sessionSid(previous.idHash),
        });
        const moved = await store.interactions.find('int-s');
        assert.equal(moved?.browserHash, 'new-b');
        assert.deepEqual(moved?.data, { kind: 'authorize', loginAt: NOW + 5 });
        assert.deepEqual(await audit(), [event]);
        // An interaction bound to another browser is neither moved nor changed.
        await store.sessions.start(
          newSession(user.id),
          null,
          { id: 'int-s', data: { hijacked: true }, fromBrowserHash: 'old-b', toBrowserHash: 'evil-b' },
          event,
        );
        assert.equal((await store.interactions.find('int-s'))?.browserHash, 'new-b');
      });

      it('start() moves the live grants of the same user’s previous session to the new one, not another user’s', async () => {
        const { user, client } = await owners();
        const other = newUser();
        await store.users.create(other);
        const previous = newSession(user.id);
        await store.sessions.create(previous);
        const live = newGrant(client.id, user.id, { sessionHash: previous.idHash });
        const revoked = newGrant(client.id, user.id, { sessionHash: previous.idHash, revokedAt: NOW });
        for (const grant of [live, revoked]) await store.tokens.issue({ grant });
        const next = newSession(user.id, { createdAt: NOW + 5 });
        const ended = await store.sessions.start(
          next,
          previous.idHash,
          null,
          newEvent('login', { userId: user.id }),
        );
        assert.equal(ended, null, 'the same user carries on: nobody is owed a logout');
        assert.equal(
          (await store.grants.find(live.id))?.sessionHash,
          next.idHash,
          'a logout of the new one revokes it',
        );
        assert.equal(
          (await store.grants.find(revoked.id))?.sessionHash,
          next.idHash,
          'its client holds the same sid, and hears of the end too',
        );
        // Back-Channel Logout §2.1: the session carried on keeps its sid, derived from the first one.
        assert.equal((await store.sessions.find(next.idHash))?.sid, sessionSid(previous.idHash));
        const third = newSession(user.id, { createdAt: NOW + 6 });
        await store.sessions.start(third, next.idHash, null, newEvent('login', { userId: user.id }));
        assert.equal((await store.sessions.find(third.idHash))?.sid, sessionSid(previous.idHash));
        // Another user signing in in the same browser does not inherit the first user's grants or sid; the
        // session it ended is returned (its clients are owed a logout).
        const theirs = newSession(other.id, { createdAt: NOW + 7 });
        assert.equal(
          await store.sessions.start(theirs, third.idHash, null, newEvent('login', { userId: other.id })),
          third.idHash,
        );
        assert.equal((await store.grants.find(live.id))?.sessionHash, third.idHash);
        assert.equal((await store.sessions.find(theirs.idHash))?.sid ?? null, null);
        // An ended session is owed nothing more.
        const again = newSession(user.id, { createdAt: NOW + 8 });
        assert.equal(
          await store.sessions.start(again, third.idHash, null, newEvent('login', { userId: user.id })),
          null,
        );
      });

      it('start() is all or nothing', async () => {
        const { user } = await owners();
        const previous = newSession(user.id);
        await store.sessions.create(previous);
        const interaction = await savedInteraction('int-t', 'old-b');
        const next = newSession(user.id);
        await assert.rejects(
          store.sessions.start(
            next,
            previous.idHash,
            { id: 'int-t', data: { loginAt: NOW }, fromBrowserHash: 'old-b', toBrowserHash: 'new-b' },
            REFUSED_EVENT,
          ),
        );
        assert.equal(
          (await store.sessions.find(previous.idHash))?.endedAt,
          null,
          'the old session is still active',
        );
        assert.equal(await store.sessions.find(next.idHash), undefined, 'no new session');
        assert.deepEqual(await store.interactions.find('int-t'), interaction, 'the interaction is as it was');
        assert.deepEqual(await audit(), []);
      });

      it('logout() is all or nothing', async () => {
        const { user, client } = await owners();
        const session = newSession(user.id);
        await store.sessions.create(session);
        const grant = newGrant(client.id, user.id, { sessionHash: session.idHash });
        await store.tokens.issue({ grant });

        await assert.rejects(store.sessions.logout(session.idHash, NOW + 1, REFUSED_EVENT));
        assert.equal(
          (await store.sessions.find(session.idHash))?.endedAt,
          null,
          'the session is still active',
        );
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'not revoked');
        assert.deepEqual(await audit(), []);
      });

      it('signOutEverywhere() ends every session and revokes every grant of the user, and writes its audit row', async () => {
        const { user, client } = await owners();
        const otherApp = newClient();
        await store.clients.create(otherApp);
        const someoneElse = newUser();
        await store.users.create(someoneElse);
        const mine = [
          newSession(user.id),
          newSession(user.id),
          newSession(user.id, { endedAt: NOW - 5 }),
          newSession(user.id, { expiresAt: NOW - 1 }),
        ];
        const theirs = newSession(someoneElse.id);
        for (const s of [...mine, theirs]) await store.sessions.create(s);
        const grants = [
          newGrant(client.id, user.id, { sessionHash: mine[0]!.idHash }),
          newGrant(client.id, user.id, { scope: 'openid offline_access' }),
          newGrant(otherApp.id, user.id),
        ];
        const done = newGrant(client.id, user.id, { revokedAt: NOW - 5 });
        const theirGrant = newGrant(client.id, someoneElse.id);
        for (const grant of [...grants, done, theirGrant]) await store.tokens.issue({ grant });
        const event = newEvent('sign_out_everywhere', { userId: user.id });

        assert.deepEqual(
          await store.sessions.signOutEverywhere(user.id, NOW + 1, event),
          { sessions: 3, grants: 3 },
          'the expired session is counted; the ended session and the revoked grant are not',
        );
        assert.deepEqual(await store.sessions.listActiveForUser(user.id, NOW), []);
        assert.equal(
          (await store.sessions.find(mine[2]!.idHash))?.endedAt,
          NOW - 5,
          'an ended session keeps its end',
        );
        assert.equal(
          (await store.sessions.find(mine[3]!.idHash))?.endedAt,
          NOW + 1,
          'an expired one ends too',
        );
        for (const grant of grants) assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 1);
        assert.equal(
          (await store.grants.find(done.id))?.revokedAt,
          NOW - 5,
          'a revoked grant keeps its time',
        );
        assert.equal((await store.sessions.find(theirs.idHash))?.endedAt, null);
        assert.equal((await store.grants.find(theirGrant.id))?.revokedAt, null);
        assert.deepEqual(await audit(), [{ ...event, detail: { via: 'contract', sessions: 3, grants: 3 } }]);
      });

      it('signOutEverywhere() is all or nothing', async () => {
        const { user, client } = await owners();
        const sessions = [newSession(user.id), newSession(user.id)];
        for (const s of sessions) await store.sessions.create(s);
        const grant = newGrant(client.id, user.id);
        await store.tokens.issue({ grant });

        await assert.rejects(store.sessions.signOutEverywhere(user.id, NOW + 1, REFUSED_EVENT));
        assert.equal(
          (await store.sessions.listActiveForUser(user.id, NOW)).length,
          2,
          'the sessions are still active',
        );
        assert.equal((await store.grants.find(grant.id))?.revokedAt, null, 'not revoked');
        assert.deepEqual(await audit(), []);
      });
    });

    describe('console sessions', () => {
      async function consoleSession(userId: string, clientId: string, over: Partial<ConsoleSession> = {}) {
        const grant = newGrant(clientId, userId);
        await store.tokens.issue({ grant });
        const row: ConsoleSession = {
          idHash: uniq('console-hash'),
          userId,
          grantId: grant.id,
          browserSessionHash: uniq('browser-session-hash'),
          createdAt: NOW,
          lastSeenAt: NOW,
          expiresAt: NOW + 900,
          ...over,
        };
        await store.consoleSessions.create(row);
        return row;
      }

      it('creates, finds, touches and deletes a console session, by the hash of its id', async () => {
        const { user, client } = await owners();
        const session = await consoleSession(user.id, client.id);
        assert.deepEqual(await store.consoleSessions.find(session.idHash), session);
        assert.equal(await store.consoleSessions.find('no-such-hash'), undefined);
        await store.consoleSessions.touch(session.idHash, NOW + 60, NOW + 960);
        assert.deepEqual(await store.consoleSessions.find(session.idHash), {
          ...session,
          lastSeenAt: NOW + 60,
          expiresAt: NOW + 960,
        });
        assert.equal(await store.consoleSessions.delete(session.idHash), true);
        assert.equal(await store.consoleSessions.delete(session.idHash), false);
        assert.equal(await store.consoleSessions.find(session.idHash), undefined);
      });

      it('deleteForUser() ends only that user’s console sessions; removing the user takes them too', async () => {
        const { user, client } = await owners();
        const other = newUser();
        await store.users.create(other);
        const mine = [await consoleSession(user.id, client.id), await consoleSession(user.id, client.id)];
        const theirs = await consoleSession(other.id, client.id);
        assert.equal(await store.consoleSessions.deleteForUser(user.id), 2);
        for (const row of mine) assert.equal(await store.consoleSessions.find(row.idHash), undefined);
        assert.deepEqual(await store.consoleSessions.find(theirs.idHash), theirs);
        await store.users.remove(other.id, newEvent('user_deleted'));
        assert.equal(await store.consoleSessions.find(theirs.idHash), undefined, 'goes with the user');
      });

      it('what ends all of a user’s sessions (disabling, sign out everywhere, a password change) deletes their console sessions', async () => {
        const { user, client } = await owners();
        const first = await consoleSession(user.id, client.id);
        await store.sessions.signOutEverywhere(user.id, NOW + 1, newEvent('signed_out_everywhere'));
        assert.equal(await store.consoleSessions.find(first.idHash), undefined, 'sign out everywhere');
        const second = await consoleSession(user.id, client.id);
        await store.users.changePassword(user.id, '$argon2id$other', NOW + 2, newEvent('password_changed'));
        assert.equal(await store.consoleSessions.find(second.idHash), undefined, 'password change');
        const third = await consoleSession(user.id, client.id);
        await store.users.update(user.id, { disabledAt: NOW + 3 }, NOW + 3, newEvent('user_disabled'));
        assert.equal(await store.consoleSessions.find(third.idHash), undefined, 'disabled');
      });

      it('the sweep deletes console sessions past their end', async () => {
        const { user, client } = await owners();
        const ended = await consoleSession(user.id, client.id, { expiresAt: NOW - 100 });
        const live = await consoleSession(user.id, client.id, { expiresAt: NOW + 100 });
        await store.sweep(NOW, 100, EVENT_RETENTION_SECONDS);
        assert.equal(await store.consoleSessions.find(ended.idHash), undefined);
        assert.deepEqual(await store.consoleSessions.find(live.idHash), live);
      });
    });

    describe('interactions', () => {
      it('saves, finds, updates and removes an interaction', async () => {
        const interaction = {
          id: 'int-1',
          browserHash: 'b-hash',
          data: { client_id: 'c', scope: ['openid'], nested: { ok: true } },
          createdAt: NOW,
          expiresAt: NOW + 600,
        };
        await store.interactions.save(interaction);
        assert.deepEqual(await store.interactions.find('int-1'), interaction);
        await store.interactions.update('int-1', { step: 'consent' });
        assert.deepEqual((await store.interactions.find('int-1'))?.data, { step: 'consent' });
        await store.interactions.remove('int-1');
        assert.equal(await store.interactions.find('int-1'), undefined);
      });
    });

    describe('consents', () => {
      it('merges added scopes', async () => {
        const { user, client } = await owners();
        assert.deepEqual(await store.consents.find(user.id, client.id), []);
        await store.consents.add(user.id, client.id, ['openid', 'profile'], NOW);
        await store.consents.add(user.id, client.id, ['profile', 'email'], NOW + 1);
        assert.deepEqual((await store.consents.find(user.id, client.id)).sort(), [
          'email',
          'openid',
          'profile',
        ]);
      });
    });

    describe('mfa', () => {
      /** A user with a confirmed factor (last step 100) and the recovery codes `a`, `b`, `c`. */
      async function enrolled(): Promise<{ user: NewUser; client: Client; factor: TotpFactor }> {
        const { user, client } = await owners();
        const factor = newFactor(user.id, { confirmedAt: NOW, lastStep: 100 });
        await store.mfa.enrollTotp(factor, ['a', 'b', 'c'], newEvent('mfa_enrolled', { userId: user.id }));
        return { user, client, factor };
      }

      it('beginTotp() replaces an unconfirmed factor, and is refused while a confirmed one exists', async () => {
        const { user } = await owners();
        assert.equal(await store.mfa.findTotp(user.id), undefined);
        const first = newFactor(user.id);
        assert.equal(await store.mfa.beginTotp(first), true);
        assert.deepEqual(await store.mfa.findTotp(user.id), first);
        const second = newFactor(user.id);
        assert.equal(await store.mfa.beginTotp(second), true);
        assert.deepEqual(
          await store.mfa.findTotp(user.id),
          second,
          'a restarted enrolment replaces the first',
        );
        assert.equal(
          await store.mfa.confirmTotp(user.id, second.id, 7, ['x'], NOW, newEvent('mfa_enrolled')),
          true,
        );
        assert.equal(await store.mfa.beginTotp(newFactor(user.id)), false);
        assert.deepEqual(await store.mfa.findTotp(user.id), { ...second, confirmedAt: NOW, lastStep: 7 });
      });

      it('confirmTotp() confirms once, the pending factor only, replacing the recovery codes with its audit row', async () => {
        const { user } = await owners();
        await store.mfa.replaceRecoveryCodes(user.id, ['old'], NOW, newEvent('recovery_codes_regenerated'));
        const factor = newFactor(user.id);
        await store.mfa.beginTotp(factor);
        const event = newEvent('mfa_enrolled', { userId: user.id });
        assert.equal(await store.mfa.confirmTotp(user.id, 'another-id', 5, ['new'], NOW, event), false);
        assert.equal(await store.mfa.confirmTotp(user.id, factor.id, 5, ['n1', 'n2'], NOW, event), true);
        assert.equal(await store.mfa.confirmTotp(user.id, factor.id, 6, ['n3'], NOW + 1, event), false);
        assert.deepEqual(await store.mfa.findTotp(user.id), { ...factor, confirmedAt: NOW, lastStep: 5 });
        assert.deepEqual((await store.mfa.unusedRecoveryCodes(user.id)).sort(), ['n1', 'n2']);
        assert.deepEqual(
          (await audit()).filter((e) => e.type === 'mfa_enrolled'),
          [event],
        );
      });

      it('acceptStep() accepts only a later step, and never for an unconfirmed factor', async () => {
        const pending = newUser();
        await store.users.create(pending);
        await store.mfa.beginTotp(newFactor(pending.id));
        assert.equal(await store.mfa.acceptStep(pending.id, 1), false);
        assert.equal(await store.mfa.acceptStep('no-such-user', 1), false);

        const { user } = await enrolled();
        assert.equal(await store.mfa.acceptStep(user.id, 99), false);
        assert.equal(await store.mfa.acceptStep(user.id, 100), false);
        assert.equal(await store.mfa.acceptStep(user.id, 101), true);
        assert.equal(await store.mfa.acceptStep(user.id, 101), false);
        assert.equal((await store.mfa.findTotp(user.id))?.lastStep, 101);
        const both = await Promise.all([
          store.mfa.acceptStep(user.id, 102),
          store.mfa.acceptStep(user.id, 102),
        ]);
        assert.deepEqual(both.sort(), [false, true], 'sent twice at once, accepted once');
      });

      it('withConfirmedTotp() names the listed users with a confirmed factor only', async () => {
        const { user: confirmed } = await enrolled();
        const pending = newUser();
        await store.users.create(pending);
        await store.mfa.beginTotp(newFactor(pending.id));
        const codesOnly = newUser();
        await store.users.create(codesOnly);
        await store.mfa.replaceRecoveryCodes(
          codesOnly.id,
          ['x'],
          NOW,
          newEvent('recovery_codes_regenerated'),
        );
        const { user: unlisted } = await enrolled();
        const none = newUser();
        await store.users.create(none);

        const found = await store.mfa.withConfirmedTotp([
          confirmed.id,
          pending.id,
          codesOnly.id,
          none.id,
          'no-such',
        ]);
        assert.deepEqual(
          [...found],
          [confirmed.id],
          'not an unconfirmed enrolment, recovery codes alone, nor unlisted',
        );
        assert.equal(found.has(unlisted.id), false);
        assert.deepEqual([...(await store.mfa.withConfirmedTotp([]))], []);
        const many = [...Array.from({ length: 1200 }, (_, i) => `nobody-${i}`), unlisted.id];
        assert.deepEqual(
          [...(await store.mfa.withConfirmedTotp(many))],
          [unlisted.id],
          'past one IN (…) chunk',
        );
      });

      it('useRecoveryCode() uses a code once, with its audit row', async () => {
        const { user } = await enrolled();
        const event = newEvent('recovery_code_used', { userId: user.id });
        assert.equal(await store.mfa.useRecoveryCode(user.id, 'b', NOW, event), true);
        assert.equal(await store.mfa.useRecoveryCode(user.id, 'b', NOW + 1, event), false);
        assert.equal(await store.mfa.useRecoveryCode(user.id, 'unknown', NOW, event), false);
        assert.deepEqual((await store.mfa.unusedRecoveryCodes(user.id)).sort(), ['a', 'c']);
        assert.equal((await audit()).filter((e) => e.type === 'recovery_code_used').length, 1);
      });

      it('replaceRecoveryCodes() voids the old set', async () => {
        const { user } = await enrolled();
        await store.mfa.useRecoveryCode(user.id, 'a', NOW, newEvent('recovery_code_used'));
        await store.mfa.replaceRecoveryCodes(
          user.id,
          ['d', 'e'],
          NOW,
          newEvent('recovery_codes_regenerated'),
        );
        assert.deepEqual((await store.mfa.unusedRecoveryCodes(user.id)).sort(), ['d', 'e']);
        assert.equal(
          await store.mfa.useRecoveryCode(user.id, 'b', NOW, newEvent('recovery_code_used')),
          false,
        );
        assert.equal(
          await store.mfa.useRecoveryCode(user.id, 'd', NOW, newEvent('recovery_code_used')),
          true,
        );
      });

      it('removeAll() removes the factor and the codes with its audit row; nothing to remove writes nothing', async () => {
        const { user } = await enrolled();
        const event = newEvent('mfa_disabled', { userId: user.id });
        assert.equal(await store.mfa.removeAll(user.id, event), true);
        assert.equal(await store.mfa.findTotp(user.id), undefined);
        assert.deepEqual(await store.mfa.unusedRecoveryCodes(user.id), []);
        assert.equal(await store.mfa.removeAll(user.id, newEvent('mfa_disabled')), false);
        assert.deepEqual(
          (await audit()).filter((e) => e.type === 'mfa_disabled'),
          [event],
        );
      });

      it('attemptToken() counts up to maxAttempts, and refuses expired, spent and unknown tokens', async () => {
        const { user, client } = await enrolled();
        const token = newMfaToken(client.id, user.id);
        await store.mfa.saveToken(token);
        assert.deepEqual(await store.mfa.findToken(token.hash), token);
        for (const attempts of [1, 2, 3])
          assert.deepEqual(await store.mfa.attemptToken(token.hash, NOW, 3), { ...token, attempts });
        assert.equal(await store.mfa.attemptToken(token.hash, NOW, 3), undefined);
        assert.equal(
          (await store.mfa.findToken(token.hash))?.attempts,
          3,
          'a refused attempt counts nothing',
        );

        const racing = newMfaToken(client.id, user.id);
        await store.mfa.saveToken(racing);
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.mfa.attemptToken(racing.hash, NOW, 5)),
        );
        assert.equal(results.filter(Boolean).length, 5, 'concurrent attempts never pass maxAttempts');

        const expired = newMfaToken(client.id, user.id, { expiresAt: NOW });
        await store.mfa.saveToken(expired);
        assert.equal(await store.mfa.attemptToken(expired.hash, NOW, 5), undefined);
        const spent = newMfaToken(client.id, user.id);
        await store.mfa.saveToken(spent);
        assert.equal(await store.mfa.spendToken(spent.hash, NOW), true);
        assert.equal(await store.mfa.attemptToken(spent.hash, NOW, 5), undefined);
        assert.equal(await store.mfa.attemptToken('no-such-hash', NOW, 5), undefined);
        assert.equal(await store.mfa.findToken('no-such-hash'), undefined);
      });

      it('spendToken() spends once', async () => {
        const { user, client } = await enrolled();
        const token = newMfaToken(client.id, user.id);
        await store.mfa.saveToken(token);
        assert.equal(await store.mfa.spendToken(token.hash, NOW + 1), true);
        assert.equal(await store.mfa.spendToken(token.hash, NOW + 2), false);
        assert.equal((await store.mfa.findToken(token.hash))?.spentAt, NOW + 1);
        assert.equal(await store.mfa.spendToken('no-such-hash', NOW), false);
      });

      it('removing the user takes the factor, the recovery codes and the mfa_tokens with it', async () => {
        const { user, client } = await enrolled();
        const token = newMfaToken(client.id, user.id);
        await store.mfa.saveToken(token);
        assert.equal(await store.users.remove(user.id, newEvent('user_removed')), true);
        assert.equal(await store.mfa.findTotp(user.id), undefined);
        assert.deepEqual(await store.mfa.unusedRecoveryCodes(user.id), []);
        assert.equal(await store.mfa.findToken(token.hash), undefined);
      });
    });

    describe('providers', () => {
      it('creates, finds and lists providers by slug; a taken slug answers false', async () => {
        const azure = newProvider({
          slug: 'azure',
          kind: 'azure',
          tenant: 'organizations',
          trustedTenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
          tokenAuth: 'client_secret_post',
        });
        const acme = newProvider({ slug: 'acme', enabled: false });
        assert.equal(await store.providers.create(azure), true);
        assert.equal(await store.providers.create(acme), true);
        assert.equal(await store.providers.create(newProvider({ slug: 'azure', name: 'Second' })), false);
        assert.deepEqual(await store.providers.find('azure'), azure);
        assert.equal(await store.providers.find('nope'), undefined);
        assert.deepEqual(await store.providers.list(), [acme, azure]);
      });

      it('setEnabled() and remove() answer false for an unknown slug', async () => {
        const p = newProvider();
        await store.providers.create(p);
        assert.equal(await store.providers.setEnabled(p.slug, false, NOW + 5), true);
        assert.deepEqual(await store.providers.find(p.slug), { ...p, enabled: false, updatedAt: NOW + 5 });
        assert.equal(await store.providers.setEnabled('nope', true, NOW + 5), false);
        assert.equal(await store.providers.remove(p.slug), true);
        assert.equal(await store.providers.remove(p.slug), false);
        assert.deepEqual(await store.providers.list(), []);
      });

      it('removing a provider leaves the identities linked through it', async () => {
        const p = newProvider();
        await store.providers.create(p);
        const user = newUser({ passwordHash: null });
        const identity = newIdentity(user.id, { providerSlug: p.slug, issuer: p.issuer });
        await store.identities.createUser(user, identity, newEvent('user_created'));
        await store.providers.remove(p.slug);
        assert.deepEqual(await store.identities.findByUser(user.id), identity);
      });
    });

    describe('identities', () => {
      it('createUser() creates the user and the link with its audit row, found by issuer + sub and by user', async () => {
        const user = newUser({ passwordHash: null });
        const identity = newIdentity(user.id);
        const event = newEvent('user_created', { detail: { via: 'contract', provider: 'google' } });
        const created = await store.identities.createUser(user, identity, event);
        assert.deepEqual(created, { ...user, updatedAt: user.createdAt });
        assert.deepEqual(await store.users.find(user.id), created);
        assert.deepEqual(await store.identities.find(identity.issuer, identity.subject), identity);
        assert.deepEqual(await store.identities.findByUser(user.id), identity);
        assert.equal(await store.identities.find(identity.issuer, 'other-sub'), undefined);
        assert.equal(
          await store.identities.find('https://other.example.test', identity.subject),
          undefined,
          'the same sub at another issuer is another identity',
        );
        assert.deepEqual(await audit(), [{ ...event, userId: user.id }]);
      });

      it('createUser() refuses a taken email or a taken identity, and writes nothing', async () => {
        const existing = newUser({ email: 'taken@example.test' });
        await store.users.create(existing);
        const byEmail = newUser({ email: 'taken@example.test', passwordHash: null });
        assert.equal(
          await store.identities.createUser(byEmail, newIdentity(byEmail.id), newEvent('user_created')),
          undefined,
        );
        assert.equal(await store.users.find(byEmail.id), undefined);
        assert.equal(await store.identities.findByUser(byEmail.id), undefined);

        const first = newUser({ passwordHash: null });
        const identity = newIdentity(first.id);
        await store.identities.createUser(first, identity, newEvent('user_created'));
        const second = newUser({ passwordHash: null });
        assert.equal(
          await store.identities.createUser(
            second,
            { ...identity, userId: second.id },
            newEvent('user_created'),
          ),
          undefined,
        );
        assert.equal(await store.users.find(second.id), undefined);
        assert.equal((await audit()).length, 1, 'only the first creation is written');
      });

      it('createUser() is all or nothing', async () => {
        const user = newUser({ passwordHash: null });
        const identity = newIdentity(user.id);
        await assert.rejects(store.identities.createUser(user, identity, REFUSED_EVENT));
        assert.equal(await store.users.find(user.id), undefined);
        assert.equal(await store.identities.find(identity.issuer, identity.subject), undefined);
      });

      it('link() links, removes the password, ends the other sessions but the given one, with its audit row', async () => {
        const { user, client } = await owners();
        const someoneElse = newUser();
        await store.users.create(someoneElse);
        const current = newSession(user.id);
        const others = [newSession(user.id), newSession(user.id)];
        const theirs = newSession(someoneElse.id);
        for (const s of [current, ...others, theirs]) await store.sessions.create(s);
        const grant = newGrant(client.id, user.id, { sessionHash: others[0]!.idHash });
        await store.tokens.issue({ grant });
        const identity = newIdentity(user.id);
        const event = newEvent('provider_linked', { userId: user.id });

        assert.equal(await store.identities.link(identity, current.idHash, NOW + 5, event), true);
        assert.deepEqual(await store.identities.findByUser(user.id), identity);
        const linked = await store.users.find(user.id);
        assert.equal(linked?.passwordHash, null, 'the password is gone');
        assert.equal(linked?.updatedAt, NOW + 5);
        assert.deepEqual(
          (await store.sessions.listActiveForUser(user.id, NOW)).map((s) => s.idHash),
          [current.idHash],
          'the session that linked goes on',
        );
        for (const s of others) assert.equal((await store.sessions.find(s.idHash))?.endedAt, NOW + 5);
        assert.equal(
          (await store.sessions.find(theirs.idHash))?.endedAt,
          null,
          'another user’s session stays',
        );
        assert.notEqual(
          (await store.grants.find(grant.id))?.revokedAt ?? null,
          null,
          'the other session’s grant is revoked',
        );
        assert.deepEqual(await audit(), [
          { ...event, detail: { via: 'contract', ended_sessions: 2, grants: 1 } },
        ]);
      });

      it('link() keeps the grants of the session that linked', async () => {
        const { user, client } = await owners();
        const current = newSession(user.id);
        await store.sessions.create(current);
        const kept = newGrant(client.id, user.id, { sessionHash: current.idHash });
        const direct = newGrant(client.id, user.id, { sessionHash: null });
        await store.tokens.issue({ grant: kept });
        await store.tokens.issue({ grant: direct });
        assert.equal(
          await store.identities.link(
            newIdentity(user.id),
            current.idHash,
            NOW + 5,
            newEvent('provider_linked'),
          ),
          true,
        );
        assert.equal((await store.grants.find(kept.id))?.revokedAt, null);
        assert.equal(
          (await store.grants.find(direct.id))?.revokedAt,
          NOW + 5,
          'a password grant’s family goes',
        );
      });

      it('link() without a session to keep ends them all', async () => {
        const { user } = await owners();
        const sessions = [newSession(user.id), newSession(user.id)];
        for (const s of sessions) await store.sessions.create(s);
        assert.equal(
          await store.identities.link(newIdentity(user.id), null, NOW + 5, newEvent('provider_linked')),
          true,
        );
        assert.deepEqual(await store.sessions.listActiveForUser(user.id, NOW), []);
      });

      it('link() refuses a second link for the user, and an identity linked to someone else', async () => {
        const { user } = await owners();
        const other = newUser();
        await store.users.create(other);
        const session = newSession(user.id);
        await store.sessions.create(session);
        const identity = newIdentity(user.id);
        assert.equal(await store.identities.link(identity, null, NOW + 1, newEvent('provider_linked')), true);
        assert.equal(
          await store.identities.link(newIdentity(user.id), null, NOW + 2, newEvent('provider_linked')),
          false,
          'one provider per user',
        );
        const otherSession = newSession(other.id);
        await store.sessions.create(otherSession);
        assert.equal(
          await store.identities.link(
            { ...identity, userId: other.id },
            null,
            NOW + 2,
            newEvent('provider_linked'),
          ),
          false,
          'an identity belongs to one user',
        );
        const untouched = await store.users.find(other.id);
        assert.equal(untouched?.passwordHash, other.passwordHash, 'the refused user keeps the password');
        assert.equal((await store.sessions.find(otherSession.idHash))?.endedAt, null, 'and the sessions');
        assert.equal(await store.identities.findByUser(other.id), undefined);
        assert.equal((await audit()).length, 1, 'refusals write nothing');
      });

      it('link() is all or nothing', async () => {
        const { user } = await owners();
        const session = newSession(user.id);
        await store.sessions.create(session);
        await assert.rejects(store.identities.link(newIdentity(user.id), null, NOW + 5, REFUSED_EVENT));
        assert.equal(await store.identities.findByUser(user.id), undefined);
        assert.equal((await store.users.find(user.id))?.passwordHash, user.passwordHash);
        assert.equal((await store.sessions.find(session.idHash))?.endedAt, null);
      });

      it('unlink() removes the link, ends the sessions, revokes the grants and saves the token, with its audit row', async () => {
        const { user, client } = await owners();
        const identity = newIdentity(user.id);
        await store.identities.link(identity, null, NOW, newEvent('provider_linked'));
        const sessions = [newSession(user.id), newSession(user.id)];
        for (const s of sessions) await store.sessions.create(s);
        const grants = [
          newGrant(client.id, user.id, { sessionHash: sessions[0]!.idHash }),
          newGrant(client.id, user.id, { scope: 'openid offline_access' }),
        ];
        for (const grant of grants) await store.tokens.issue({ grant });
        const token = newPasswordToken(user.id);
        const event = newEvent('provider_unlinked', { userId: user.id });

        assert.equal(await store.identities.unlink(user.id, token, NOW + 5, event), true);
        assert.equal(await store.identities.findByUser(user.id), undefined);
        assert.equal(await store.identities.find(identity.issuer, identity.subject), undefined);
        assert.deepEqual(await store.sessions.listActiveForUser(user.id, NOW), []);
        for (const grant of grants) assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 5);
        assert.deepEqual(await store.passwordTokens.find(token.hash), token);
        assert.deepEqual((await audit()).at(-1), {
          ...event,
          detail: { via: 'contract', sessions: 2, grants: 2 },
        });

        const again = newPasswordToken(user.id);
        assert.equal(
          await store.identities.unlink(user.id, again, NOW + 6, newEvent('provider_unlinked')),
          false,
        );
        assert.equal(await store.passwordTokens.find(again.hash), undefined, 'no link, no token');
      });

      it('unlink() is all or nothing', async () => {
        const { user } = await owners();
        const identity = newIdentity(user.id);
        await store.identities.link(identity, null, NOW, newEvent('provider_linked'));
        const session = newSession(user.id);
        await store.sessions.create(session);
        const token = newPasswordToken(user.id);
        await assert.rejects(store.identities.unlink(user.id, token, NOW + 5, REFUSED_EVENT));
        assert.deepEqual(await store.identities.findByUser(user.id), identity);
        assert.equal((await store.sessions.find(session.idHash))?.endedAt, null);
        assert.equal(await store.passwordTokens.find(token.hash), undefined);
      });

      it('removing the user takes the link and the password tokens with it', async () => {
        const user = newUser({ passwordHash: null });
        const identity = newIdentity(user.id);
        await store.identities.createUser(user, identity, newEvent('user_created'));
        const token = newPasswordToken(user.id);
        await store.passwordTokens.save(token);
        assert.equal(await store.users.remove(user.id, newEvent('user_removed')), true);
        assert.equal(await store.identities.findByUser(user.id), undefined);
        assert.equal(await store.identities.find(identity.issuer, identity.subject), undefined);
        assert.equal(await store.passwordTokens.find(token.hash), undefined);
        const again = newUser({ passwordHash: null });
        assert.ok(
          await store.identities.createUser(
            again,
            { ...identity, userId: again.id },
            newEvent('user_created'),
          ),
          'the upstream identity is free again',
        );
      });
    });

    describe('devices', () => {
      const signIn = (userId: string) => ({
        userId,
        sessionHash: 'session-hash',
        authTime: NOW,
        amr: ['pwd'],
      });

      it('creates an authorization with its audit row; a taken user code answers false and writes nothing', async () => {
        const { client } = await owners();
        const device = newDevice(client.id);
        const requested = newEvent('device_authorization_requested', { clientId: client.id });
        assert.equal(await store.devices.create(device, requested), true);
        assert.deepEqual(await store.devices.findByUserCode(device.userCodeHash), device);
        assert.equal(await store.devices.findByUserCode('no-such-code'), undefined);

        const clash = newDevice(client.id, { userCodeHash: device.userCodeHash });
        assert.equal(await store.devices.create(clash, newEvent('clash', { clientId: client.id })), false);
        assert.deepEqual(await store.devices.findByUserCode(device.userCodeHash), device);
        assert.equal(
          (await store.devices.poll(clash.deviceCodeHash, client.id, NOW * 1000)).status,
          'unknown',
        );
        assert.deepEqual(await audit(), [requested]);
      });

      it('approves a pending, unexpired authorization once, with the sign-in and its audit row', async () => {
        const { user, client } = await owners();
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        const approved = newEvent('device_approved', { userId: user.id });
        assert.equal(await store.devices.approve('no-such-code', signIn(user.id), NOW, approved), false);
        assert.equal(
          await store.devices.approve(device.userCodeHash, signIn(user.id), NOW + 1, approved),
          true,
        );
        assert.deepEqual(await store.devices.findByUserCode(device.userCodeHash), {
          ...device,
          ...signIn(user.id),
          status: 'approved',
        });
        assert.equal(
          await store.devices.approve(device.userCodeHash, signIn(user.id), NOW + 2, newEvent('again')),
          false,
        );
        assert.equal(await store.devices.deny(device.userCodeHash, NOW + 2, newEvent('deny')), false);
        assert.deepEqual(
          (await audit()).map((e) => e.type),
          ['requested', 'device_approved'],
        );

        const stale = newDevice(client.id);
        await store.devices.create(stale, newEvent('requested'));
        assert.equal(
          await store.devices.approve(stale.userCodeHash, signIn(user.id), stale.expiresAt, newEvent('late')),
          false,
          'expired',
        );
        assert.equal((await store.devices.findByUserCode(stale.userCodeHash))?.status, 'pending');
      });

      it('denies a pending authorization once; a denied one cannot be approved', async () => {
        const { user, client } = await owners();
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        assert.equal(await store.devices.deny(device.userCodeHash, NOW + 1, newEvent('device_denied')), true);
        assert.equal(await store.devices.deny(device.userCodeHash, NOW + 1, newEvent('again')), false);
        assert.equal(
          await store.devices.approve(device.userCodeHash, signIn(user.id), NOW + 1, newEvent('approve')),
          false,
        );
        assert.deepEqual(await store.devices.poll(device.deviceCodeHash, client.id, NOW * 1000), {
          status: 'denied',
        });
        assert.deepEqual(
          (await audit()).map((e) => e.type),
          ['requested', 'device_denied'],
        );
      });

      it("answers unknown to another client's poll without touching the row", async () => {
        const { client } = await owners();
        const other = newClient();
        await store.clients.create(other);
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        const at = NOW * 1000;
        assert.deepEqual(await store.devices.poll(device.deviceCodeHash, other.id, at), {
          status: 'unknown',
        });
        assert.deepEqual(await store.devices.poll('no-such-hash', client.id, at), { status: 'unknown' });
        assert.deepEqual(await store.devices.findByUserCode(device.userCodeHash), device);
        assert.deepEqual(await store.devices.poll(device.deviceCodeHash, client.id, at), {
          status: 'pending',
        });
      });

      it('answers slow_down to an early poll and grows the interval by 5 s each time', async () => {
        const { client } = await owners();
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        const hash = device.deviceCodeHash;
        let at = NOW * 1000;
        assert.deepEqual(await store.devices.poll(hash, client.id, at), { status: 'pending' });
        at += 5000;
        assert.deepEqual(await store.devices.poll(hash, client.id, at), { status: 'pending' }, 'exactly 5 s');
        at += 4999;
        assert.deepEqual(await store.devices.poll(hash, client.id, at), {
          status: 'slow_down',
          interval: 10,
        });
        at += 9999;
        assert.deepEqual(await store.devices.poll(hash, client.id, at), {
          status: 'slow_down',
          interval: 15,
        });
        at += 15000;
        assert.deepEqual(await store.devices.poll(hash, client.id, at), { status: 'pending' });
        const row = await store.devices.findByUserCode(device.userCodeHash);
        assert.equal(row?.interval, 15);
        assert.equal(row?.lastPollMs, at);
      });

      it('answers expired from its expiry on, whatever its status', async () => {
        const { user, client } = await owners();
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        await store.devices.approve(device.userCodeHash, signIn(user.id), NOW, newEvent('approved'));
        const end = device.expiresAt * 1000;
        assert.equal(
          (await store.devices.poll(device.deviceCodeHash, client.id, end - 1)).status,
          'approved',
        );
        assert.deepEqual(await store.devices.poll(device.deviceCodeHash, client.id, end), {
          status: 'expired',
        });
        assert.equal(await store.devices.redeem(device.deviceCodeHash, device.expiresAt, {}), false);
      });

      it('redeems an approved authorization once, writing its tokens in the same unit of work', async () => {
        const { user, client } = await owners();
        const device = newDevice(client.id);
        await store.devices.create(device, newEvent('requested'));
        const grant = newGrant(client.id, user.id);
        const refresh = newRefresh(grant);
        const login = newEvent('login', { userId: user.id, clientId: client.id });
        assert.equal(
          await store.devices.redeem(device.deviceCodeHash, NOW, { grant, refresh }),
          false,
          'pending',
        );
        assert.equal(await store.grants.find(grant.id), undefined);

        await store.devices.approve(device.userCodeHash, signIn(user.id), NOW, newEvent('approved'));
        const polled = await store.devices.poll(device.deviceCodeHash, client.id, NOW * 1000);
        assert.equal(polled.status, 'approved');
        assert.equal(polled.status === 'approved' && polled.authorization.userId, user.id);
        assert.equal(
          await store.devices.redeem(device.deviceCodeHash, NOW, { grant, refresh, event: login }),
          true,
        );
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.deepEqual(await store.tokens.findRefresh(refresh.hash), refresh);
        assert.deepEqual(await store.devices.poll(device.deviceCodeHash, client.id, NOW * 1000), {
          status: 'redeemed',
        });

        const second = newGrant(client.id, user.id);
        assert.equal(await store.devices.redeem(device.deviceCodeHash, NOW, { grant: second }), false);
        assert.equal(await store.grants.find(second.id), undefined);
        assert.deepEqual(
          (await audit()).map((e) => e.type),
          ['requested', 'approved', 'login'],
        );
      });

      it('is swept once expired', async () => {
        const { client } = await owners();
        const expired = newDevice(client.id, { expiresAt: NOW - 1 });
        const live = newDevice(client.id, { expiresAt: NOW + 1 });
        await store.devices.create(expired, newEvent('requested'));
        await store.devices.create(live, newEvent('requested'));
        await store.sweep(NOW, 100, EVENT_RETENTION_SECONDS);
        assert.equal(await store.devices.findByUserCode(expired.userCodeHash), undefined);
        assert.deepEqual(await store.devices.findByUserCode(live.userCodeHash), live);
      });
    });

    describe('passwordTokens', () => {
      it('redeem() sets the password hash, ends the sessions, revokes the grants, once, with its audit row', async () => {
        const { user, client } = await owners();
        const sessions = [newSession(user.id), newSession(user.id)];
        for (const s of sessions) await store.sessions.create(s);
        const grant = newGrant(client.id, user.id);
        await store.tokens.issue({ grant });
        const token = newPasswordToken(user.id);
        await store.passwordTokens.save(token);
        const event = newEvent('password_set', { detail: { via: 'contract' } });

        assert.equal(await store.passwordTokens.redeem(token.hash, '$argon2id$set', NOW + 5, event), true);
        const changed = await store.users.find(user.id);
        assert.equal(changed?.passwordHash, '$argon2id$set');
        assert.equal(changed?.updatedAt, NOW + 5);
        assert.deepEqual(await store.sessions.listActiveForUser(user.id, NOW), []);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 5);
        assert.equal((await store.passwordTokens.find(token.hash))?.usedAt, NOW + 5);
        assert.deepEqual(await audit(), [
          { ...event, userId: user.id, detail: { via: 'contract', sessions: 2, grants: 1 } },
        ]);

        assert.equal(
          await store.passwordTokens.redeem(token.hash, '$argon2id$again', NOW + 6, newEvent('password_set')),
          false,
          'single use',
        );
        assert.equal((await store.users.find(user.id))?.passwordHash, '$argon2id$set');
        assert.equal((await audit()).length, 1);
      });

      it('redeem() refuses an expired or unknown token', async () => {
        const { user } = await owners();
        const token = newPasswordToken(user.id, { expiresAt: NOW + 60 });
        await store.passwordTokens.save(token);
        assert.equal(
          await store.passwordTokens.redeem(token.hash, '$argon2id$late', NOW + 60, newEvent('password_set')),
          false,
        );
        assert.equal(
          await store.passwordTokens.redeem('no-such-hash', '$argon2id$x', NOW, newEvent('password_set')),
          false,
        );
        assert.equal((await store.users.find(user.id))?.passwordHash, user.passwordHash);
        assert.equal((await store.passwordTokens.find(token.hash))?.usedAt, null);
        assert.deepEqual(await audit(), []);
        assert.equal(
          await store.passwordTokens.redeem(
            token.hash,
            '$argon2id$in-time',
            NOW + 59,
            newEvent('password_set'),
          ),
          true,
        );
      });

      it('redeem() is all or nothing', async () => {
        const { user } = await owners();
        const session = newSession(user.id);
        await store.sessions.create(session);
        const token = newPasswordToken(user.id);
        await store.passwordTokens.save(token);
        await assert.rejects(
          store.passwordTokens.redeem(token.hash, '$argon2id$set', NOW + 5, REFUSED_EVENT),
        );
        assert.equal((await store.users.find(user.id))?.passwordHash, user.passwordHash);
        assert.equal((await store.passwordTokens.find(token.hash))?.usedAt, null, 'the token is still live');
        assert.equal((await store.sessions.find(session.idHash))?.endedAt, null);
      });

      // Issue 15: a link mailed before a password change is void after it, whichever way the password changed.
      it("every password change voids the user's other unused tokens (and no one else's)", async () => {
        const { user } = await owners();
        const other = newUser();
        await store.users.create(other);
        const othersToken = newPasswordToken(other.id, { purpose: 'reset' });
        await store.passwordTokens.save(othersToken);

        // users.changePassword (the CLI, the account page).
        const reset = newPasswordToken(user.id, { purpose: 'reset' });
        const invite = newPasswordToken(user.id, { purpose: 'invite' });
        for (const t of [reset, invite]) await store.passwordTokens.save(t);
        await store.users.changePassword(user.id, '$argon2id$changed', NOW + 5, newEvent('password_changed'));
        for (const t of [reset, invite]) {
          assert.equal((await store.passwordTokens.find(t.hash))?.usedAt, NOW + 5);
          assert.equal(
            await store.passwordTokens.redeem(t.hash, '$argon2id$late', NOW + 6, newEvent('password_set')),
            false,
          );
        }
        assert.equal((await store.users.find(user.id))?.passwordHash, '$argon2id$changed');

        // passwordTokens.redeem: the token spent and every other one of the user.
        const first = newPasswordToken(user.id, { purpose: 'reset' });
        const second = newPasswordToken(user.id, { purpose: 'reset' });
        for (const t of [first, second]) await store.passwordTokens.save(t);
        assert.equal(
          await store.passwordTokens.redeem(first.hash, '$argon2id$r', NOW + 7, newEvent('password_set')),
          true,
        );
        assert.equal((await store.passwordTokens.find(second.hash))?.usedAt, NOW + 7);
        assert.equal(
          await store.passwordTokens.redeem(second.hash, '$argon2id$r2', NOW + 8, newEvent('password_set')),
          false,
        );

        // identities.link removes the password: a link mailed before must not bring one back.
        const beforeLink = newPasswordToken(user.id, { purpose: 'reset' });
        await store.passwordTokens.save(beforeLink);
        assert.equal(
          await store.identities.link(newIdentity(user.id), null, NOW + 9, newEvent('provider_linked')),
          true,
        );
        assert.equal((await store.passwordTokens.find(beforeLink.hash))?.usedAt, NOW + 9);
        assert.equal((await store.users.find(user.id))?.passwordHash, null);

        assert.equal(
          (await store.passwordTokens.find(othersToken.hash))?.usedAt,
          null,
          "another user's link lives",
        );
      });

      it('redeem() of a reset or invite token (it came by mail) verifies the email; a set token does not', async () => {
        for (const [purpose, verified] of [
          ['reset', true],
          ['invite', true],
          ['set', false],
        ] as const) {
          const user = newUser({ emailVerified: false });
          await store.users.create(user);
          const token = newPasswordToken(user.id, { purpose });
          await store.passwordTokens.save(token);
          assert.equal(
            await store.passwordTokens.redeem(token.hash, '$argon2id$p', NOW + 1, newEvent('password_set')),
            true,
          );
          assert.equal((await store.users.find(user.id))?.emailVerified, verified, purpose);
        }
      });
    });

    describe('throttle', () => {
      const rule = { free: 3, baseMs: 1000, maxMs: 8000, forgetMs: 3_600_000 };
      const T0 = NOW * 1000;

      it('reserve() lets `free` attempts through, then refuses until the wait is over, doubling it', async () => {
        for (let i = 0; i < 3; i++)
          assert.deepEqual(await store.throttle.reserve([{ key: 'k', rule }], T0), { allowed: true });
        assert.deepEqual(await store.throttle.reserve([{ key: 'k', rule }], T0), {
          allowed: false,
          retryAfterMs: 1000,
        });
        assert.deepEqual(await store.throttle.reserve([{ key: 'k', rule }], T0 + 1000), { allowed: true });
        assert.deepEqual(await store.throttle.reserve([{ key: 'k', rule }], T0 + 1000), {
          allowed: false,
          retryAfterMs: 2000,
        });
        assert.deepEqual(
          await store.throttle.reserve([{ key: 'other', rule }], T0),
          { allowed: true },
          'keys are apart',
        );
      });

      it('reserve() is atomic: attempts sent at once get exactly `free` passes', async () => {
        const verdicts = await Promise.all(
          Array.from({ length: 20 }, () => store.throttle.reserve([{ key: 'burst', rule }], T0)),
        );
        assert.equal(verdicts.filter((v) => v.allowed).length, 3);
      });

      it('reserve() over several keys is all or nothing: a waiting key refuses, and counts on none', async () => {
        const loose = { ...rule, free: 100 };
        const both = [
          { key: 'acct+addr', rule },
          { key: 'acct', rule: loose },
        ];
        for (let i = 0; i < 3; i++) assert.equal((await store.throttle.reserve(both, T0)).allowed, true);
        assert.deepEqual(await store.throttle.reserve(both, T0), { allowed: false, retryAfterMs: 1000 });
        assert.equal(await store.throttle.fail('acct', T0, loose), 4, 'the refused attempt was not counted');
        await store.throttle.reset('acct+addr', 'acct');
        assert.equal((await store.throttle.reserve(both, T0)).allowed, true);
      });

      it('fail() counts, reset() forgets, a key idle past forgetMs starts again, the wait is capped', async () => {
        for (let i = 1; i <= 10; i++) assert.equal(await store.throttle.fail('f', T0, rule), i);
        assert.deepEqual(await store.throttle.reserve([{ key: 'f', rule }], T0), {
          allowed: false,
          retryAfterMs: 8000,
        });
        await store.throttle.reset('f');
        assert.deepEqual(await store.throttle.reserve([{ key: 'f', rule }], T0), { allowed: true });
        for (let i = 0; i < 5; i++) await store.throttle.fail('g', T0, rule);
        assert.equal(await store.throttle.fail('g', T0 + rule.forgetMs + 1, rule), 1);
      });

      it('a rule that only counts (free: Number.MAX_SAFE_INTEGER, as the MFA step says) counts and never waits', async () => {
        const counting = { free: Number.MAX_SAFE_INTEGER, baseMs: 0, maxMs: 0, forgetMs: 3_600_000 };
        for (let i = 1; i <= 3; i++) assert.equal(await store.throttle.fail('n', T0, counting), i);
        assert.deepEqual(await store.throttle.reserve([{ key: 'n', rule: counting }], T0), { allowed: true });
        assert.equal(await store.throttle.fail('n', T0, counting), 5, 'the reserve counted one');
      });

      it('prune() deletes keys idle since before the cut-off, at most `limit`', async () => {
        for (const k of ['a', 'b', 'c']) await store.throttle.fail(k, T0, rule);
        await store.throttle.fail('recent', T0 + 10_000, rule);
        assert.equal(await store.throttle.prune(T0 + 1, 2), 2);
        assert.equal(await store.throttle.prune(T0 + 1, 10), 1);
        assert.equal(await store.throttle.fail('recent', T0 + 10_000, rule), 2, 'the recent key stayed');
      });
    });

    describe('events', () => {
      it('lists events newest first, up to the limit', async () => {
        for (const type of ['first', 'second', 'third'])
          await store.events.add({
            at: NOW,
            type,
            userId: null,
            clientId: 'c1',
            ip: '127.0.0.1',
            detail: { type },
          });
        const events = await store.events.list(2);
        assert.deepEqual(
          events.map((e) => e.type),
          ['third', 'second'],
        );
        assert.deepEqual(events[0]?.detail, { type: 'third' });
        assert.equal(events[0]?.clientId, 'c1');
        assert.equal((await store.events.list(10)).length, 3);
      });

      it('recordFailure() counts repeated failures of one kind in one row within the window', async () => {
        const failure = (at: number, over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
          at,
          type: 'login_failed',
          userId: null,
          clientId: null,
          ip: '192.0.2.1',
          detail: null,
          ...over,
        });
        for (let i = 0; i < 5; i++) await store.events.recordFailure(failure(NOW + i), 300);
        assert.deepEqual(await audit(), [failure(NOW, { detail: { count: 5, lastAt: NOW + 4 } })]);

        // Another IP, user, client or type is another row; so is the same one once the window has gone by.
        await store.events.recordFailure(failure(NOW + 5, { ip: '192.0.2.2' }), 300);
        await store.events.recordFailure(failure(NOW + 5, { userId: 'u1' }), 300);
        await store.events.recordFailure(
          failure(NOW + 5, { clientId: 'c1', detail: { method: 'basic' } }),
          300,
        );
        await store.events.recordFailure(failure(NOW + 5, { type: 'client_auth_failed' }), 300);
        await store.events.recordFailure(failure(NOW + 301), 300);
        await store.events.recordFailure(
          failure(NOW + 302, { clientId: 'c1', detail: { method: 'basic' } }),
          300,
        );
        assert.deepEqual(await audit(), [
          failure(NOW, { detail: { count: 5, lastAt: NOW + 4 } }),
          failure(NOW + 5, { ip: '192.0.2.2', detail: { count: 1 } }),
          failure(NOW + 5, { userId: 'u1', detail: { count: 1 } }),
          failure(NOW + 5, { clientId: 'c1', detail: { method: 'basic', count: 2, lastAt: NOW + 302 } }),
          failure(NOW + 5, { type: 'client_auth_failed', detail: { count: 1 } }),
          failure(NOW + 301, { detail: { count: 1 } }),
        ]);
      });

      it('recordFailure() never counts into a row written by add()', async () => {
        await store.events.add({
          at: NOW,
          type: 'login',
          userId: 'u1',
          clientId: null,
          ip: null,
          detail: null,
        });
        await store.events.recordFailure(
          { at: NOW, type: 'login_failed', userId: 'u1', clientId: null, ip: null, detail: null },
          300,
        );
        assert.deepEqual(
          (await audit()).map((e) => [e.type, e.detail]),
          [
            ['login', null],
            ['login_failed', { count: 1 }],
          ],
        );
      });
    });

    describe('bulk', () => {
      it('inserts users and issued tokens in one go', async () => {
        const client = newClient();
        await store.clients.create(client);
        const users = [newUser(), newUser({ passwordHash: null, roles: [] })];
        const issued: Issued[] = users.map((u) => {
          const grant = newGrant(client.id, u.id);
          return { grant, refresh: newRefresh(grant) };
        });
        await store.bulk.insert(users, []);
        await store.bulk.insert([], issued);
        assert.equal(await store.users.count(), 2);
        assert.deepEqual(await store.users.find(users[1]!.id), {
          ...users[1],
          updatedAt: users[1]!.createdAt,
        });
        for (const i of issued) assert.deepEqual(await store.tokens.findRefresh(i.refresh!.hash), i.refresh);
      });
    });

    describe('admin writes (issue 12)', () => {
      describe('users', () => {
        it('create() with an event writes both or neither; findByUsername() finds the username', async () => {
          const user = newUser({ username: 'ada.l', groups: ['eng'], managedBy: 'config' });
          const event = newEvent('user_created', { userId: user.id, actor: 'cli' });
          const created = await store.users.create(user, event);
          assert.deepEqual(created, { ...user, updatedAt: user.createdAt });
          assert.deepEqual(await store.users.findByUsername('ada.l'), created);
          assert.equal(await store.users.findByUsername('ADA.L'), undefined, 'usernames match exactly');
          assert.deepEqual(await audit(), [event]);
          const refused = newUser();
          await assert.rejects(store.users.create(refused, REFUSED_EVENT));
          assert.equal(await store.users.find(refused.id), undefined, 'rolled back with its row');
        });

        it('page() orders by (createdAt, id), starts after the key, and filters', async () => {
          const rows = [
            newUser({ id: 'u-b', createdAt: NOW, email: 'b@example.test', roles: ['admin'] }),
            newUser({ id: 'u-a', createdAt: NOW, email: 'a@example.test', roles: [] }),
            newUser({ id: 'u-c', createdAt: NOW + 1, email: 'c@x.test', name: '50%_off', roles: [] }),
            newUser({ id: 'u-d', createdAt: NOW - 1, email: 'd@example.test', username: 'Dee', roles: [] }),
            newUser({
              id: 'u-e',
              createdAt: NOW + 2,
              email: 'e@example.test',
              disabledAt: NOW,
              roles: ['auditor'],
            }),
          ];
          for (const u of rows) await store.users.create(u);
          const ids = async (q: Parameters<Store['users']['page']>[0]) =>
            (await store.users.page(q)).map((u) => u.id);
          assert.deepEqual(await ids({ limit: 10 }), ['u-d', 'u-a', 'u-b', 'u-c', 'u-e']);
          assert.deepEqual(await ids({ limit: 2 }), ['u-d', 'u-a']);
          assert.deepEqual(await ids({ limit: 2, after: { createdAt: NOW, id: 'u-a' } }), ['u-b', 'u-c']);
          assert.deepEqual(await ids({ limit: 10, after: { createdAt: NOW + 2, id: 'u-e' } }), []);
          assert.deepEqual(await ids({ limit: 10, query: 'EXAMPLE' }), ['u-d', 'u-a', 'u-b', 'u-e']);
          assert.deepEqual(await ids({ limit: 10, query: 'dee' }), ['u-d'], 'the username');
          assert.deepEqual(await ids({ limit: 10, query: '%_' }), ['u-c'], 'wildcards are literal');
          assert.deepEqual(await ids({ limit: 10, query: '_' }), ['u-c']);
          assert.deepEqual(await ids({ limit: 10, role: 'admin' }), ['u-b']);
          assert.deepEqual(await ids({ limit: 10, disabled: true }), ['u-e']);
          assert.deepEqual(await ids({ limit: 10, disabled: false, role: 'auditor' }), []);
        });

        it('update() changes the named fields with its row; disabling ends the sessions and revokes the grants', async () => {
          const { user, client } = await owners();
          const other = newUser();
          await store.users.create(other);
          const session = newSession(user.id);
          const ended = newSession(user.id, { endedAt: NOW - 5 });
          const theirs = newSession(other.id);
          for (const s of [session, ended, theirs]) await store.sessions.create(s);
          const grant = newGrant(client.id, user.id);
          const refresh = newRefresh(grant);
          const otherGrant = newGrant(client.id, other.id);
          await store.tokens.issue({ grant, refresh });
          await store.tokens.issue({ grant: otherGrant });

          const renamed = newEvent('user_updated', { userId: user.id, detail: { changed: ['name'] } });
          const first = await store.users.update(
            user.id,
            { name: 'Ada King', groups: ['eng'] },
            NOW + 1,
            renamed,
          );
          assert.equal(first.status, 'updated');
          assert.ok(first.status === 'updated');
          assert.equal(first.user.name, 'Ada King');
          assert.deepEqual(first.user.groups, ['eng']);
          assert.equal(first.user.updatedAt, NOW + 1);
          assert.equal(first.user.email, user.email, 'the rest stays');
          assert.deepEqual([first.sessions, first.grants], [0, 0]);
          assert.equal(
            (await store.sessions.find(session.idHash))?.endedAt,
            null,
            'a plain change ends nothing',
          );

          const disabling = newEvent('user_disabled', { userId: user.id, detail: { changed: ['disabled'] } });
          const second = await store.users.update(user.id, { disabledAt: NOW + 2 }, NOW + 2, disabling);
          assert.ok(second.status === 'updated');
          assert.equal(second.user.disabledAt, NOW + 2);
          assert.deepEqual([second.sessions, second.grants], [1, 1]);
          assert.equal((await store.sessions.find(session.idHash))?.endedAt, NOW + 2);
          assert.equal(
            (await store.sessions.find(ended.idHash))?.endedAt,
            NOW - 5,
            'an ended one stays as it was',
          );
          assert.equal((await store.grants.find(grant.id))?.revokedAt, NOW + 2);
          assert.equal((await store.sessions.find(theirs.idHash))?.endedAt, null);
          assert.equal((await store.grants.find(otherGrant.id))?.revokedAt, null);
          assert.deepEqual(await audit(), [
            renamed,
            { ...disabling, detail: { changed: ['disabled'], sessions: 1, grants: 1 } },
          ]);

          const enabled = await store.users.update(
            user.id,
            { disabledAt: null },
            NOW + 3,
            newEvent('user_enabled'),
          );
          assert.ok(enabled.status === 'updated');
          assert.equal(enabled.user.disabledAt, null);
        });

        it('update() answers taken for another user’s email or username and not_found, writing nothing', async () => {
          const a = newUser({ username: 'alpha' });
          const b = newUser({ username: 'beta' });
          await store.users.create(a);
          await store.users.create(b);
          const event = newEvent('user_updated');
          assert.deepEqual(await store.users.update(b.id, { email: a.email }, NOW + 1, event), {
            status: 'taken',
            field: 'email',
          });
          assert.deepEqual(await store.users.update(b.id, { name: 'x', username: 'alpha' }, NOW + 1, event), {
            status: 'taken',
            field: 'username',
          });
          assert.deepEqual(await store.users.update('no-such-user', { name: 'x' }, NOW + 1, event), {
            status: 'not_found',
          });
          assert.deepEqual(await store.users.find(b.id), { ...b, updatedAt: b.createdAt }, 'b is unchanged');
          assert.deepEqual(await audit(), []);
          // Its own values are not "taken"; clearing a username frees it.
          const same = await store.users.update(b.id, { email: b.email, username: 'beta' }, NOW + 1, event);
          assert.equal(same.status, 'updated');
          const freed = await store.users.update(a.id, { username: null }, NOW + 2, event);
          assert.ok(freed.status === 'updated');
          assert.equal(freed.user.username, null);
          assert.equal(
            (await store.users.update(b.id, { username: 'alpha' }, NOW + 3, event)).status,
            'updated',
          );
        });

        it('update() is all or nothing, disabling included', async () => {
          const { user, client } = await owners();
          const session = newSession(user.id);
          await store.sessions.create(session);
          const grant = newGrant(client.id, user.id);
          await store.tokens.issue({ grant });
          await assert.rejects(
            store.users.update(user.id, { disabledAt: NOW, name: 'x' }, NOW, REFUSED_EVENT),
          );
          const after = await store.users.find(user.id);
          assert.equal(after?.disabledAt, null);
          assert.equal(after?.name, user.name);
          assert.equal((await store.sessions.find(session.idHash))?.endedAt, null);
          assert.equal((await store.grants.find(grant.id))?.revokedAt, null);
          assert.deepEqual(await audit(), []);
        });
      });

      describe('clients', () => {
        it('create() with an event writes both or neither', async () => {
          const client = newClient({ roles: ['auditor'], managedBy: 'config' });
          const event = newEvent('client_created', { clientId: client.id });
          await store.clients.create(client, event);
          assert.deepEqual(await store.clients.find(client.id), client);
          assert.deepEqual(await audit(), [event]);
          const refused = newClient({ redirectUris: ['https://app.example.test/cb'] });
          await assert.rejects(store.clients.create(refused, REFUSED_EVENT));
          assert.equal(await store.clients.find(refused.id), undefined);
        });

        it('update() replaces every field and URI but id and createdAt, with its row; find() sees it at once', async () => {
          const client = newClient({ redirectUris: ['https://a.example.test/cb'], resources: ['urn:a'] });
          await store.clients.create(client);
          assert.equal((await store.clients.find(client.id))?.name, client.name, 'cached before the change');
          const changed: Client = {
            ...client,
            name: 'Renamed',
            createdAt: NOW + 100,
            updatedAt: NOW + 5,
            redirectUris: ['https://b.example.test/cb'],
            postLogoutRedirectUris: ['https://b.example.test/bye'],
            resources: [],
            scopes: ['openid', 'admin'],
            roles: ['admin'],
            firstParty: true,
            tokenFormat: 'opaque',
            secretHash: 'new-hash',
          };
          const event = newEvent('client_updated', { clientId: client.id, detail: { changed: ['name'] } });
          assert.equal(await store.clients.update(changed, event), true);
          assert.deepEqual(await store.clients.find(client.id), { ...changed, createdAt: client.createdAt });
          assert.deepEqual(await audit(), [event]);
          assert.equal(await store.clients.update(newClient(), event), false, 'no such client');
          assert.equal((await audit()).length, 1, 'nothing written for it');
        });

        it('update() is all or nothing', async () => {
          const client = newClient({ redirectUris: ['https://a.example.test/cb'] });
          await store.clients.create(client);
          await assert.rejects(
            store.clients.update({ ...client, name: 'Renamed', redirectUris: [] }, REFUSED_EVENT),
          );
          assert.deepEqual(await store.clients.find(client.id), client);
        });

        it('page() orders by (createdAt, id), starts after the key, and finds a part of the name or id', async () => {
          const rows = [
            newClient({ id: 'c-b', createdAt: NOW, name: 'Billing' }),
            newClient({ id: 'c-a', createdAt: NOW, name: 'Accounts' }),
            newClient({ id: 'zz-top', createdAt: NOW - 1, name: 'Top 100%' }),
          ];
          for (const c of rows) await store.clients.create(c);
          const ids = async (q: Parameters<Store['clients']['page']>[0]) =>
            (await store.clients.page(q)).map((c) => c.id);
          assert.deepEqual(await ids({ limit: 10 }), ['zz-top', 'c-a', 'c-b']);
          assert.deepEqual(await ids({ limit: 1, after: { createdAt: NOW, id: 'c-a' } }), ['c-b']);
          assert.deepEqual(await ids({ limit: 10, query: 'BILL' }), ['c-b']);
          assert.deepEqual(await ids({ limit: 10, query: 'c-' }), ['c-a', 'c-b'], 'the id');
          assert.deepEqual(await ids({ limit: 10, query: '0%' }), ['zz-top']);
          assert.deepEqual((await store.clients.page({ limit: 1 }))[0]?.redirectUris, [], 'whole clients');
        });

        it('remove() takes everything issued to the client with its row, and leaves another client’s', async () => {
          const { user, client } = await owners();
          const other = newClient();
          await store.clients.create(other);
          const grant = newGrant(client.id, user.id);
          const refresh = newRefresh(grant);
          const access = newOpaque(client.id, { grantId: grant.id, userId: user.id });
          const ccAccess = newOpaque(client.id);
          await store.tokens.issue({ grant, refresh, access });
          await store.tokens.issue({ access: ccAccess });
          const codeGrant = newGrant(client.id, user.id);
          const code = newCode(codeGrant);
          await store.codes.save(codeGrant, code);
          await store.consents.add(user.id, client.id, ['openid'], NOW);
          const device = newDevice(client.id);
          await store.devices.create(device, newEvent('device_authorization'));
          const mfaToken = newMfaToken(client.id, user.id);
          await store.mfa.saveToken(mfaToken);
          const otherGrant = newGrant(other.id, user.id);
          const otherAccess = newOpaque(other.id);
          await store.tokens.issue({ grant: otherGrant, access: otherAccess });
          await store.consents.add(user.id, other.id, ['openid'], NOW);
          const before = await audit();

          const event = newEvent('client_removed', { clientId: client.id });
          assert.equal(await store.clients.remove(client.id, event), true);
          assert.equal(await store.clients.find(client.id), undefined);
          assert.equal(await store.grants.find(grant.id), undefined);
          assert.equal(await store.grants.find(codeGrant.id), undefined);
          assert.equal(await store.tokens.findRefresh(refresh.hash), undefined);
          assert.equal(await store.tokens.findOpaqueAccess(access.hash), undefined);
          assert.equal(await store.tokens.findOpaqueAccess(ccAccess.hash), undefined);
          assert.equal(await store.codes.find(code.hash), undefined);
          assert.deepEqual(await store.consents.find(user.id, client.id), []);
          assert.equal(await store.devices.findByUserCode(device.userCodeHash), undefined);
          assert.equal(await store.mfa.findToken(mfaToken.hash), undefined);
          assert.deepEqual(await store.grants.find(otherGrant.id), otherGrant, 'another client’s stay');
          assert.deepEqual(await store.tokens.findOpaqueAccess(otherAccess.hash), otherAccess);
          assert.deepEqual(await store.consents.find(user.id, other.id), ['openid']);
          assert.deepEqual(await audit(), [...before, event]);

          assert.equal(await store.clients.remove(client.id, newEvent('client_removed')), false);
          assert.deepEqual(await audit(), [...before, event], 'nothing written for a missing client');
        });

        it('remove() is all or nothing', async () => {
          const { user, client } = await owners();
          const grant = newGrant(client.id, user.id);
          const access = newOpaque(client.id);
          await store.tokens.issue({ grant, access });
          await assert.rejects(store.clients.remove(client.id, REFUSED_EVENT));
          assert.ok(await store.clients.find(client.id));
          assert.deepEqual(await store.grants.find(grant.id), grant);
          assert.deepEqual(await store.tokens.findOpaqueAccess(access.hash), access);
        });

        it('setSecretHash() with an event bumps updatedAt and writes the row; false for an unknown client', async () => {
          const client = newClient({ secretHash: 'old' });
          await store.clients.create(client);
          const event = newEvent('client_secret_rotated', { at: NOW + 9, clientId: client.id });
          assert.equal(await store.clients.setSecretHash(client.id, 'new', event), true);
          const found = await store.clients.find(client.id);
          assert.equal(found?.secretHash, 'new');
          assert.equal(found?.updatedAt, NOW + 9);
          assert.deepEqual(await audit(), [event]);
          assert.equal(await store.clients.setSecretHash('no-such-client', 'x', event), false);
          assert.deepEqual(await audit(), [event]);
          await assert.rejects(store.clients.setSecretHash(client.id, 'newer', REFUSED_EVENT));
          assert.equal((await store.clients.find(client.id))?.secretHash, 'new', 'rolled back');
        });
      });

      describe('scopes', () => {
        it('upsert() writes its row; managedBy is the creator’s and stays', async () => {
          const event = newEvent('scope_added');
          const added = await store.scopes.upsert(
            { name: 'api:read', description: 'Read', builtin: false, managedBy: 'config' },
            NOW,
            event,
          );
          assert.deepEqual(added, {
            name: 'api:read',
            description: 'Read',
            builtin: false,
            managedBy: 'config',
          });
          const updated = await store.scopes.upsert(
            { name: 'api:read', description: 'Read more', builtin: false, managedBy: null },
            NOW,
          );
          assert.equal(updated.managedBy, 'config');
          assert.deepEqual(await store.scopes.list(), [updated]);
          assert.deepEqual(await audit(), [event]);
          await assert.rejects(
            store.scopes.upsert(
              { name: 'api:write', description: 'Write', builtin: false },
              NOW,
              REFUSED_EVENT,
            ),
          );
          assert.deepEqual(await store.scopes.findMany(['api:write']), [], 'rolled back');
        });

        it('remove() deletes a custom scope no client lists, with its row; otherwise says why and writes nothing', async () => {
          await store.scopes.upsert({ name: 'openid', description: 'Confirm', builtin: true }, NOW);
          await store.scopes.upsert({ name: 'api:read', description: 'Read', builtin: false }, NOW);
          await store.scopes.upsert({ name: 'api', description: 'Prefix of another', builtin: false }, NOW);
          const client = newClient({ scopes: ['openid', 'api:read'] });
          await store.clients.create(client);
          const event = newEvent('scope_removed');
          assert.equal(await store.scopes.remove('openid', event), 'builtin');
          assert.equal(await store.scopes.remove('api:read', event), 'in_use');
          assert.equal(await store.scopes.remove('nope', event), 'not_found');
          assert.deepEqual(await audit(), []);
          assert.equal(
            await store.scopes.remove('api', event),
            'removed',
            'a name inside another is not listed',
          );
          assert.deepEqual(await audit(), [event]);
          await store.clients.update({ ...client, scopes: ['openid'] }, newEvent('client_updated'));
          await assert.rejects(store.scopes.remove('api:read', REFUSED_EVENT));
          assert.equal((await store.scopes.findMany(['api:read'])).length, 1, 'rolled back');
          assert.equal(await store.scopes.remove('api:read', event), 'removed');
          assert.deepEqual(await store.scopes.findMany(['api:read']), []);
        });
      });

      describe('keys', () => {
        it('add() writes its row with the keys, or neither', async () => {
          const first = newKey('ES256');
          await store.keys.add([first]);
          const fresh = newKey('ES256');
          const event = newEvent('keys_rotated', { detail: { kids: [fresh.kid] } });
          await store.keys.add([fresh], { at: NOW, publishUntil: NOW + 60 }, event);
          assert.deepEqual(await audit(), [event]);
          const refused = newKey('ES256');
          await assert.rejects(store.keys.add([refused], { at: NOW, publishUntil: NOW + 60 }, REFUSED_EVENT));
          const keys = await store.keys.list();
          assert.equal(
            keys.some((k) => k.kid === refused.kid),
            false,
          );
          assert.equal(keys.find((k) => k.kid === fresh.kid)?.active, true, 'the retirement rolled back too');
        });
      });

      describe('events', () => {
        it('query() filters by user, client, type and time, newest first, before an id', async () => {
          const rows: NewAuditEvent[] = [
            newEvent('login', { at: NOW, userId: 'u1', clientId: 'c1' }),
            newEvent('login', { at: NOW + 10, userId: 'u2', clientId: 'c1' }),
            newEvent('user_updated', { at: NOW + 20, userId: 'u1', actor: 'cli' }),
            newEvent('client_updated', { at: NOW + 30, clientId: 'c2', userAgent: 'curl/8' }),
          ];
          for (const r of rows) await store.events.add(r);
          const all = await store.events.query({ limit: 10 });
          assert.deepEqual(
            all.map((e) => e.at),
            [NOW + 30, NOW + 20, NOW + 10, NOW],
          );
          assert.equal(all[0]?.userAgent, 'curl/8');
          assert.equal(all[1]?.actor, 'cli');
          const ats = async (q: Omit<Parameters<Store['events']['query']>[0], 'limit'>) =>
            (await store.events.query({ limit: 10, ...q })).map((e) => e.at);
          assert.deepEqual(await ats({ userId: 'u1' }), [NOW + 20, NOW]);
          assert.deepEqual(await ats({ clientId: 'c1' }), [NOW + 10, NOW]);
          assert.deepEqual(await ats({ type: 'login' }), [NOW + 10, NOW]);
          assert.deepEqual(await ats({ type: 'login', userId: 'u2' }), [NOW + 10]);
          assert.deepEqual(await ats({ since: NOW + 10, until: NOW + 30 }), [NOW + 20, NOW + 10]);
          assert.deepEqual(await ats({ beforeId: all[1]!.id }), [NOW + 10, NOW]);
          assert.deepEqual(await ats({ beforeId: all[1]!.id, clientId: 'c1' }), [NOW + 10, NOW]);
          assert.deepEqual(
            (await store.events.query({ limit: 1 })).map((e) => e.at),
            [NOW + 30],
          );
        });
      });

      describe('providers', () => {
        it('create(), update(), setEnabled() and remove() write their row only when the change happens', async () => {
          const p = newProvider({ managedBy: 'config' });
          const added = newEvent('provider_added');
          assert.equal(await store.providers.create(p, added), true);
          assert.equal(
            await store.providers.create(newProvider({ slug: p.slug }), newEvent('provider_added')),
            false,
          );
          assert.deepEqual(await store.providers.find(p.slug), p);

          const changed = {
            ...p,
            name: 'Renamed',
            clientId: 'other',
            trustedTenants: [],
            managedBy: null,
            createdAt: 1,
            updatedAt: NOW + 3,
          };
          const updated = newEvent('provider_updated');
          assert.equal(await store.providers.update(changed, updated), true);
          assert.deepEqual(await store.providers.find(p.slug), {
            ...changed,
            createdAt: p.createdAt,
            managedBy: 'config',
          });
          assert.equal(await store.providers.update(newProvider(), updated), false);

          const disabled = newEvent('provider_disabled');
          assert.equal(await store.providers.setEnabled(p.slug, false, NOW + 4, disabled), true);
          assert.equal(await store.providers.setEnabled('nope', false, NOW + 4, disabled), false);
          const removed = newEvent('provider_removed');
          assert.equal(await store.providers.remove(p.slug, removed), true);
          assert.equal(await store.providers.remove(p.slug, removed), false);
          assert.deepEqual(await audit(), [added, updated, disabled, removed]);

          await assert.rejects(store.providers.create(newProvider({ slug: 'late' }), REFUSED_EVENT));
          assert.equal(await store.providers.find('late'), undefined, 'rolled back');
        });
      });
    });

    describe('sweep', () => {
      it('deletes expired rows only, in bounded batches, and reports whether more remain', async () => {
        const { user, client } = await owners();
        const live = newGrant(client.id, user.id, { expiresAt: NOW + 3600 });
        await store.tokens.issue({ grant: live });
        const expiredCodes = [1, 2, 3].map((i) => newCode(live, { expiresAt: NOW - i }));
        const liveCode = newCode(live, { expiresAt: NOW + 60 });
        for (const code of [...expiredCodes, liveCode])
          await store.codes.save(newGrant(client.id, user.id), code);
        const expiredAccess = newOpaque(client.id, { expiresAt: NOW });
        const liveAccess = newOpaque(client.id, { expiresAt: NOW + 1 });
        await store.tokens.issue({ access: expiredAccess });
        await store.tokens.issue({ access: liveAccess });
        await store.tokens.revokeJti('gone', NOW - 1);
        await store.tokens.revokeJti('kept', NOW + 600);

        const first = await store.sweep(NOW, 2, EVENT_RETENTION_SECONDS);
        assert.equal(first.more, true, 'three expired codes, two per batch');
        assert.equal(first.deleted, 2 + 1 + 1);
        const second = await store.sweep(NOW, 2, EVENT_RETENTION_SECONDS);
        assert.deepEqual(second, { deleted: 1, more: false });
        assert.deepEqual(await store.sweep(NOW, 2, EVENT_RETENTION_SECONDS), { deleted: 0, more: false });

        for (const code of expiredCodes) assert.equal(await store.codes.find(code.hash), undefined);
        assert.ok(await store.codes.find(liveCode.hash));
        assert.equal(await store.tokens.findOpaqueAccess(expiredAccess.hash), undefined);
        assert.ok(await store.tokens.findOpaqueAccess(liveAccess.hash));
        assert.equal(await store.tokens.isJtiRevoked('gone'), false);
        assert.equal(await store.tokens.isJtiRevoked('kept'), true);
        assert.ok(await store.grants.find(live.id));
      });

      it('deletes expired grants with their refresh tokens, sessions and interactions', async () => {
        const { user, client } = await owners();
        const old = newGrant(client.id, user.id, { expiresAt: NOW - 10 });
        const oldRefresh = newRefresh(old, { expiresAt: NOW + 10 });
        await store.tokens.issue({ grant: old, refresh: oldRefresh });
        await store.sessions.create({
          idHash: 'expired-session',
          userId: user.id,
          authTime: NOW,
          amr: ['pwd'],
          userAgent: null,
          ip: null,
          createdAt: NOW - 100,
          lastSeenAt: NOW - 100,
          expiresAt: NOW - 1,
          endedAt: null,
        });
        await store.interactions.save({
          id: 'old-int',
          browserHash: 'b',
          data: {},
          createdAt: NOW - 700,
          expiresAt: NOW - 100,
        });
        await store.interactions.save({
          id: 'new-int',
          browserHash: 'b',
          data: {},
          createdAt: NOW,
          expiresAt: NOW + 600,
        });

        const result = await store.sweep(NOW, 100, EVENT_RETENTION_SECONDS);
        assert.equal(result.more, false);
        assert.ok(result.deleted >= 3);
        assert.equal(await store.grants.find(old.id), undefined);
        assert.equal(await store.tokens.findRefresh(oldRefresh.hash), undefined);
        assert.equal(await store.sessions.find('expired-session'), undefined);
        assert.equal(await store.interactions.find('old-int'), undefined);
        assert.ok(await store.interactions.find('new-int'));
      });

      it('deletes expired mfa_tokens', async () => {
        const { user, client } = await owners();
        const expired = newMfaToken(client.id, user.id, { expiresAt: NOW - 1 });
        const live = newMfaToken(client.id, user.id, { expiresAt: NOW + 300 });
        await store.mfa.saveToken(expired);
        await store.mfa.saveToken(live);
        assert.deepEqual(await store.sweep(NOW, 100, EVENT_RETENTION_SECONDS), { deleted: 1, more: false });
        assert.equal(await store.mfa.findToken(expired.hash), undefined);
        assert.deepEqual(await store.mfa.findToken(live.hash), live);
      });

      it('deletes audit events older than the retention period, in bounded batches', async () => {
        const event = (at: number, type: string): NewAuditEvent => ({
          at,
          type,
          userId: null,
          clientId: null,
          ip: null,
          detail: null,
        });
        const cutoff = NOW - EVENT_RETENTION_SECONDS;
        for (const at of [cutoff - 2, cutoff - 1, cutoff]) await store.events.add(event(at, 'old'));
        await store.events.add(event(cutoff + 1, 'kept'));
        assert.deepEqual(await store.sweep(NOW, 2, EVENT_RETENTION_SECONDS), { deleted: 2, more: true });
        assert.deepEqual(await store.sweep(NOW, 2, EVENT_RETENTION_SECONDS), { deleted: 1, more: false });
        assert.deepEqual(
          (await audit()).map((e) => e.type),
          ['kept'],
        );
      });

      it('keeps audit events for the retention it is given', async () => {
        const event = (at: number): NewAuditEvent => ({
          at,
          type: 'e',
          userId: null,
          clientId: null,
          ip: null,
          detail: null,
        });
        await store.events.add(event(NOW - 3600));
        await store.events.add(event(NOW - 60));
        assert.deepEqual(await store.sweep(NOW, 100, 7200), { deleted: 0, more: false });
        assert.deepEqual(await store.sweep(NOW, 100, 600), { deleted: 1, more: false });
        assert.deepEqual(
          (await audit()).map((e) => e.at),
          [NOW - 60],
        );
      });
    });

    if (options.pair) {
      const openPair = options.pair;
      const settle = options.settle ?? tick;
      /**
       * Retries `check` until it passes: another connection's write reaches this one's caches when its NOTIFY
       * arrives (PostgreSQL), later than any fixed wait on a loaded machine. Gives up after 10 s with the last failure.
       */
      const eventually = async (check: () => Promise<void>): Promise<void> => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            return await check();
          } catch (err) {
            if (Date.now() > deadline) throw err;
          }
          await settle();
        }
      };
      describe('two connections', () => {
        let pair: StorePair;
        beforeEach(async () => {
          pair = await openPair();
        });
        afterEach(async () => {
          await pair.close();
        });

        it('generation() changes within a millisecond of another connection writing, not on reads', async () => {
          const { a, b } = pair;
          const before = a.generation();
          await a.users.list();
          await settle();
          assert.equal(a.generation(), before, 'a read changes nothing');
          await b.scopes.upsert({ name: 'from-b', description: 'B', builtin: false }, NOW);
          await eventually(async () => assert.notEqual(a.generation(), before));
          const after = a.generation();
          await settle();
          assert.equal(a.generation(), after, 'stable until the next foreign write');
        });

        it('a JWT revoked by another connection is refused within a millisecond, though it was checked before', async () => {
          const { a, b } = pair;
          assert.equal(await a.tokens.isJtiRevoked('jti-cross'), false);
          assert.equal(await a.tokens.isJtiRevoked('jti-cross'), false, 'remembered as not revoked');
          await b.tokens.revokeJti('jti-cross', NOW + 600);
          await eventually(async () => assert.equal(await a.tokens.isJtiRevoked('jti-cross'), true));
        });

        it('a client created, re-keyed or removed by another connection is seen within a millisecond', async () => {
          const { a, b } = pair;
          const client = newClient({ secretHash: 'one' });
          assert.equal(await a.clients.find(client.id), undefined);
          await b.clients.create(client);
          await eventually(async () => assert.equal((await a.clients.find(client.id))?.secretHash, 'one'));
          await b.clients.setSecretHash(client.id, 'two');
          await eventually(async () => assert.equal((await a.clients.find(client.id))?.secretHash, 'two'));
          await b.clients.remove(client.id);
          await eventually(async () => assert.equal(await a.clients.find(client.id), undefined));
        });

        it('a provider added, disabled or removed by another connection is seen at once', async () => {
          const { a, b } = pair;
          const provider = newProvider();
          await b.providers.create(provider);
          assert.equal((await a.providers.find(provider.slug))?.enabled, true);
          await b.providers.setEnabled(provider.slug, false, NOW + 1);
          assert.equal((await a.providers.find(provider.slug))?.enabled, false);
          await b.providers.remove(provider.slug);
          assert.deepEqual(await a.providers.list(), []);
        });

        it('a client updated by another connection is seen within a millisecond', async () => {
          const { a, b } = pair;
          const client = newClient({ redirectUris: ['https://one.example.test/cb'] });
          await b.clients.create(client);
          await eventually(async () =>
            assert.deepEqual((await a.clients.find(client.id))?.redirectUris, [
              'https://one.example.test/cb',
            ]),
          );
          await b.clients.update(
            { ...client, name: 'Two', redirectUris: ['https://two.example.test/cb'] },
            newEvent('client_updated'),
          );
          await eventually(async () => {
            const seen = await a.clients.find(client.id);
            assert.equal(seen?.name, 'Two');
            assert.deepEqual(seen?.redirectUris, ['https://two.example.test/cb']);
          });
        });

        it('keys added by another connection are listed at once', async () => {
          const { a, b } = pair;
          const key = newKey('ES256');
          await b.keys.add([key]);
          assert.deepEqual(
            (await a.keys.list()).map((k) => k.kid),
            [key.kid],
          );
        });
      });
    }
  });
}
