import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

describe('GET /jwks', () => {
  let t: TestApp;
  let es: { id: string; secret?: string };
  let rs: { id: string; secret?: string };
  before(async () => {
    t = await testApp();
    es = await t.addClient({ grants: ['client_credentials'] });
    rs = await t.addClient({ grants: ['client_credentials'], signingAlg: 'RS256' });
  });
  after(() => t.close());

  const jwks = async (): Promise<JSONWebKeySet> => {
    const res = await t.request('/jwks');
    assert.equal(res.status, 200);
    return (await res.json()) as JSONWebKeySet;
  };
  const token = async (client: { id: string; secret?: string }) => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const verify = async (jwt: string) =>
    jwtVerify(jwt, createLocalJWKSet(await jwks()), {
      issuer: t.issuer,
      typ: 'at+jwt',
      currentDate: new Date(t.clock.nowMs()),
    });

  it('is a JWK Set with an ES256 and an RS256 public key', async () => {
    const res = await t.request('/jwks');
    assert.match(res.headers.get('content-type') ?? '', /^application\/(jwk-set\+)?json/);
    const { keys } = await jwks();
    assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const ec = keys.find((k) => k.alg === 'ES256')!;
    assert.equal(ec.kty, 'EC');
    assert.equal(ec.crv, 'P-256');
    const rsa = keys.find((k) => k.alg === 'RS256')!;
    assert.equal(rsa.kty, 'RSA');
    assert.ok(Buffer.from(rsa.n!, 'base64url').length >= 256, 'RSA 2048 or more');
    assert.equal(new Set(keys.map((k) => k.kid)).size, 2);
    for (const k of keys) {
      assert.equal(k.use, 'sig');
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const)
        assert.equal(k[priv], undefined, `no "${priv}"`);
    }
  });

  it('verifies an ES256 and an RS256 access token', async () => {
    for (const [client, alg] of [
      [es, 'ES256'],
      [rs, 'RS256'],
    ] as const) {
      const jwt = await token(client);
      const { protectedHeader, payload } = await verify(jwt);
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload['client_id'], client.id);
    }
  });

  it('after a rotation: publishes old and new keys, old tokens still verify, new tokens use the new kid', async () => {
    const before = await token(es);
    const oldKids = (await jwks()).keys.map((k) => k.kid);
    const fresh = await t.deps.keys.rotate(660);
    const kids = (await jwks()).keys.map((k) => k.kid);
    assert.equal(kids.length, 4);
    for (const kid of [...oldKids, ...fresh.map((k) => k.kid)]) assert.ok(kids.includes(kid));
    await verify(before);
    const after = await token(es);
    assert.equal(decodeProtectedHeader(after).kid, fresh.find((k) => k.alg === 'ES256')!.kid);
    await verify(after);

    t.clock.advance(661);
    assert.deepEqual(
      (await jwks()).keys.map((k) => k.kid).sort(),
      fresh.map((k) => k.kid).sort(),
      'old keys leave once no token they signed can still be valid',
    );
  });
});
