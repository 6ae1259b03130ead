import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, type TestClient, tokenRequest } from '../helpers/oauth.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

describe('GET, POST /userinfo', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: TestClient;

  /** Tokens through the password grant: the quickest way to a user's access token in process. */
  const tokensWith = async (scope: string) => {
    const res = await t.request(
      '/token',
      tokenRequest(client, { grant_type: 'password', username: user.email, password: user.password, scope }),
    );
    assert.equal(res.status, 200);
    return json(res);
  };
  const get = (token: string) => t.request('/userinfo', { headers: { authorization: `Bearer ${token}` } });

  /** RFC 6750 §3: a 401 with a Bearer challenge. */
  async function assertUnauthorized(res: Response, error?: string): Promise<void> {
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    if (error) {
      assert.match(challenge, new RegExp(`error="${error}"`));
      assert.equal((await json(res)).error, error);
    }
  }

  before(async () => {
    t = await testApp();
    user = await t.addUser({ name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
    client = { ...(await t.addClient({ grants: ['password'], firstParty: true })), redirectUri: '' };
  });
  after(() => t.close());

  it('answers the claims of the scopes granted (GET with the Authorization header)', async () => {
    const { access_token } = await tokensWith('openid');
    const res = await get(access_token);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await json(res), { sub: user.id });

    const all = await json(await get((await tokensWith('openid profile email')).access_token));
    assert.equal(all.sub, user.id);
    assert.equal(all.email, user.email);
    assert.equal(typeof all.email_verified, 'boolean');
    assert.equal(all.name, 'Ada Lovelace');
    assert.equal(all.given_name, 'Ada');
    assert.equal(all.family_name, 'Lovelace');

    const emailOnly = await json(await get((await tokensWith('openid email')).access_token));
    assert.equal(emailOnly.email, user.email);
    assert.equal(emailOnly.name, undefined);
  });

  it('accepts POST with the header and with the token in a form body (RFC 6750 §2.2)', async () => {
    const { access_token } = await tokensWith('openid email');
    const header = await t.request('/userinfo', {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(header.status, 200);
    assert.equal((await json(header)).email, user.email);
    const body = await t.request('/userinfo', form({ access_token }));
    assert.equal(body.status, 200);
    assert.equal((await json(body)).sub, user.id);
  });

  it('refuses a token sent in two places', async () => {
    const { access_token } = await tokensWith('openid');
    const res = await t.request(
      '/userinfo',
      form({ access_token }, { authorization: `Bearer ${access_token}` }),
    );
    assert.equal(res.status, 400);
    assert.equal((await json(res)).error, 'invalid_request');
  });

  it('answers 401 with a Bearer challenge without a token', async () => {
    await assertUnauthorized(await t.request('/userinfo'));
    await assertUnauthorized(
      await t.request('/userinfo', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }),
    );
  });

  it('answers 401 invalid_token for a garbage token', async () => {
    await assertUnauthorized(await get('garbage'), 'invalid_token');
    await assertUnauthorized(await get('a.b.c'), 'invalid_token');
    const { access_token } = await tokensWith('openid');
    const [h, p, s] = access_token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'someone-else', scope: 'openid' })).toString('base64url')}.${s}`;
    assert.ok(p);
    await assertUnauthorized(await get(tampered), 'invalid_token');
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const { access_token } = await tokensWith('openid');
    t.clock.advance(601);
    await assertUnauthorized(await get(access_token), 'invalid_token');
  });

  it('answers 401 invalid_token for a revoked token', async () => {
    const { access_token } = await tokensWith('openid');
    assert.equal((await get(access_token)).status, 200);
    const revoked = await t.request(
      '/revoke',
      form({ token: access_token }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(revoked.status, 200);
    await assertUnauthorized(await get(access_token), 'invalid_token');
  });

  it('answers 403 insufficient_scope for a token without openid', async () => {
    const { access_token } = await tokensWith('profile email');
    const res = await get(access_token);
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    assert.equal((await json(res)).error, 'insufficient_scope');
  });

  it('answers 401 for a client credentials token (no user)', async () => {
    const service = await t.addClient({ grants: ['client_credentials'] });
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(service.id, service.secret!) }),
    );
    const { access_token } = await json(res);
    assert.ok(access_token);
    await assertUnauthorized(await get(access_token), 'invalid_token');
  });

  it('works with opaque access tokens too', async () => {
    const opaque = {
      ...(await t.addClient({ grants: ['password'], tokenFormat: 'opaque' })),
      redirectUri: '',
    };
    const res = await t.request(
      '/token',
      tokenRequest(opaque, {
        grant_type: 'password',
        username: user.email,
        password: user.password,
        scope: 'openid email',
      }),
    );
    const { access_token } = await json(res);
    assert.equal(access_token.split('.').length, 1);
    const info = await get(access_token);
    assert.equal(info.status, 200);
    assert.equal((await json(info)).email, user.email);
    t.clock.advance(601);
    await assertUnauthorized(await get(access_token), 'invalid_token');
  });
});
