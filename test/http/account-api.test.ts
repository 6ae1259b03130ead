import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { sha256 } from '../../src/crypto/hash.js';
import {
  browser,
  expectOAuthError,
  getCode,
  type Json,
  json,
  refresh,
  type TestClient,
  tokenRequest,
  tokensFor,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';
const IP = '203.0.113.41';
const UA = 'AccountApiTest/1.0 (+https://app.example)';

describe('self-service API: /account/v1/authorizations and DELETE /session (issue 12)', () => {
  let t: TestApp;
  /** First-party: its tokens see and revoke all of the user's authorizations. */
  let home: TestClient;
  /** Third-party (asks consent): its tokens see only its own. */
  let partner: TestClient;
  /** Third-party with opaque access tokens. */
  let opaque: TestClient;

  before(async () => {
    t = await testApp();
    home = {
      ...(await t.addClient({ name: 'Home', redirectUris: [CB], firstParty: true })),
      redirectUri: CB,
    };
    partner = { ...(await t.addClient({ name: 'Partner', redirectUris: [CB] })), redirectUri: CB };
    opaque = {
      ...(await t.addClient({ name: 'Opaque', redirectUris: [CB], tokenFormat: 'opaque' })),
      redirectUri: CB,
    };
  });
  after(() => t.close());

  /** A request from a known address and browser, with a bearer token. */
  const call = (path: string, token: string | undefined, method = 'GET') =>
    t.app.request(
      new URL(path, t.issuer).toString(),
      { method, headers: { 'user-agent': UA, ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      { incoming: { socket: { remoteAddress: IP } } },
    );

  async function list(token: string): Promise<Json[]> {
    const res = await call('/account/v1/authorizations', token);
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return body['authorizations'] as Json[];
  }

  const grantOf = async (refreshToken: string) => {
    const row = await t.deps.store.tokens.findRefresh(sha256(refreshToken));
    assert.ok(row, 'the refresh token is stored');
    return row.grantId;
  };

  const userinfo = (accessToken: string) =>
    t.request('/userinfo', { headers: { authorization: `Bearer ${accessToken}` } });

  it('lists the live authorizations with client name, scopes, created and last used', async () => {
    const user = await t.addUser({});
    const mine = await tokensFor(t, home, user, { scope: 'openid profile offline_access' });
    const theirs = await tokensFor(t, partner, user, { scope: 'openid email offline_access' });
    const gone = await tokensFor(t, partner, user, { scope: 'openid offline_access' });
    await t.deps.store.grants.revoke(await grantOf(gone['refresh_token']), t.clock.now());
    const createdAt = t.clock.now();

    t.clock.advance(120);
    const refreshed = await json(await refresh(t, partner, theirs['refresh_token']));
    assert.ok(refreshed['access_token'], 'the partner refreshed');

    const items = await list(mine['access_token']);
    assert.equal(items.length, 2, 'the revoked authorization is not listed');
    const byClient = new Map(items.map((a) => [a['client_id'], a]));
    assert.deepEqual(byClient.get(home.id), {
      id: await grantOf(mine['refresh_token']),
      client_id: home.id,
      client_name: 'Home',
      scopes: ['openid', 'profile', 'offline_access'],
      created_at: createdAt,
      last_used_at: createdAt,
    });
    assert.deepEqual(byClient.get(partner.id), {
      id: await grantOf(theirs['refresh_token']),
      client_id: partner.id,
      client_name: 'Partner',
      scopes: ['openid', 'email', 'offline_access'],
      created_at: createdAt,
      last_used_at: createdAt + 120,
    });
  });

  it('revokes one: its refresh token fails with invalid_grant, its access token at /userinfo, the consent is forgotten', async () => {
    const user = await t.addUser({});
    const mine = await tokensFor(t, home, user, { scope: 'openid' });
    const theirs = await tokensFor(t, partner, user, { scope: 'openid offline_access' });
    const opaqueTokens = await tokensFor(t, opaque, user, { scope: 'openid offline_access' });
    assert.equal((await userinfo(theirs['access_token'])).status, 200);
    assert.deepEqual(await t.deps.store.consents.find(user.id, partner.id), ['openid', 'offline_access']);

    for (const [client, tokens] of [
      [partner, theirs],
      [opaque, opaqueTokens],
    ] as const) {
      const id = await grantOf(tokens['refresh_token']);
      const res = await call(`/account/v1/authorizations/${id}`, mine['access_token'], 'DELETE');
      assert.equal(res.status, 204, await res.text());
      assert.equal(res.headers.get('cache-control'), 'no-store');
      await expectOAuthError(await refresh(t, client, tokens['refresh_token']), 'invalid_grant');
      const info = await userinfo(tokens['access_token']);
      assert.equal(info.status, 401, `the ${client === opaque ? 'opaque' : 'JWT'} access token is refused`);
      assert.deepEqual(await t.deps.store.consents.find(user.id, client.id), [], 'the consent is forgotten');
    }

    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'app_revoked');
    assert.equal(event?.userId, user.id);
    assert.equal(event?.clientId, opaque.id);
    assert.equal(event?.actor, null, 'the user acted, through the app');
    assert.equal(event?.ip, IP);
    assert.equal(event?.userAgent, UA);
    assert.equal(event?.detail?.['by_client'], home.id);
    // The caller's own authorization is untouched.
    assert.deepEqual(
      (await list(mine['access_token'])).map((a) => a['client_id']),
      [home.id],
    );
  });

  it('a third-party client sees and revokes only its own client’s authorizations', async () => {
    const user = await t.addUser({});
    const mine = await tokensFor(t, home, user, { scope: 'openid offline_access' });
    const theirs = await tokensFor(t, partner, user, { scope: 'openid' });
    const items = await list(theirs['access_token']);
    assert.deepEqual(
      items.map((a) => a['client_id']),
      [partner.id],
    );
    const homeGrant = await grantOf(mine['refresh_token']);
    const res = await call(`/account/v1/authorizations/${homeGrant}`, theirs['access_token'], 'DELETE');
    await expectOAuthError(res, 'not_found', 404);
    assert.equal((await t.deps.store.grants.find(homeGrant))?.revokedAt, null, 'the other app stays');
    const ownId = items[0]!['id'] as string;
    assert.equal(
      (await call(`/account/v1/authorizations/${ownId}`, theirs['access_token'], 'DELETE')).status,
      204,
    );
    // Revoking its own authorization revokes the calling token too.
    assert.equal((await call('/account/v1/authorizations', theirs['access_token'])).status, 401);
  });

  it('answers 404 not_found for an unknown id, another user’s authorization and a revoked one', async () => {
    const [user, stranger] = [await t.addUser({}), await t.addUser({})];
    const mine = await tokensFor(t, home, user, { scope: 'openid' });
    const other = await tokensFor(t, home, user, { scope: 'openid offline_access' });
    const strangers = await tokensFor(t, home, stranger, { scope: 'openid offline_access' });
    const strangerGrant = await grantOf(strangers['refresh_token']);
    const otherGrant = await grantOf(other['refresh_token']);
    await t.deps.store.grants.revoke(otherGrant, t.clock.now());
    for (const id of ['no-such-grant', strangerGrant, otherGrant, 'x'.repeat(300)]) {
      const res = await call(`/account/v1/authorizations/${id}`, mine['access_token'], 'DELETE');
      await expectOAuthError(res, 'not_found', 404);
    }
    assert.equal((await t.deps.store.grants.find(strangerGrant))?.revokedAt, null);
  });

  it('401 with a Bearer challenge without a token or with a dead one; 403 insufficient_scope for client credentials', async () => {
    const none = await call('/account/v1/authorizations', undefined);
    await expectOAuthError(none, 'invalid_token', 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="latchkey"$/);
    const noSession = await call('/session', undefined, 'DELETE');
    await expectOAuthError(noSession, 'invalid_token', 401);
    assert.match(noSession.headers.get('www-authenticate') ?? '', /^Bearer /);

    const bogus = await call('/account/v1/authorizations', 'not-a-token');
    await expectOAuthError(bogus, 'invalid_token', 401);
    assert.match(bogus.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

    const service = await t.addClient({ grants: ['client_credentials'], scopes: [] });
    const cc = await json(
      await t.request('/token', tokenRequest(service, { grant_type: 'client_credentials' })),
    );
    assert.ok(cc['access_token'], JSON.stringify(cc));
    for (const [path, method] of [
      ['/account/v1/authorizations', 'GET'],
      ['/session', 'DELETE'],
    ] as const) {
      const res = await call(path, cc['access_token'], method);
      await expectOAuthError(res, 'insufficient_scope', 403);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    }
  });

  it('refuses a token minted for another resource (RFC 8707 audience) with 401 invalid_token', async () => {
    const api = {
      ...(await t.addClient({ redirectUris: [CB], firstParty: true, resources: ['https://api.example'] })),
      redirectUri: CB,
    };
    const user = await t.addUser({});
    const tokens = await tokensFor(t, api, user, { extra: { resource: 'https://api.example' } });
    const res = await call('/account/v1/authorizations', tokens['access_token']);
    await expectOAuthError(res, 'invalid_token', 401);
  });

  it('the page middleware stays off the API: no sign-in redirect, no CSRF page, a JSON 405', async () => {
    const res = await call('/account/v1/authorizations', undefined, 'POST');
    const body = await expectOAuthError(res, 'invalid_request', 405);
    assert.match(String(body['error_description']), /not allowed/);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  describe('RFC 9470 step-up', () => {
    it('answers insufficient_user_authentication to a single-factor token of a user who enrolled TOTP since', async () => {
      const user = await t.addUser({});
      const single = await tokensFor(t, home, user, { scope: 'openid offline_access' });
      assert.equal((await list(single['access_token'])).length, 1, 'fine before the enrolment');
      const record = (await t.deps.store.users.find(user.id))!;
      const { secret } = await enrollTotpNow(t.deps, record, { ip: null, clientId: null });

      const id = await grantOf(single['refresh_token']);
      for (const [path, method] of [
        ['/account/v1/authorizations', 'GET'],
        [`/account/v1/authorizations/${id}`, 'DELETE'],
      ] as const) {
        const res = await call(path, single['access_token'], method);
        await expectOAuthError(res, 'insufficient_user_authentication', 403);
        const challenge = res.headers.get('www-authenticate') ?? '';
        assert.match(challenge, /^Bearer /);
        assert.match(challenge, /error="insufficient_user_authentication"/);
        assert.match(challenge, /error_description="[^"]+"/);
        assert.match(challenge, /acr_values="urn:latchkey:acr:2fa"/);
      }
      assert.equal((await t.deps.store.grants.find(id))?.revokedAt, null, 'nothing was revoked');

      // Signed in again with the code: the same routes answer.
      const stepped = await tokensFor(t, home, user, {
        scope: 'openid',
        extra: { acr_values: 'urn:latchkey:acr:2fa' },
        otp: () => generateSync({ secret, epoch: t.clock.now() }),
      });
      const items = await list(stepped['access_token']);
      assert.equal(items.length, 2);
      const res = await call(`/account/v1/authorizations/${id}`, stepped['access_token'], 'DELETE');
      assert.equal(res.status, 204);
    });
  });

  describe('DELETE /session', () => {
    it('ends the browser session of the token: its tokens and refresh tokens die, an offline_access grant survives', async () => {
      const user = await t.addUser({});
      const agent = browser(t);
      const online = await tokensFor(t, home, user, { scope: 'openid', agent });
      const offline = await tokensFor(t, home, user, { scope: 'openid offline_access', agent });
      assert.equal((await agent.request('/account')).status, 200, 'signed in');
      const elsewhere = await tokensFor(t, home, user, { scope: 'openid' });

      const res = await call('/session', online['access_token'], 'DELETE');
      assert.equal(res.status, 204, await res.text());
      assert.equal(res.headers.get('cache-control'), 'no-store');

      const account = await agent.request('/account');
      assert.equal(account.status, 303, 'the browser session is over');
      assert.match(account.headers.get('location') ?? '', /^\/login\?return_to=/);
      assert.equal((await userinfo(online['access_token'])).status, 401);
      await expectOAuthError(await refresh(t, home, online['refresh_token']), 'invalid_grant');
      assert.equal((await refresh(t, home, offline['refresh_token'])).status, 200, 'offline_access survives');
      assert.equal((await userinfo(elsewhere['access_token'])).status, 200, 'another session is untouched');

      const [event] = await t.deps.store.events.list(1);
      assert.equal(event?.type, 'logout');
      assert.equal(event?.userId, user.id);
      assert.equal(event?.clientId, home.id);
      assert.equal(event?.ip, IP);
      assert.equal(event?.userAgent, UA);
      assert.equal(event?.detail?.['session_ended'], true);
      assert.equal(event?.detail?.['revoked_grants'], 1);
    });

    it('revokes the calling token’s own grant even when it is offline_access', async () => {
      const user = await t.addUser({});
      const agent = browser(t);
      const offline = await tokensFor(t, home, user, { scope: 'openid offline_access', agent });
      assert.equal((await call('/session', offline['access_token'], 'DELETE')).status, 204);
      assert.equal((await agent.request('/account')).status, 303);
      await expectOAuthError(await refresh(t, home, offline['refresh_token']), 'invalid_grant');
      // The token is dead: a second call is a 401.
      await expectOAuthError(await call('/session', offline['access_token'], 'DELETE'), 'invalid_token', 401);
    });

    it('a token of the password grant (no browser session) only has its own grant revoked', async () => {
      const app = {
        ...(await t.addClient({ grants: ['password', 'refresh_token'], firstParty: true })),
        redirectUri: CB,
      };
      const user = await t.addUser({});
      const agent = browser(t);
      await getCode(t, home, user, { agent });
      const res = await t.request(
        '/token',
        tokenRequest(app, {
          grant_type: 'password',
          username: user.email,
          password: user.password,
          scope: 'openid',
        }),
      );
      const tokens = await json(res);
      assert.equal(res.status, 200, JSON.stringify(tokens));
      assert.equal((await call('/session', tokens['access_token'], 'DELETE')).status, 204);
      await expectOAuthError(await refresh(t, app, tokens['refresh_token']), 'invalid_grant');
      assert.equal((await agent.request('/account')).status, 200, 'the browser session is not this token’s');
      const [event] = await t.deps.store.events.list(1);
      assert.equal(event?.detail?.['session_ended'], false);
      assert.equal(event?.detail?.['revoked_grants'], 1);
    });
  });
});
