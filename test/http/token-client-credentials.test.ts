import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimsOf, expectOAuthError } from '../helpers/oauth.js';
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

  describe("RFC 8707 resource: only from the client's allow-list (issue 8 #4)", () => {
    const API = 'https://api.example.test/v1';
    const cc = (who: { id: string; secret?: string }, resource: string) =>
      t.request(
        '/token',
        form({ grant_type: 'client_credentials', resource }, { authorization: basic(who.id, who.secret!) }),
      );

    it('a client without --resource can name no audience at all', async () => {
      for (const resource of ['https://payments.internal.example/api', API]) {
        const body = await expectOAuthError(await cc(client, resource), 'invalid_target');
        assert.equal(body['access_token'], undefined);
      }
    });

    it('a listed resource becomes the aud; any other, even a near one, is invalid_target', async () => {
      const api = await t.addClient({ grants: ['client_credentials'], resources: [API] });
      const res = await cc(api, API);
      assert.equal(res.status, 200);
      assert.equal(claimsOf(((await res.json()) as { access_token: string }).access_token)['aud'], API);
      for (const other of [
        'https://payments.internal.example/api',
        `${API}/`,
        'https://API.example.test/v1',
        `${API}?x=1`,
      ])
        await expectOAuthError(await cc(api, other), 'invalid_target');
      // Malformed is invalid_target too (RFC 8707 §2), before the list is looked at.
      await expectOAuthError(await cc(api, 'api'), 'invalid_target');
    });
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
