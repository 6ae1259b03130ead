// Regression tests for the issue-12 security review: each fails without its fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { putClient, removeClient, updateClient } from '../../src/admin/clients.js';
import { ADMIN_SCOPE } from '../../src/admin/permissions.js';
import { createUser, updateUser } from '../../src/admin/users.js';
import { AdminError } from '../../src/admin/validate.js';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { pkce } from '../helpers/agent.js';
import { browser, expectOAuthError, json, refresh, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

describe('issue 12 hardening', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('a user disabled during the second-factor step gets no usable session', async () => {
    const c = await t.addClient({ redirectUris: [CB], firstParty: true });
    const user = await t.addUser({});
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const agent = browser(t);
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: c.id,
      redirect_uri: CB,
      scope: 'openid',
      state: 's',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    const login = await agent.go(`/authorize?${q}`);
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
    assert.match(mfa.html!, /Authentication code/);
    await updateUser(t.deps, user.id, { disabled: true });
    await agent.submit(mfa.html!, { code: generateSync({ secret, epoch: t.clock.now() }) }, t.issuer);
    const account = await agent.request('/account');
    assert.equal(account.status, 303, 'the account page sends a disabled user to the login page');
    assert.match(account.headers.get('location') ?? '', /^\/login/);
  });

  it('a refresh drops `admin` once the client is no longer first-party, and what the allow-list lost', async () => {
    const c = await t.addClient({
      redirectUris: [CB],
      firstParty: true,
      grants: ['password', 'refresh_token'],
      scopes: ['openid', 'profile', ADMIN_SCOPE],
      roles: ['admin'],
    });
    const client = { ...c, redirectUri: CB };
    const user = await t.addUser({});
    const first = await json(
      await t.request(
        '/token',
        tokenRequest(client, {
          grant_type: 'password',
          username: user.email,
          password: user.password,
          scope: 'openid profile admin',
        }),
      ),
    );
    assert.equal(first['scope'], 'openid profile admin');
    await updateClient(t.deps, c.id, { firstParty: false });
    const second = await json(await refresh(t, client, first['refresh_token']));
    assert.equal(second['scope'], 'openid profile', 'admin is gone with first-party');
    await updateClient(t.deps, c.id, { scopes: ['openid'] });
    const third = await json(await refresh(t, client, second['refresh_token']));
    assert.equal(third['scope'], 'openid', 'a scope the allow-list lost is gone');
    await expectOAuthError(
      await refresh(t, client, third['refresh_token'], { scope: 'openid profile' }),
      'invalid_scope',
    );
  });

  it('a removed client registered again under the same id does not revive its old tokens', async () => {
    await putClient(t.deps, 'svc-again', {
      name: 'Service',
      grants: ['client_credentials'],
      scopes: [ADMIN_SCOPE],
      roles: ['admin'],
      clientSecret: 'a-long-enough-client-secret-for-tests-1',
    });
    const res = await t.request(
      '/token',
      tokenRequest(
        { id: 'svc-again', secret: 'a-long-enough-client-secret-for-tests-1' },
        { grant_type: 'client_credentials', scope: ADMIN_SCOPE },
      ),
    );
    const token = (await json(res))['access_token'] as string;
    assert.ok(await t.deps.accessTokens.verify(token));
    await removeClient(t.deps, 'svc-again');
    t.clock.advance(1);
    await putClient(t.deps, 'svc-again', {
      name: 'Service again',
      grants: ['client_credentials'],
      scopes: [ADMIN_SCOPE],
      roles: ['admin'],
    });
    assert.equal(await t.deps.accessTokens.verify(token), undefined);
  });

  it('two identical creates at once: one wins, the other is `exists` or the same upsert, never a raw error', async () => {
    const puts = await Promise.allSettled([
      putClient(t.deps, 'raced', { name: 'Raced' }),
      putClient(t.deps, 'raced', { name: 'Raced' }),
    ]);
    assert.deepEqual(
      puts.map((p) => p.status),
      ['fulfilled', 'fulfilled'],
    );
    const users = await Promise.allSettled([
      createUser(t.deps, { email: 'raced@example.test' }),
      createUser(t.deps, { email: 'raced@example.test' }),
    ]);
    const failed = users.filter((u) => u.status === 'rejected');
    assert.equal(failed.length, 1);
    const reason = (failed[0] as PromiseRejectedResult).reason;
    assert.ok(
      reason instanceof AdminError && reason.code === 'exists' && reason.field === 'email',
      String(reason),
    );
  });

  it('the device flow never grants `admin`, and no flow gives it by default', async () => {
    const c = await t.addClient({
      firstParty: true,
      grants: ['urn:ietf:params:oauth:grant-type:device_code', 'password'],
      scopes: ['openid', ADMIN_SCOPE],
      roles: ['admin'],
    });
    const asked = await t.request(
      '/device_authorization',
      tokenRequest(c, { scope: `openid ${ADMIN_SCOPE}` }),
    );
    await expectOAuthError(asked, 'invalid_scope');
    const user = await t.addUser({});
    const byDefault = await json(
      await t.request(
        '/token',
        tokenRequest(c, { grant_type: 'password', username: user.email, password: user.password }),
      ),
    );
    assert.equal(byDefault['scope'], 'openid', 'admin only when asked for by name');
  });
});
