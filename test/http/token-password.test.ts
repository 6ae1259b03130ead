import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import {
  expectOAuthError,
  json,
  refresh,
  type TestClient,
  tokenRequest,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const passwordGrant = (t: TestApp, client: { id: string; secret?: string }, fields: Record<string, string>) =>
  t.request('/token', tokenRequest(client, { grant_type: 'password', ...fields }));

describe('POST /token grant_type=password', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: TestClient;

  before(async () => {
    t = await testApp();
    user = await t.addUser({ name: 'Grace Hopper' });
    client = {
      ...(await t.addClient({ grants: ['password', 'refresh_token'], firstParty: true })),
      redirectUri: '',
    };
  });
  after(() => t.close());

  it('is refused to a public client registered with it before client add refused that (review finding)', async () => {
    const stored = (await t.deps.store.clients.find(client.id))!;
    const id = `legacy-public-${randomToken(6)}`;
    await t.deps.store.clients.create({
      ...stored,
      id,
      isPublic: true,
      secretHash: null,
      grants: ['password'],
    });
    const res = await passwordGrant(t, { id }, { username: user.email, password: user.password });
    await expectOAuthError(res, 'unauthorized_client');
  });

  it('is refused with unauthorized_client to a client without the password grant', async () => {
    const codeClient = await t.addClient({ redirectUris: ['https://app.example/cb'] });
    const res = await passwordGrant(t, codeClient, { username: user.email, password: user.password });
    assert.equal(res.status, 400);
    assert.equal((await json(res)).error, 'unauthorized_client');
  });

  it('takes "resource" only from the client\'s allow-list, else invalid_target (issue 8 #4)', async () => {
    const creds = { username: user.email, password: user.password, scope: 'openid' };
    await expectOAuthError(
      await passwordGrant(t, client, { ...creds, resource: 'https://payments.internal.example/api' }),
      'invalid_target',
    );
    const API = 'https://api.example.test/';
    const listed = await t.addClient({
      grants: ['password', 'refresh_token'],
      firstParty: true,
      resources: [API],
    });
    await expectOAuthError(
      await passwordGrant(t, listed, { ...creds, resource: 'https://payments.internal.example/api' }),
      'invalid_target',
    );
    const body = await json(await passwordGrant(t, listed, { ...creds, resource: API }));
    assert.equal((await verifyJwt(t, body.access_token, API)).aud, API);
    // The refreshed access token keeps the audience of the family.
    const next = await json(await refresh(t, { ...listed, redirectUri: '' }, body.refresh_token));
    assert.equal((await verifyJwt(t, next.access_token, API)).aud, API);
  });

  it('refuses to refresh a family whose resource the client is not allowed (a grant from before #4)', async () => {
    const now = t.clock.now();
    const token = randomToken();
    const grant = {
      id: randomToken(12),
      clientId: client.id,
      userId: user.id,
      sessionHash: null,
      scope: 'openid',
      resource: 'https://payments.internal.example/api',
      authTime: now,
      amr: ['pwd'],
      nonce: null,
      createdAt: now,
      expiresAt: now + 3600,
      revokedAt: null,
    };
    const rt = {
      hash: sha256(token),
      grantId: grant.id,
      clientId: client.id,
      createdAt: now,
      expiresAt: now + 3600,
      rotatedAt: null,
      retrySealed: null,
    };
    await t.deps.store.tokens.issue({ grant, refresh: rt });
    await expectOAuthError(await refresh(t, client, token), 'invalid_grant');
  });

  it('issues access, refresh and ID tokens with amr ["pwd"]', async () => {
    const res = await passwordGrant(t, client, {
      username: user.email,
      password: user.password,
      scope: 'openid profile offline_access',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = await json(res);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'openid profile offline_access');
    assert.ok(body.access_token);
    assert.ok(body.refresh_token);
    const id = await verifyJwt(t, body.id_token, client.id);
    assert.equal(id.sub, user.id);
    assert.deepEqual(id['amr'], ['pwd']);
    assert.equal(id['auth_time'], t.clock.now());
    assert.equal(id['name'], 'Grace Hopper');
    assert.ok(id['at_hash']);
    const access = await verifyJwt(t, body.access_token);
    assert.equal(access.sub, user.id);
    assert.deepEqual(access['amr'], ['pwd']);
    // The refresh token works like any other.
    const next = await refresh(t, client, body.refresh_token);
    assert.equal(next.status, 200);
  });

  it('issues no ID token without openid', async () => {
    const body = await json(
      await passwordGrant(t, client, { username: user.email, password: user.password, scope: 'profile' }),
    );
    assert.ok(body.access_token);
    assert.equal(body.id_token, undefined);
  });

  it('refuses a scope the client is not allowed', async () => {
    const res = await passwordGrant(t, client, {
      username: user.email,
      password: user.password,
      scope: 'openid admin',
    });
    assert.equal(res.status, 400);
    assert.equal((await json(res)).error, 'invalid_scope');
  });

  it('answers a wrong password and an unknown user alike: 400 invalid_grant, same description', async () => {
    const wrong = await passwordGrant(t, client, { username: user.email, password: 'not-the-password' });
    const unknown = await passwordGrant(t, client, {
      username: 'nobody@example.test',
      password: 'not-the-password',
    });
    assert.equal(wrong.status, 400);
    assert.equal(unknown.status, 400);
    const [a, b] = [await json(wrong), await json(unknown)];
    assert.equal(a.error, 'invalid_grant');
    assert.deepEqual(a, b);
  });

  it('needs client authentication', async () => {
    const res = await t.request(
      '/token',
      tokenRequest(
        { id: client.id, secret: 'wrong-secret-wrong-secret' },
        {
          grant_type: 'password',
          username: user.email,
          password: user.password,
        },
      ),
    );
    assert.equal(res.status, 401);
    assert.equal((await json(res)).error, 'invalid_client');
  });

  it('throttles an account after repeated failures, then lets it in again', async () => {
    const victim = await t.addUser({});
    for (let i = 0; i < 5; i++) {
      const res = await passwordGrant(t, client, { username: victim.email, password: `wrong-${i}` });
      assert.equal((await json(res)).error, 'invalid_grant', `attempt ${i + 1}`);
    }
    const locked = await passwordGrant(t, client, { username: victim.email, password: victim.password });
    assert.equal(locked.status, 400);
    assert.equal(
      (await json(locked)).error,
      'invalid_grant',
      'even the right password is refused while locked',
    );
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1, 'Retry-After');
    // Other accounts are unaffected.
    const fine = await passwordGrant(t, client, { username: user.email, password: user.password });
    assert.equal(fine.status, 200);
    t.clock.advance(retryAfter);
    const after = await passwordGrant(t, client, { username: victim.email, password: victim.password });
    assert.equal(after.status, 200);
  });
});
