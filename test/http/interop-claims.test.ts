import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { updateClient } from '../../src/admin/clients.js';
import {
  getCode,
  headerOf,
  introspect,
  type Json,
  json,
  redeem,
  type TestClient,
  tokenRequest,
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

  describe('the claims request parameter (OIDC Core §5.5)', () => {
    const claims = (value: unknown) => ({ claims: JSON.stringify(value) });

    it('adds the claims named for the ID token and userinfo even without their scope; unknown names are ignored', async () => {
      const got = await tokens(
        client,
        'openid',
        user,
        claims({
          id_token: { email: { essential: true }, groups: null, shoe_size: { essential: true } },
          userinfo: { preferred_username: null, 'x-unknown': null },
        }),
      );
      const id = await verifyJwt(t, got.id_token, client.id);
      assert.equal(id['email'], user.email);
      assert.deepEqual(id['groups'], ['admins', 'navy']);
      assert.equal(id['shoe_size'], undefined);
      assert.equal(id['email_verified'], undefined, 'only the claims named, not all of their scope');
      assert.equal(id['preferred_username'], undefined, 'asked for userinfo only');
      const info = await userinfo(got.access_token);
      assert.equal(info['preferred_username'], 'grace');
      assert.equal(info['email'], undefined, 'asked for the ID token only');
      assert.equal(info['x-unknown'], undefined);
      assert.equal(got.scope, 'openid', 'the granted scope is unchanged');

      // Kept with the grant: a refreshed ID token carries them too.
      const again = await tokens(
        client,
        'openid offline_access',
        user,
        claims({ id_token: { email: null } }),
      );
      const refreshed = await json(
        await t.request(
          '/token',
          tokenRequest(client, {
            grant_type: 'refresh_token',
            refresh_token: again.refresh_token,
          }),
        ),
      );
      assert.equal((await verifyJwt(t, refreshed.id_token, client.id))['email'], user.email);
    });

    it('reaches the ID token of a minimal client', async () => {
      const minimal = await add({ idTokenClaims: 'minimal' });
      const got = await tokens(minimal, 'openid email profile', user, claims({ id_token: { email: null } }));
      const id = await verifyJwt(t, got.id_token, minimal.id);
      assert.equal(id['email'], user.email);
      assert.equal(id['name'], undefined);
    });

    it('releases nothing a third-party client’s user did not approve, nor what the client is not allowed', async () => {
      const third = await add({ firstParty: false });
      const got = await tokens(
        third,
        'openid profile',
        user,
        claims({ id_token: { email: null, name: null } }),
      );
      const id = await verifyJwt(t, got.id_token, third.id);
      assert.equal(id['email'], undefined, 'email was not on the consent page');
      assert.equal(id['name'], 'Grace Hopper');
      const narrow = await add({ scopes: ['openid', 'profile'] });
      const n = await tokens(narrow, 'openid', user, claims({ id_token: { email: null, groups: null } }));
      const nid = await verifyJwt(t, n.id_token, narrow.id);
      assert.equal(nid['email'], undefined);
      assert.equal(nid['groups'], undefined);
    });

    it('checked again at every use: a narrower refresh or a scope taken from the client takes its claims', async () => {
      const third = await add({ firstParty: false });
      const asked = claims({ id_token: { email: null, groups: null }, userinfo: { groups: null } });
      const got = await tokens(third, 'openid email groups offline_access', user, asked);
      const id = await verifyJwt(t, got.id_token, third.id);
      assert.equal(id['email'], user.email);
      assert.deepEqual((await userinfo(got.access_token))['groups'], ['admins', 'navy']);
      const refresh = async (refreshToken: string, scope?: string) =>
        json(
          await t.request(
            '/token',
            tokenRequest(third, {
              grant_type: 'refresh_token',
              refresh_token: refreshToken,
              ...(scope ? { scope } : {}),
            }),
          ),
        );
      const narrower = await refresh(got.refresh_token, 'openid offline_access');
      const nid = await verifyJwt(t, narrower.id_token, third.id);
      assert.equal(nid['email'], undefined, 'email is no longer in the scope');
      assert.equal(nid['groups'], undefined);
      assert.equal((await userinfo(narrower.access_token))['groups'], undefined);

      const other = await tokens(third, 'openid email groups offline_access', user, asked);
      await updateClient(t.deps, third.id, { scopes: ['openid', 'email', 'offline_access'] });
      const later = await refresh(other.refresh_token);
      const lid = await verifyJwt(t, later.id_token, third.id);
      assert.equal(lid['email'], user.email);
      assert.equal(lid['groups'], undefined, 'groups was taken from the client');
      assert.equal((await userinfo(later.access_token))['groups'], undefined);
    });

    it('malformed JSON, a non-object or a non-object member: invalid_request at the verified redirect URI', async () => {
      for (const raw of [
        '{not json',
        '[1,2]',
        '"text"',
        'null',
        '{"id_token": 5}',
        '{"userinfo": ["email"]}',
      ]) {
        const q = new URLSearchParams({
          client_id: client.id,
          redirect_uri: CB,
          response_type: 'code',
          scope: 'openid',
          state: 's-1',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          claims: raw,
        });
        const res = await t.request(`/authorize?${q}`);
        assert.equal(res.status, 303, raw);
        const to = new URL(res.headers.get('location')!);
        assert.equal(`${to.origin}${to.pathname}`, CB, raw);
        assert.equal(to.searchParams.get('error'), 'invalid_request', raw);
        assert.match(to.searchParams.get('error_description') ?? '', /claims/, raw);
        assert.equal(to.searchParams.get('state'), 's-1');
      }
    });

    it('discovery says claims_parameter_supported', async () => {
      const doc = await json(await t.request('/.well-known/openid-configuration'));
      assert.equal(doc['claims_parameter_supported'], true);
    });
  });
});
