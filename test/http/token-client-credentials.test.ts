import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectOAuthError } from '../helpers/oauth.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

describe('POST /token client_credentials (in process)', () => {
  let t: TestApp;
  let client: { id: string; secret?: string };
  before(async () => {
    t = await testApp();
    client = await t.addClient({ grants: ['client_credentials'] });
  });
  after(() => t.close());

  it('refuses user scopes such as openid: invalid_scope (issue 8 #8)', async () => {
    const wide = await t.addClient({ grants: ['client_credentials'], scopes: ['openid', 'profile'] });
    for (const scope of ['openid', 'profile', 'openid profile']) {
      const res = await t.request(
        '/token',
        form({ grant_type: 'client_credentials', scope }, { authorization: basic(wide.id, wide.secret!) }),
      );
      await expectOAuthError(res, 'invalid_scope');
    }
  });

  it('issues a JWT access token with basic auth', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(body['expires_in'], 600);
    assert.equal(typeof body['access_token'], 'string');
  });

  it('refuses a token after the clock passes its exp', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret! }),
    );
    const { access_token } = (await res.json()) as { access_token: string };
    const introspect = () =>
      t
        .request(
          '/introspect',
          form({ token: access_token }, { authorization: basic(client.id, client.secret!) }),
        )
        .then((r) => r.json());
    assert.equal(((await introspect()) as { active: boolean }).active, true);
    t.clock.advance(601);
    assert.deepEqual(await introspect(), { active: false });
  });
});
