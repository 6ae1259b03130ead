import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

type Client = { id: string; secret?: string };
type Body = Record<string, unknown>;

describe('POST /revoke (RFC 7009)', () => {
  let t: TestApp;
  let a: Client;
  let b: Client;
  let opaque: Client;

  const token = async (client: Client) => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const revoke = (client: Client, tok: string, extra: Record<string, string> = {}) =>
    t.request('/revoke', form({ token: tok, ...extra }, { authorization: basic(client.id, client.secret!) }));
  const active = async (client: Client, tok: string) => {
    const res = await t.request(
      '/introspect',
      form({ token: tok }, { authorization: basic(client.id, client.secret!) }),
    );
    return ((await res.json()) as Body)['active'];
  };

  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    a = await t.addClient({ grants: ['client_credentials'] });
    b = await t.addClient({ grants: ['client_credentials'] });
    opaque = await t.addClient({ grants: ['client_credentials'], tokenFormat: 'opaque' });
  });
  after(() => t.close());

  it('revokes a JWT access token: 200, empty body, no-store; it introspects inactive', async () => {
    const tok = await token(a);
    assert.equal(await active(a, tok), true);
    const res = await revoke(a, tok);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await active(a, tok), false);
  });

  it('revoking twice is fine', async () => {
    const tok = await token(a);
    assert.equal((await revoke(a, tok)).status, 200);
    assert.equal((await revoke(a, tok)).status, 200);
    assert.equal(await active(a, tok), false);
  });

  it('revokes an opaque access token', async () => {
    const tok = await token(opaque);
    assert.equal((await revoke(opaque, tok, { token_type_hint: 'access_token' })).status, 200);
    assert.equal(await active(opaque, tok), false);
  });

  it('an unknown token answers 200 (RFC 7009 §2.2)', async () => {
    for (const tok of ['unknown', 'a.b.c', 'x'.repeat(5000)]) {
      const res = await revoke(a, tok);
      assert.equal(res.status, 200, tok.slice(0, 20));
    }
  });

  it('an unknown token_type_hint value is ignored', async () => {
    const tok = await token(a);
    assert.equal((await revoke(a, tok, { token_type_hint: 'id_token' })).status, 200);
    assert.equal(await active(a, tok), false);
  });

  it("another client's token answers 200 and stays active", async () => {
    const tok = await token(b);
    const res = await revoke(a, tok);
    assert.equal(res.status, 200);
    assert.equal(await active(b, tok), true);
    const op = await token(opaque);
    assert.equal((await revoke(a, op)).status, 200);
    assert.equal(await active(opaque, op), true);
  });

  it('revoking one token leaves the client’s other tokens alone', async () => {
    const one = await token(a);
    const two = await token(a);
    await revoke(a, one);
    assert.equal(await active(a, one), false);
    assert.equal(await active(a, two), true);
  });

  it('needs client authentication and the token parameter', async () => {
    const tok = await token(a);
    const anonymous = await t.request('/revoke', form({ token: tok }));
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as Body)['error'], 'invalid_client');
    const wrong = await t.request(
      '/revoke',
      form({ token: tok }, { authorization: basic(a.id, 'wrong-secret') }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(await active(a, tok), true, 'a failed call revokes nothing');
    const missing = await t.request('/revoke', form({}, { authorization: basic(a.id, a.secret!) }));
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as Body)['error'], 'invalid_request');
  });
});
