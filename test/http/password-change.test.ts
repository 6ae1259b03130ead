import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setUserPassword } from '../../src/admin/users.js';
import { browser, expectOAuthError, refresh, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

describe('a password change (latchkey user set-password)', () => {
  let t: TestApp;
  let client: TestClient;

  before(async () => {
    t = await testApp();
    client = { ...(await t.addClient({ redirectUris: [CB], firstParty: true })), redirectUri: CB };
  });
  after(() => t.close());

  it('ends the user’s browser sessions and revokes the user’s refresh tokens (SPEC §3, issue 8 #5)', async () => {
    const user = await t.addUser({});
    const bystander = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, client, user, { scope: 'openid offline_access', agent });
    const theirs = await tokensFor(t, client, bystander, { scope: 'openid offline_access' });
    assert.equal((await agent.request('/account')).status, 200, 'the session opens /account');

    await setUserPassword(t.deps, user.email, 'a-new-and-long-passphrase');

    const account = await agent.request('/account');
    assert.equal(account.status, 303, 'the session cookie no longer opens /account');
    assert.match(account.headers.get('location') ?? '', /^\/login\?/);
    await expectOAuthError(await refresh(t, client, tokens.refresh_token), 'invalid_grant');
    assert.equal((await refresh(t, client, theirs.refresh_token)).status, 200, 'another user keeps theirs');
    const [event] = await t.deps.store.events.list(1);
    // Issue 12: set by an admin (`password_changed` is the user's own change).
    assert.equal(event?.type, 'password_set');
    assert.equal(event?.actor, 'cli');
    assert.equal(event?.userId, user.id);
  });
});
