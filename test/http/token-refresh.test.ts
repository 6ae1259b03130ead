import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  expectOAuthError,
  introspect,
  type Json,
  json,
  refresh,
  type TestClient,
  tokensFor,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

async function ok(res: Response): Promise<Json> {
  const body = await json(res);
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

describe('POST /token grant_type=refresh_token', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: TestClient;
  const SCOPE = 'openid email offline_access';

  const newClient = async (input: Parameters<TestApp['addClient']>[0] = {}): Promise<TestClient> => ({
    ...(await t.addClient({ redirectUris: [CB], firstParty: true, ...input })),
    redirectUri: CB,
  });

  before(async () => {
    t = await testApp();
    user = await t.addUser({});
    client = await newClient();
  });
  after(() => t.close());

  it('rotates the refresh token on every use', async () => {
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    const second = await ok(await refresh(t, client, first.refresh_token));
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.scope, SCOPE);
    assert.equal(second.token_type, 'Bearer');
    const third = await ok(await refresh(t, client, second.refresh_token));
    assert.notEqual(third.refresh_token, second.refresh_token);
    // The rotated tokens are no longer active; the newest is.
    assert.equal((await introspect(t, client, first.refresh_token)).active, false);
    assert.equal((await introspect(t, client, third.refresh_token)).active, true);
    // The ID token keeps the original sign-in.
    const idFirst = await verifyJwt(t, first.id_token, client.id);
    const idThird = await verifyJwt(t, third.id_token, client.id);
    assert.equal(idThird.sub, user.id);
    assert.equal(idThird['auth_time'], idFirst['auth_time']);
    assert.deepEqual(idThird['amr'], ['pwd']);
  });

  it('answers the very same successor tokens to the same token within the grace window', async () => {
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    const a = await ok(await refresh(t, client, first.refresh_token));
    t.clock.advance(5);
    const b = await ok(await refresh(t, client, first.refresh_token));
    assert.equal(b.access_token, a.access_token);
    assert.equal(b.refresh_token, a.refresh_token);
    assert.equal(b.id_token, a.id_token);
    assert.equal(b.scope, a.scope);
    assert.ok(b.expires_in <= a.expires_in && b.expires_in > 0);
    // The family is intact: the successor still works.
    const c = await ok(await refresh(t, client, a.refresh_token));
    assert.ok(c.access_token);
  });

  it('after the grace window, reuse fails and revokes the whole family', async () => {
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    const a = await ok(await refresh(t, client, first.refresh_token));
    const b = await ok(await refresh(t, client, a.refresh_token));
    t.clock.advance(11);
    await expectOAuthError(await refresh(t, client, first.refresh_token), 'invalid_grant');
    // The latest refresh token and the access tokens of the family are revoked too.
    await expectOAuthError(await refresh(t, client, b.refresh_token), 'invalid_grant');
    assert.equal((await introspect(t, client, b.access_token)).active, false);
    assert.equal((await introspect(t, client, b.refresh_token)).active, false);
  });

  it('refreshReuseGraceSeconds 0 detects reuse at once', async () => {
    const strict = await newClient({ refreshReuseGraceSeconds: 0 });
    const first = await tokensFor(t, strict, user, { scope: SCOPE });
    const a = await ok(await refresh(t, strict, first.refresh_token));
    await expectOAuthError(await refresh(t, strict, first.refresh_token), 'invalid_grant');
    await expectOAuthError(await refresh(t, strict, a.refresh_token), 'invalid_grant');
    assert.equal((await introspect(t, strict, a.access_token)).active, false);
  });

  it('never forks the family under 20 concurrent refreshes of the same token', async () => {
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        refresh(t, client, first.refresh_token).then(async (r) => ({
          status: r.status,
          body: await json(r),
        })),
      ),
    );
    const successes = results.filter((r) => r.status === 200);
    // Inside the grace window every request of the same client is an idempotent retry.
    assert.equal(successes.length, 20, JSON.stringify(results.find((r) => r.status !== 200)?.body));
    const successors = new Set(successes.map((r) => r.body.refresh_token));
    assert.equal(successors.size, 1, 'one successor');
    assert.equal(new Set(successes.map((r) => r.body.access_token)).size, 1);
    const [successor] = successors;
    assert.ok(await ok(await refresh(t, client, successor)));
  });

  it('refuses a token presented by another client and revokes its family (issue 8 #7)', async () => {
    const other = await newClient();
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    const second = await ok(await refresh(t, client, first.refresh_token));
    await expectOAuthError(await refresh(t, other, second.refresh_token), 'invalid_grant');
    await expectOAuthError(await refresh(t, client, second.refresh_token), 'invalid_grant');
    assert.equal((await introspect(t, client, second.access_token)).active, false);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'refresh_wrong_client');
    assert.equal(event?.clientId, other.id);
  });

  it('refuses an unknown token', async () => {
    await expectOAuthError(await refresh(t, client, 'not-a-refresh-token'), 'invalid_grant');
  });

  it('allows a narrower scope and refuses a wider one', async () => {
    const first = await tokensFor(t, client, user, { scope: SCOPE });
    await expectOAuthError(
      await refresh(t, client, first.refresh_token, { scope: 'openid email profile' }),
      'invalid_scope',
    );
    const narrow = await ok(
      await refresh(t, client, first.refresh_token, { scope: 'openid offline_access' }),
    );
    assert.equal(narrow.scope, 'openid offline_access');
    const id = await verifyJwt(t, narrow.id_token, client.id);
    assert.equal(id['email'], undefined);
    assert.equal((await verifyJwt(t, narrow.access_token))['scope'], 'openid offline_access');
    // Narrowing once does not lose what the family was granted.
    const back = await ok(await refresh(t, client, narrow.refresh_token));
    assert.equal(back.scope, SCOPE);
  });

  it('expires refresh tokens after the client refreshTokenTtlSeconds', async () => {
    const short = await newClient({ refreshTokenTtlSeconds: 100 });
    const first = await tokensFor(t, short, user, { scope: SCOPE });
    t.clock.advance(50);
    const a = await ok(await refresh(t, short, first.refresh_token));
    t.clock.advance(101);
    await expectOAuthError(await refresh(t, short, a.refresh_token), 'invalid_grant');
  });

  it('issues no refresh token to a client without the refresh_token grant', async () => {
    const codeOnly = await newClient({ grants: ['authorization_code'] });
    const first = await tokensFor(t, codeOnly, user, { scope: SCOPE });
    assert.equal(first.refresh_token, undefined, 'no refresh token issued');
  });
});
