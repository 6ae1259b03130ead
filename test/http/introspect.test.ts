import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addScope } from '../../src/admin/scopes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

type Client = { id: string; secret?: string };
type Body = Record<string, unknown>;

describe('POST /introspect (RFC 7662)', () => {
  let t: TestApp;
  let api: Client;
  let other: Client;
  let resourceServer: Client;
  let opaque: Client;

  const token = async (client: Client, extra: Record<string, string> = {}) => {
    const res = await t.request(
      '/token',
      form(
        { grant_type: 'client_credentials', ...extra },
        { authorization: basic(client.id, client.secret!) },
      ),
    );
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const introspect = async (caller: Client, tok: string, extra: Record<string, string> = {}) => {
    const res = await t.request(
      '/introspect',
      form({ token: tok, ...extra }, { authorization: basic(caller.id, caller.secret!) }),
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return (await res.json()) as Body;
  };

  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    await addScope(t.deps, 'api:read', 'Read the API');
    api = await t.addClient({ grants: ['client_credentials'], scopes: ['api:read'] });
    other = await t.addClient({ grants: ['client_credentials'], scopes: ['api:read'] });
    resourceServer = await t.addClient({ grants: ['client_credentials'], introspectAny: true });
    opaque = await t.addClient({
      grants: ['client_credentials'],
      scopes: ['api:read'],
      tokenFormat: 'opaque',
      accessTokenTtlSeconds: 120,
    });
  });
  after(() => t.close());

  it('an active JWT access token, with the RFC 7662 members', async () => {
    const tok = await token(api, { scope: 'api:read' });
    const body = await introspect(api, tok);
    const now = t.clock.now();
    assert.equal(body['active'], true);
    assert.equal(body['scope'], 'api:read');
    assert.equal(body['client_id'], api.id);
    assert.equal(body['sub'], api.id);
    assert.equal(body['aud'], api.id);
    assert.equal(body['iss'], t.issuer);
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(body['iat'], now);
    assert.equal(body['exp'], now + 600);
    assert.equal(typeof body['jti'], 'string');
    assert.equal(body['username'], undefined, 'no user behind client credentials');
  });

  it('a token_type_hint only orders the search', async () => {
    const tok = await token(api);
    for (const hint of ['access_token', 'refresh_token', 'something_else'])
      assert.equal((await introspect(api, tok, { token_type_hint: hint }))['active'], true, hint);
  });

  it('a revoked JWT is inactive before its exp', async () => {
    const tok = await token(api);
    const res = await t.request(
      '/revoke',
      form({ token: tok }, { authorization: basic(api.id, api.secret!) }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await introspect(api, tok), { active: false });
    assert.deepEqual(await introspect(resourceServer, tok), { active: false });
  });

  it('an expired token is inactive, and says nothing else', async () => {
    const tok = await token(api);
    t.clock.advance(599);
    assert.equal((await introspect(api, tok))['active'], true);
    t.clock.advance(1);
    assert.deepEqual(await introspect(api, tok), { active: false });
  });

  it('garbage is inactive, never an error', async () => {
    const garbage = [
      'garbage',
      'a.b.c',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      'x'.repeat(10_000),
      '....',
      '%00',
      '{"json":true}',
    ];
    for (const g of garbage) assert.deepEqual(await introspect(api, g), { active: false }, g.slice(0, 40));
  });

  it('an unsigned or re-signed copy of a real token is inactive', async () => {
    const tok = await token(api);
    const [h, p] = tok.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
    assert.deepEqual(await introspect(api, none), { active: false });
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Body;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'admin' })).toString('base64url')}.${tok.split('.')[2]}`;
    assert.deepEqual(await introspect(api, forged), { active: false });
  });

  it("another client's token is inactive for the caller", async () => {
    const tok = await token(other);
    assert.deepEqual(await introspect(api, tok), { active: false });
    assert.equal((await introspect(other, tok))['active'], true);
  });

  it('an --introspect-any client (a resource server) sees every token', async () => {
    const tok = await token(other, { scope: 'api:read' });
    const body = await introspect(resourceServer, tok);
    assert.equal(body['active'], true);
    assert.equal(body['client_id'], other.id);
    assert.equal(body['scope'], 'api:read');
  });

  it('an opaque token: active, then expired', async () => {
    const tok = await token(opaque, { scope: 'api:read' });
    assert.equal(tok.split('.').length, 1, 'not a JWT');
    assert.ok(await t.deps.store.tokens.findOpaqueAccess(sha256(tok)), 'stored under its hash');
    assert.equal(await t.deps.store.tokens.findOpaqueAccess(tok), undefined, 'never in the clear');
    const body = await introspect(opaque, tok);
    assert.equal(body['active'], true);
    assert.equal(body['client_id'], opaque.id);
    assert.equal(body['scope'], 'api:read');
    assert.equal(body['exp'], t.clock.now() + 120);
    assert.equal(body['iss'], t.issuer);
    assert.deepEqual(await introspect(api, tok), { active: false }, 'not for another client');
    assert.equal((await introspect(resourceServer, tok))['active'], true);
    t.clock.advance(120);
    assert.deepEqual(await introspect(opaque, tok), { active: false });
  });

  it('an opaque token: revoked', async () => {
    const tok = await token(opaque);
    const res = await t.request(
      '/revoke',
      form({ token: tok }, { authorization: basic(opaque.id, opaque.secret!) }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await introspect(opaque, tok), { active: false });
  });

  it("a removed client's tokens are inactive", async () => {
    const gone = await t.addClient({ grants: ['client_credentials'] });
    const tok = await token(gone);
    assert.equal((await introspect(resourceServer, tok))['active'], true);
    assert.equal(await t.deps.store.clients.remove(gone.id), true);
    assert.deepEqual(await introspect(resourceServer, tok), { active: false });
  });

  it('needs client authentication', async () => {
    const tok = await token(api);
    const res = await t.request('/introspect', form({ token: tok }));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as Body)['error'], 'invalid_client');
  });

  it('needs the token parameter', async () => {
    const res = await t.request('/introspect', form({}, { authorization: basic(api.id, api.secret!) }));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Body)['error'], 'invalid_request');
  });
});
