import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normalizeUserCode, userCodeHash } from '../../src/oauth/device.js';
import { DEVICE_CODE_GRANT } from '../../src/oauth/token/index.js';
import {
  claimsOf,
  expectOAuthError,
  introspect,
  type Json,
  json,
  refresh,
  type TestClient,
  tokenRequest,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const DOCS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];

describe('device authorization grant (RFC 8628)', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  /** A public client (a CLI), the usual device client. */
  let client: TestClient;
  let other: TestClient;
  let confidential: TestClient;
  let codeOnly: TestClient;

  const deviceClient = async (input: Parameters<TestApp['addClient']>[0] = {}): Promise<TestClient> => ({
    ...(await t.addClient({ grants: [DEVICE_CODE_GRANT, 'refresh_token'], isPublic: true, ...input })),
    redirectUri: '',
  });

  const authorize = (c: TestClient, fields: Record<string, string> = {}) =>
    t.request('/device_authorization', tokenRequest(c, fields));

  /** A fresh device authorization: the 200 body. */
  async function start(c: TestClient = client, scope?: string): Promise<Json> {
    const res = await authorize(c, scope ? { scope } : {});
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  }

  const poll = (c: TestClient, deviceCode: string, extra: Record<string, string> = {}) =>
    t.request(
      '/token',
      tokenRequest(c, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, ...extra }),
    );

  const hashOf = (userCode: string) => userCodeHash(normalizeUserCode(userCode) ?? '');

  /** What the `/device` page does once the user approved (the page is built elsewhere). */
  async function approve(userCode: string, userId = user.id): Promise<boolean> {
    const now = t.clock.now();
    return t.deps.store.devices.approve(
      hashOf(userCode),
      { userId, sessionHash: null, authTime: now, amr: ['pwd'] },
      now,
      { at: now, type: 'device_approved', userId, clientId: null, ip: null, detail: null },
    );
  }

  async function deny(userCode: string): Promise<boolean> {
    const now = t.clock.now();
    return t.deps.store.devices.deny(hashOf(userCode), now, {
      at: now,
      type: 'device_denied',
      userId: user.id,
      clientId: null,
      ip: null,
      detail: null,
    });
  }

  before(async () => {
    t = await testApp();
    user = await t.addUser({ name: 'Ada Lovelace' });
    client = await deviceClient();
    other = await deviceClient();
    confidential = await deviceClient({ isPublic: false });
    codeOnly = {
      ...(await t.addClient({ grants: ['authorization_code'], isPublic: true })),
      redirectUri: '',
    };
  });
  after(() => t.close());

  describe('POST /device_authorization', () => {
    it('answers the codes, the URIs, 600 s and 5 s, never cached', async () => {
      const res = await authorize(client, { scope: 'openid' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = await json(res);
      assert.match(body['device_code'], /^[A-Za-z0-9_-]{43}$/);
      assert.match(body['user_code'], USER_CODE);
      assert.equal(body['verification_uri'], `${t.issuer}/device`);
      assert.equal(body['verification_uri_complete'], `${t.issuer}/device?user_code=${body['user_code']}`);
      assert.equal(body['expires_in'], 600);
      assert.equal(body['interval'], 5);
    });

    it('accepts a confidential client with its secret', async () => {
      const body = await start(confidential);
      await expectOAuthError(await poll(confidential, body['device_code']), 'authorization_pending');
    });

    it('gives the client its default scopes when none is asked', async () => {
      const { user_code } = await start(client);
      const row = await t.deps.store.devices.findByUserCode(hashOf(user_code));
      assert.equal(row?.scope, 'openid profile email offline_access');
    });

    it('refuses a scope the client is not allowed', async () => {
      await expectOAuthError(await authorize(client, { scope: 'openid admin' }), 'invalid_scope');
    });

    it('refuses a client without the grant: unauthorized_client', async () => {
      await expectOAuthError(await authorize(codeOnly), 'unauthorized_client');
    });

    it('refuses an unknown client and a confidential one without its secret', async () => {
      await expectOAuthError(await authorize({ id: 'nobody', redirectUri: '' }), 'invalid_client', 401);
      await expectOAuthError(
        await t.request('/device_authorization', tokenRequest({ id: confidential.id }, { scope: 'openid' })),
        'invalid_client',
        401,
      );
    });

    it('answers 400 JSON to malformed bodies', async () => {
      await expectOAuthError(
        await t.request('/device_authorization', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: client.id }),
        }),
        'invalid_request',
      );
      await expectOAuthError(
        await t.request('/device_authorization', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${client.id}&scope=openid&scope=email`,
        }),
        'invalid_request',
      );
      await expectOAuthError(
        await t.request('/device_authorization', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${client.id}&scope=%ZZ`,
        }),
        'invalid_request',
      );
      const wrongMethod = await t.request('/device_authorization');
      assert.equal(wrongMethod.status, 405);
    });

    it('records the request for `latchkey events`', async () => {
      await start(client, 'openid email');
      const events = await t.deps.store.events.list(20);
      const event = events.find((e) => e.type === 'device_authorization_requested');
      assert.ok(event);
      assert.equal(event.clientId, client.id);
      assert.deepEqual(event.detail, { scope: 'openid email' });
    });

    it('stores neither the device code nor the user code in the clear', async () => {
      const { device_code, user_code } = await start(client);
      const row = await t.deps.store.devices.findByUserCode(hashOf(user_code));
      assert.ok(row);
      const stored = JSON.stringify(row);
      const normalized = normalizeUserCode(user_code);
      assert.ok(normalized);
      for (const secret of [device_code, user_code, normalized])
        assert.ok(!stored.includes(secret), `${secret} is stored in the clear`);
    });
  });

  describe('discovery', () => {
    for (const path of DOCS)
      it(`${path} advertises the endpoint and the grant`, async () => {
        const doc = await json(await t.request(path));
        assert.equal(doc['device_authorization_endpoint'], `${t.issuer}/device_authorization`);
        assert.ok((doc['grant_types_supported'] as string[]).includes(DEVICE_CODE_GRANT));
      });
  });

  describe('POST /token grant_type=device_code', () => {
    it('a client without the grant: unauthorized_client', async () => {
      const { device_code } = await start(client);
      await expectOAuthError(await poll(codeOnly, device_code), 'unauthorized_client');
    });

    it('answers authorization_pending until the user answers', async () => {
      const { device_code } = await start(client);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
      t.clock.advance(5);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
    });

    it('answers slow_down to a poll sooner than the interval, and the interval grows by 5 s', async () => {
      const { device_code } = await start(client);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
      t.clock.advance(2);
      await expectOAuthError(await poll(client, device_code), 'slow_down');
      // 10 s now: past the old 5 s but short of the new interval is still too fast (and grows it to 15 s).
      t.clock.advance(6);
      await expectOAuthError(await poll(client, device_code), 'slow_down');
      t.clock.advance(15);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
    });

    it('a slowed-down device that waits the new interval is pending again', async () => {
      const { device_code } = await start(client);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
      t.clock.advance(1);
      await expectOAuthError(await poll(client, device_code), 'slow_down');
      t.clock.advance(10);
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
    });

    it('answers expired_token after 600 s', async () => {
      const { device_code, user_code } = await start(client);
      t.clock.advance(601);
      await expectOAuthError(await poll(client, device_code), 'expired_token');
      assert.equal(await approve(user_code), false, 'an expired authorization cannot be approved');
    });

    it('answers access_denied once the user denied it', async () => {
      const { device_code, user_code } = await start(client);
      assert.equal(await deny(user_code), true);
      await expectOAuthError(await poll(client, device_code), 'access_denied');
      assert.equal(await approve(user_code), false);
    });

    it('issues tokens as the code flow does once approved: ID token with amr, rotating refresh token', async () => {
      const { device_code, user_code } = await start(client, 'openid email offline_access');
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
      // Lower or mixed case, spaces and dashes find the same authorization.
      assert.equal(await approve(` ${user_code.toLowerCase().replace('-', ' - ')} `), true);
      t.clock.advance(5);
      const res = await poll(client, device_code);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const tokens = await json(res);
      assert.equal(tokens['token_type'], 'Bearer');
      assert.equal(tokens['scope'], 'openid email offline_access');
      assert.ok(tokens['access_token'] && tokens['refresh_token'] && tokens['id_token']);

      const id = await verifyJwt(t, tokens['id_token'], client.id);
      assert.equal(id.sub, user.id);
      assert.deepEqual(id['amr'], ['pwd']);
      assert.equal(typeof id['auth_time'], 'number');
      assert.equal(id['email'], user.email);
      assert.equal(id['nonce'], undefined);
      const access = claimsOf(tokens['access_token']);
      assert.equal(access['sub'], user.id);
      assert.equal(access['client_id'], client.id);
      assert.equal((await introspect(t, client, tokens['access_token']))['active'], true);

      const rotated = await refresh(t, client, tokens['refresh_token']);
      assert.equal(rotated.status, 200);
      const next = await json(rotated);
      assert.ok(next['refresh_token'] && next['refresh_token'] !== tokens['refresh_token']);

      const login = (await t.deps.store.events.list(50)).find(
        (e) => e.type === 'login' && e.clientId === client.id,
      );
      assert.deepEqual(login?.detail, { grant_type: DEVICE_CODE_GRANT, amr: ['pwd'] });
    });

    it('issues no refresh token to a client without the refresh_token grant, no ID token without openid', async () => {
      const plain = await deviceClient({ grants: [DEVICE_CODE_GRANT] });
      const { device_code, user_code } = await start(plain, 'email');
      await approve(user_code);
      const tokens = await json(await poll(plain, device_code));
      assert.ok(tokens['access_token']);
      assert.equal(tokens['refresh_token'], undefined);
      assert.equal(tokens['id_token'], undefined);
    });

    it('a logout between approval and redemption undoes the approval: invalid_grant', async () => {
      const { device_code, user_code } = await start(client);
      const now = t.clock.now();
      const sessionHash = `session-${now}-${Math.random()}`;
      await t.deps.store.sessions.create({
        idHash: sessionHash,
        userId: user.id,
        authTime: now,
        amr: ['pwd'],
        userAgent: null,
        ip: null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + 3600,
        endedAt: null,
      });
      assert.equal(
        await t.deps.store.devices.approve(
          hashOf(user_code),
          { userId: user.id, sessionHash, authTime: now, amr: ['pwd'] },
          now,
          { at: now, type: 'device_approved', userId: user.id, clientId: null, ip: null, detail: null },
        ),
        true,
      );
      await t.deps.store.sessions.end(sessionHash, now + 1);
      t.clock.advance(6);
      await expectOAuthError(await poll(client, device_code), 'invalid_grant');
    });

    it('redeems an approval once: a second poll is invalid_grant', async () => {
      const { device_code, user_code } = await start(client);
      await approve(user_code);
      assert.equal((await poll(client, device_code)).status, 200);
      t.clock.advance(5);
      await expectOAuthError(await poll(client, device_code), 'invalid_grant');
    });

    it('another client polling the code gets invalid_grant and changes nothing: the owner still completes', async () => {
      const { device_code, user_code } = await start(client);
      await expectOAuthError(await poll(other, device_code), 'invalid_grant');
      // Not even counted as a poll: the owner's first poll right after is not slow_down.
      await expectOAuthError(await poll(client, device_code), 'authorization_pending');
      await approve(user_code);
      await expectOAuthError(await poll(other, device_code), 'invalid_grant');
      t.clock.advance(5);
      assert.equal((await poll(client, device_code)).status, 200);
    });

    it('20 concurrent polls after the approval: exactly one gets tokens', async () => {
      const { device_code, user_code } = await start(client, 'openid offline_access');
      await approve(user_code);
      const answers = await Promise.all(Array.from({ length: 20 }, () => poll(client, device_code)));
      const statuses = answers.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(' '));
      for (const res of answers.filter((r) => r.status !== 200)) await expectOAuthError(res, 'invalid_grant');
    });

    it('a user removed after approving: invalid_grant', async () => {
      const gone = await t.addUser({});
      const { device_code, user_code } = await start(client);
      await approve(user_code, gone.id);
      const now = t.clock.now();
      await t.deps.store.users.remove(gone.id, {
        at: now,
        type: 'user_removed',
        userId: null,
        clientId: null,
        ip: null,
        detail: null,
      });
      await expectOAuthError(await poll(client, device_code), 'invalid_grant');
    });

    it('refuses an unknown device code', async () => {
      await expectOAuthError(await poll(client, 'not-a-device-code'), 'invalid_grant');
    });

    it('answers 400 JSON to malformed bodies, never a 5xx', async () => {
      await expectOAuthError(
        await t.request('/token', tokenRequest(client, { grant_type: DEVICE_CODE_GRANT })),
        'invalid_request',
      );
      await expectOAuthError(
        await t.request('/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: DEVICE_CODE_GRANT, client_id: client.id, device_code: 'x' }),
        }),
        'invalid_request',
      );
      await expectOAuthError(await poll(client, 'x'.repeat(60_000)), 'invalid_grant');
      const { device_code } = await start(client);
      await expectOAuthError(
        await t.request('/token', tokenRequest(client, { grant_type: `${DEVICE_CODE_GRANT}x`, device_code })),
        'unsupported_grant_type',
      );
      await expectOAuthError(
        await t.request('/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=${encodeURIComponent(DEVICE_CODE_GRANT)}&client_id=${client.id}&device_code=a&device_code=b`,
        }),
        'invalid_request',
      );
      // RFC 6749 §3.2: parameters the grant does not know are ignored, not an error.
      await expectOAuthError(
        await poll(client, device_code, { code: 'x', redirect_uri: 'https://x.example/', scope: 'admin' }),
        'authorization_pending',
      );
    });
  });

  describe('without the device grant', () => {
    it('neither mounts the endpoint nor advertises it', async () => {
      const { createApp, DEFAULT_GRANTS } = await import('../../src/app.js');
      const app = createApp(t.deps, { grants: DEFAULT_GRANTS.filter((g) => g.type !== DEVICE_CODE_GRANT) });
      const res = await app.request(`${t.issuer}/device_authorization`, tokenRequest(client, {}));
      assert.equal(res.status, 404);
      const doc = await json(await app.request(`${t.issuer}${DOCS[0]}`));
      assert.equal(doc['device_authorization_endpoint'], undefined);
    });
  });
});
