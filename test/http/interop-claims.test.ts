import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import {
  getCode,
  headerOf,
  introspect,
  type Json,
  json,
  redeem,
  type TestClient,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

/** Issue 13: what relying parties that know only RS256 and map roles from `groups` need of latchkey's tokens. */
describe('ID tokens and claims for the apps people run (issue 13)', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let plain: { id: string; email: string; password: string };
  let client: TestClient;

  const add = async (input: Parameters<TestApp['addClient']>[0] = {}): Promise<TestClient> => ({
    ...(await t.addClient({
      redirectUris: [CB],
      firstParty: true,
      scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
      ...input,
    })),
    redirectUri: CB,
  });
  const tokens = async (c: TestClient, scope: string, who = user, extra?: Record<string, string>) => {
    const { code, verifier } = await getCode(t, c, who, { scope, ...(extra ? { extra } : {}) });
    const res = await redeem(t, c, code, verifier);
    assert.equal(res.status, 200);
    return json(res);
  };
  /** A verifier as go-oidc's default one: RS256 only, against the published JWKS. */
  const verifyRs256Only = async (jwt: string, audience: string) => {
    const jwks = createLocalJWKSet((await json(await t.request('/jwks'))) as JSONWebKeySet);
    return jwtVerify(jwt, jwks, {
      issuer: t.issuer,
      audience,
      algorithms: ['RS256'],
      currentDate: new Date(t.clock.nowMs()),
    });
  };
  const userinfo = async (accessToken: string) =>
    json(await t.request('/userinfo', { headers: { authorization: `Bearer ${accessToken}` } }));

  before(async () => {
    t = await testApp();
    user = await t.addUser({
      name: 'Grace Hopper',
      givenName: 'Grace',
      familyName: 'Hopper',
      username: 'grace',
      groups: ['admins', 'navy'],
    });
    plain = await t.addUser({});
    client = await add();
  });
  after(() => t.close());

  describe('signing defaults', () => {
    it('a default client’s ID token is RS256 and verifies with a verifier that allows RS256 only', async () => {
      const got = await tokens(client, 'openid');
      assert.equal(headerOf(got.id_token).alg, 'RS256');
      const { payload } = await verifyRs256Only(got.id_token, client.id);
      assert.equal(payload.sub, user.id);
      assert.equal(headerOf(got.access_token).alg, 'ES256', 'JWT access tokens keep ES256 by default');
      await verifyJwt(t, got.access_token);
    });

    it('--id-token-alg ES256 still works; --access-token-alg RS256 changes only the access token', async () => {
      const es = await add({ idTokenAlg: 'ES256', accessTokenAlg: 'RS256' });
      const got = await tokens(es, 'openid');
      assert.equal(headerOf(got.id_token).alg, 'ES256');
      assert.equal((await verifyJwt(t, got.id_token, es.id)).sub, user.id);
      await assert.rejects(verifyRs256Only(got.id_token, es.id), /alg/);
      assert.equal(headerOf(got.access_token).alg, 'RS256');
      await verifyJwt(t, got.access_token);
    });

    it('discovery advertises both ID-token algorithms, the groups scope and claims', async () => {
      const doc = await json(await t.request('/.well-known/openid-configuration'));
      assert.deepEqual(doc['id_token_signing_alg_values_supported'], ['RS256', 'ES256']);
      assert.ok((doc['scopes_supported'] as string[]).includes('groups'));
      for (const claim of ['groups', 'preferred_username'])
        assert.ok((doc['claims_supported'] as string[]).includes(claim), claim);
    });
  });

  describe('groups and preferred_username', () => {
    it('in the ID token, userinfo and introspection, with their scopes', async () => {
      const got = await tokens(client, 'openid profile groups');
      const id = await verifyJwt(t, got.id_token, client.id);
      assert.deepEqual(id['groups'], ['admins', 'navy']);
      assert.equal(id['preferred_username'], 'grace');
      assert.equal(id['name'], 'Grace Hopper');
      const info = await userinfo(got.access_token);
      assert.deepEqual(info['groups'], ['admins', 'navy']);
      assert.equal(info['preferred_username'], 'grace');
      const intro = await introspect(t, client, got.access_token);
      assert.equal(intro.active, true);
      assert.deepEqual(intro['groups'], ['admins', 'navy']);
      assert.equal(intro['username'], 'grace');
    });

    it('not without their scopes; preferred_username falls back to the email; no groups is an empty array', async () => {
      const without = await tokens(client, 'openid email');
      const id = await verifyJwt(t, without.id_token, client.id);
      assert.equal(id['groups'], undefined);
      assert.equal(id['preferred_username'], undefined);
      assert.equal((await userinfo(without.access_token))['groups'], undefined);
      assert.equal((await introspect(t, client, without.access_token))['groups'], undefined);

      const other = await tokens(client, 'openid profile groups', plain);
      const o = await verifyJwt(t, other.id_token, client.id);
      assert.equal(o['preferred_username'], plain.email);
      assert.deepEqual(o['groups'], []);
    });

    it('a client may not ask for groups unless allowed it', async () => {
      const narrow = await add({ scopes: ['openid', 'profile'] });
      await assert.rejects(getCode(t, narrow, user, { scope: 'openid groups' }), /invalid_scope|no code/);
    });
  });

  describe('idTokenClaims: minimal', () => {
    it('the ID token carries only the protocol claims; userinfo has the rest', async () => {
      const minimal = await add({ idTokenClaims: 'minimal' });
      const got = await tokens(minimal, 'openid profile email groups', user, { nonce: 'n-1' });
      const id = await verifyJwt(t, got.id_token, minimal.id);
      for (const claim of ['name', 'email', 'email_verified', 'groups', 'preferred_username', 'given_name'])
        assert.equal(id[claim], undefined, claim);
      for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash'])
        assert.notEqual(id[claim], undefined, claim);
      const info: Json = await userinfo(got.access_token);
      assert.equal(info['email'], user.email);
      assert.deepEqual(info['groups'], ['admins', 'navy']);
    });
  });
});
