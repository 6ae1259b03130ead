import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, authorizeThroughPages, pkce } from '../helpers/agent.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

describe('authorization code flow in process', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('goes through login and consent, then redeems the code once', async () => {
    const user = await t.addUser({});
    const client = await t.addClient({ redirectUris: ['https://app.example/cb'] });
    const agent = new Agent((u, i) => t.app.request(u, i), t.issuer);
    const { verifier, challenge } = pkce();
    const cb = await authorizeThroughPages(agent, {
      clientId: client.id,
      redirectUri: 'https://app.example/cb',
      scope: 'openid email offline_access',
      challenge,
      email: user.email,
      password: user.password,
    });
    const code = cb.searchParams.get('code')!;
    assert.ok(code);
    const redeem = () =>
      t.request(
        '/token',
        form(
          {
            grant_type: 'authorization_code',
            code,
            redirect_uri: 'https://app.example/cb',
            code_verifier: verifier,
          },
          { authorization: basic(client.id, client.secret!) },
        ),
      );
    const first = await redeem();
    assert.equal(first.status, 200);
    const second = await redeem();
    assert.equal(second.status, 400);
    assert.equal(((await second.json()) as { error: string }).error, 'invalid_grant');
  });
});
