import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { addScope } from '../../src/admin/scopes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Registered = { id: string; secret?: string };
type Auth = 'basic' | 'post';

/**
 * The real server on a loopback port, spoken to by openid-client v6 (an independent implementation):
 * discovery, client credentials, introspection, revocation, and the JWT checked against /jwks with jose.
 */
describe('core flows with openid-client v6', () => {
  let s: TestServer;
  let api: Registered;
  let rs256: Registered;
  let opaque: Registered;
  let resourceServer: Registered;

  const configure = (c: Registered, auth: Auth = 'basic', secret = c.secret!) =>
    client.discovery(
      new URL(s.issuer),
      c.id,
      secret,
      auth === 'basic' ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret),
      { execute: [client.allowInsecureRequests] },
    );

  before(async () => {
    s = await startTestServer();
    await addScope(s.deps, 'api:read', 'Read the API');
    await addScope(s.deps, 'api:write', 'Change things through the API');
    api = await s.addClient({
      grants: ['client_credentials'],
      scopes: ['api:read', 'api:write'],
      resources: ['https://api.example.test/'],
    });
    rs256 = await s.addClient({ grants: ['client_credentials'], scopes: ['api:read'], signingAlg: 'RS256' });
    opaque = await s.addClient({
      grants: ['client_credentials'],
      scopes: ['api:read'],
      tokenFormat: 'opaque',
      accessTokenTtlSeconds: 300,
    });
    resourceServer = await s.addClient({ grants: ['client_credentials'], introspectAny: true });
  });
  after(() => s.close());

  it('discovers the server', async () => {
    const config = await configure(api);
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, s.issuer);
    assert.equal(meta.token_endpoint, `${s.issuer}/token`);
    assert.equal(meta.jwks_uri, `${s.issuer}/jwks`);
    assert.equal(meta.introspection_endpoint, `${s.issuer}/introspect`);
    assert.equal(meta.revocation_endpoint, `${s.issuer}/revoke`);
    assert.ok(meta.grant_types_supported?.includes('client_credentials'));
    assert.ok(meta.scopes_supported?.includes('api:read'));
  });

  for (const auth of ['basic', 'post'] as const) {
    it(`client credentials with client_secret_${auth}: a JWT that verifies against /jwks`, async () => {
      const config = await configure(api, auth);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read api:write' });
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      // expires_in is what the server said; expiresIn() counts down from when openid-client
      // received it, so it may already read 599 if a second boundary passed meanwhile.
      assert.equal(tokens.expires_in, 600);
      assert.ok([599, 600].includes(tokens.expiresIn()!), `expiresIn() ${tokens.expiresIn()}`);
      assert.equal(tokens.scope, 'api:read api:write');
      assert.equal(tokens.refresh_token, undefined, 'no refresh token for client credentials');

      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
        issuer: s.issuer,
        audience: api.id,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      });
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(typeof protectedHeader.kid, 'string');
      assert.equal(payload.iss, s.issuer);
      assert.equal(payload.aud, api.id);
      assert.equal(payload.sub, api.id);
      assert.equal(payload['client_id'], api.id);
      assert.equal(payload['scope'], 'api:read api:write');
      assert.equal(typeof payload.jti, 'string');
      assert.ok(payload.jti!.length >= 16);
      assert.equal(payload.exp! - payload.iat!, 600);
      assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 60);
    });
  }

  it('every token has its own jti', async () => {
    const config = await configure(api);
    const jtis = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const { access_token } = await client.clientCredentialsGrant(config);
      jtis.add(JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).jti);
    }
    assert.equal(jtis.size, 3);
  });

  it('a resource indicator (RFC 8707) becomes the aud', async () => {
    const config = await configure(api);
    const resource = 'https://api.example.test/';
    const { access_token } = await client.clientCredentialsGrant(config, { scope: 'api:read', resource });
    const jwks = createRemoteJWKSet(new URL(`${s.issuer}/jwks`));
    const { payload } = await jwtVerify(access_token, jwks, {
      issuer: s.issuer,
      audience: resource,
      typ: 'at+jwt',
    });
    assert.equal(payload['client_id'], api.id);
  });

  for (const auth of ['basic', 'post'] as const) {
    it(`a wrong secret fails (client_secret_${auth}): 401 invalid_client`, async () => {
      const config = await configure(api, auth, 'definitely-not-the-secret');
      const err = await client.clientCredentialsGrant(config).then(
        () => assert.fail('the grant succeeded with a wrong secret'),
        (e: unknown) => e,
      );
      // A 401 with a challenge surfaces as WWWAuthenticateChallengeError, the body as ResponseBodyError.
      if (err instanceof client.WWWAuthenticateChallengeError) {
        assert.equal(err.status, 401);
        assert.equal(err.cause[0]?.scheme, 'basic');
        assert.equal(((await err.response.json()) as { error: string }).error, 'invalid_client');
      } else {
        assert.ok(err instanceof client.ResponseBodyError, String(err));
        assert.equal(err.status, 401);
        assert.equal(err.error, 'invalid_client');
      }
    });
  }

  it('a scope the client is not allowed fails with invalid_scope', async () => {
    const config = await configure(rs256);
    await assert.rejects(
      client.clientCredentialsGrant(config, { scope: 'api:write' }),
      (err: Error & { error?: string }) => {
        assert.equal(err.error, 'invalid_scope');
        return true;
      },
    );
  });

  it('an RS256 client gets an RS256 token that verifies against /jwks', async () => {
    const config = await configure(rs256);
    const { access_token } = await client.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.equal(decodeProtectedHeader(access_token).alg, 'RS256');
    const jwks = createRemoteJWKSet(new URL(`${s.issuer}/jwks`));
    const { payload } = await jwtVerify(access_token, jwks, {
      issuer: s.issuer,
      audience: rs256.id,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    assert.equal(payload['client_id'], rs256.id);
    assert.equal(payload['scope'], 'api:read');
  });

  it('introspection: active, then revoked', async () => {
    const config = await configure(api);
    const { access_token } = await client.clientCredentialsGrant(config, { scope: 'api:read' });
    const active = await client.tokenIntrospection(config, access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, api.id);
    assert.equal(active.scope, 'api:read');
    assert.equal(active.iss, s.issuer);
    assert.equal(active.sub, api.id);
    assert.equal(typeof active.exp, 'number');
    assert.equal(typeof active.jti, 'string');

    await client.tokenRevocation(config, access_token);
    const revoked = await client.tokenIntrospection(config, access_token);
    assert.deepEqual({ ...revoked }, { active: false });
  });

  it('introspection of an expired token is inactive', async () => {
    const shortLived = await s.addClient({ grants: ['client_credentials'], accessTokenTtlSeconds: 2 });
    const config = await configure(shortLived);
    const tokens = await client.clientCredentialsGrant(config);
    const { exp } = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
    };
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 50));
    assert.deepEqual(
      { ...(await client.tokenIntrospection(config, tokens.access_token)) },
      { active: false },
    );
  });

  it('introspection of garbage is inactive', async () => {
    const config = await configure(api);
    for (const garbage of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.']) {
      const res = await client.tokenIntrospection(config, garbage);
      assert.equal(res.active, false, garbage);
    }
  });

  it("introspection of another client's token: inactive, unless the caller is --introspect-any", async () => {
    const { access_token } = await client.clientCredentialsGrant(await configure(rs256), {
      scope: 'api:read',
    });
    assert.equal((await client.tokenIntrospection(await configure(api), access_token)).active, false);
    const seen = await client.tokenIntrospection(await configure(resourceServer, 'post'), access_token);
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, rs256.id);
  });

  it('revocation of an unknown token succeeds (RFC 7009 §2.2)', async () => {
    const config = await configure(api, 'post');
    await client.tokenRevocation(config, 'never-issued');
    await client.tokenRevocation(config, 'a.b.c', { token_type_hint: 'refresh_token' });
  });

  it("revocation of another client's token succeeds and changes nothing", async () => {
    const owner = await configure(rs256);
    const { access_token } = await client.clientCredentialsGrant(owner, { scope: 'api:read' });
    await client.tokenRevocation(await configure(api), access_token);
    assert.equal((await client.tokenIntrospection(owner, access_token)).active, true);
  });

  it('an opaque-format client: opaque token, introspected and revoked', async () => {
    const config = await configure(opaque);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.equal(tokens.access_token.includes('.'), false, 'not a JWT');
    assert.ok(tokens.access_token.length >= 43, '256 bits');
    assert.equal(tokens.expires_in, 300);
    assert.ok([299, 300].includes(tokens.expiresIn()!), `expiresIn() ${tokens.expiresIn()}`);
    const active = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, opaque.id);
    assert.equal(active.scope, 'api:read');
    assert.equal(active.aud, opaque.id);
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  it('/healthz answers ok', async () => {
    const res = await fetch(`${s.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
