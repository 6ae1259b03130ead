import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/admin/clients.js';
import { queryEvents } from '../../src/admin/events.js';
import { createUser } from '../../src/admin/users.js';
import { sha256 } from '../../src/crypto/hash.js';
import { expectOAuthError, type Json, json } from '../helpers/oauth.js';
import { basic, form, tempDir } from '../helpers/server.js';
import { type AdminFixture, adminFixture, expectApiError, passwordToken } from './admin-fixture.js';

describe('/admin/v1 (issue 12)', () => {
  const { dir, cleanup } = tempDir();
  const dbPath = join(dir, 'latchkey.db');
  let f: AdminFixture;
  let admin: { id: string; email: string; token: string };
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    f.call(admin.token, method, path, body, headers);

  before(async () => {
    // A database file, so the test can look for secrets in it.
    f = await adminFixture({ LATCHKEY_DB: dbPath });
    admin = await f.caller(['admin']);
  });
  after(async () => {
    await f.t.close();
    cleanup();
  });

  describe('client registration: the secret once, then only its SHA-256', () => {
    it('answers client_id and client_secret once; the store and the database file never hold the secret', async () => {
      const res = await call('POST', '/clients', {
        name: 'Partner service',
        grants: ['client_credentials'],
        scopes: [],
      });
      const created = await json(res);
      assert.equal(res.status, 201, JSON.stringify(created));
      const { client_id: id, client_secret: secret } = created as {
        client_id: string;
        client_secret: string;
      };
      assert.ok(id && secret && secret.length >= 32);

      const fetched = await json(await call('GET', `/clients/${encodeURIComponent(id)}`));
      assert.equal(fetched['client_id'], id);
      assert.equal(fetched['client_secret'], undefined);
      assert.ok(!JSON.stringify(fetched).includes(secret));
      const listed = await json(await call('GET', '/clients?limit=200'));
      assert.ok(!JSON.stringify(listed).includes(secret));

      const stored = await f.t.deps.store.clients.find(id);
      assert.equal(stored?.secretHash, sha256(secret));
      // SQLite writes through its WAL first: look in both files.
      for (const file of [dbPath, `${dbPath}-wal`]) {
        if (existsSync(file)) assert.ok(!readFileSync(file).includes(secret), `${file} holds the secret`);
      }

      // The secret works, once shown: a client-credentials token.
      const token = await f.t.request(
        '/token',
        form({ grant_type: 'client_credentials' }, { authorization: basic(id, secret) }),
      );
      assert.equal(token.status, 200, await token.text());
    });

    it('rotate-secret answers a new secret; the old one stops working', async () => {
      const { client_id: id, client_secret: old } = await json(
        await call('POST', '/clients', { name: 'Rotating', grants: ['client_credentials'], scopes: [] }),
      );
      const res = await call('POST', `/clients/${id}/rotate-secret`);
      const body = await json(res);
      assert.equal(res.status, 200);
      assert.equal(body['client_id'], id);
      assert.notEqual(body['client_secret'], old);
      const cc = (secret: string) =>
        f.t.request(
          '/token',
          form({ grant_type: 'client_credentials' }, { authorization: basic(id, secret) }),
        );
      await expectOAuthError(await cc(old), 'invalid_client', 401);
      assert.equal((await cc(body['client_secret'])).status, 200);
    });
  });

  describe('latchkey-console, the console’s own client', () => {
    it('PATCH changes require_mfa and the lifetimes; anything else is a 409 naming what may change', async () => {
      const path = '/clients/latchkey-console';
      const ok = await call('PATCH', path, { require_mfa: false, refresh_token_ttl: 3600 });
      const body = await json(ok);
      assert.equal(ok.status, 200, JSON.stringify(body));
      assert.equal(body['require_mfa'], false);
      for (const patch of [
        { redirect_uris: ['https://evil.example/cb'] },
        { scopes: ['openid'] },
        { name: 'Renamed console', require_mfa: true },
        { first_party: false, scopes: ['openid'] },
        { grants: ['authorization_code', 'refresh_token'] },
      ]) {
        const refused = await expectApiError(await call('PATCH', path, patch), 409, 'conflict');
        assert.match(
          refused['error_description'] as string,
          /^'latchkey-console' is the admin console's own client: only require_mfa, access_token_ttl, refresh_token_ttl, refresh_reuse_grace may change \(not [a-z_, ]+\)$/,
        );
      }
      await expectApiError(await call('PUT', path, { name: 'Console', public: true }), 409, 'conflict');
      const rotate = await expectApiError(await call('POST', `${path}/rotate-secret`), 409, 'conflict');
      assert.match(rotate['error_description'] as string, /public and has no secret/);
      const stored = (await f.t.deps.store.clients.find('latchkey-console'))!;
      assert.equal(stored.requireMfa, false);
      assert.equal(stored.firstParty, true);
      assert.deepEqual(stored.scopes, ['openid', 'admin']);
      assert.equal(stored.redirectUris.length, 1);
      assert.match(stored.redirectUris[0]!, /\/admin\/callback$/);
      await call('PATCH', path, { require_mfa: true });
    });
  });

  describe('PUT /clients/:client_id, the declarative upsert', () => {
    const document = {
      name: 'Declared app',
      redirect_uris: ['https://declared.example/cb'],
      grants: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'email'],
      first_party: true,
      token_format: 'opaque',
      access_token_ttl: 900,
      require_mfa: true,
    };

    it('creates (201, with the secret once), then the same body answers 200 and changes nothing', async () => {
      const first = await call('PUT', '/clients/declared-app', document);
      const created = await json(first);
      assert.equal(first.status, 201, JSON.stringify(created));
      assert.equal(typeof created['client_secret'], 'string');
      assert.equal(created['token_format'], 'opaque');
      const events = async () =>
        (await queryEvents(f.t.deps, { clientId: 'declared-app', limit: 200 })).items;
      const before = await events();

      f.t.clock.advance(120);
      const second = await call('PUT', '/clients/declared-app', document);
      const same = await json(second);
      assert.equal(second.status, 200, JSON.stringify(same));
      assert.equal(same['client_secret'], undefined);
      assert.equal(same['updated_at'], created['updated_at']);
      const { client_secret: _, ...createdClient } = created;
      assert.deepEqual(same, createdClient);
      assert.deepEqual(await events(), before, 'no new event');

      // A change is one: written, with its event; the secret stays as it was (none given).
      f.t.clock.advance(60);
      const third = await json(
        await call('PUT', '/clients/declared-app', { ...document, access_token_ttl: 300 }),
      );
      assert.equal(third['access_token_ttl'], 300);
      assert.equal(third['updated_at'], f.t.clock.now());
      assert.equal((await events()).length, before.length + 1);
      assert.equal(
        (await f.t.deps.store.clients.find('declared-app'))?.secretHash,
        sha256(created['client_secret'] as string),
      );
    });

    it('refuses a client_id in the body that is not the one in the path', async () => {
      await expectApiError(
        await call('PUT', '/clients/declared-other', { ...document, client_id: 'someone-else' }),
        400,
        'invalid_request',
        'client_id',
      );
    });
  });

  it('pages through 250 users 100 at a time: 3 pages, no duplicates, no gaps', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 250; i++) {
      const user = await createUser(f.t.deps, {
        email: `paged-${String(i).padStart(3, '0')}@paging.example`,
      });
      created.add(user.id);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ query: 'paging.example', limit: '100', ...(cursor ? { cursor } : {}) });
      const res = await call('GET', `/users?${q}`);
      const page = await json(res);
      assert.equal(res.status, 200, JSON.stringify(page));
      sizes.push(page['items'].length);
      seen.push(...page['items'].map((u: Json) => u['id']));
      cursor = page['next_cursor'];
    } while (cursor && sizes.length < 5);
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(new Set(seen).size, 250);
    assert.deepEqual(new Set(seen), created);
  });

  describe('validation errors name the field', () => {
    const cases: [string, string, string, unknown, number, string, string | undefined][] = [
      ['a wrong type', 'POST', '/users', { email: 42 }, 400, 'invalid_request', 'email'],
      [
        'a wrong type in an array',
        'POST',
        '/clients',
        { name: 'x', scopes: ['openid', 7] },
        400,
        'invalid_request',
        'scopes',
      ],
      [
        'an unknown member',
        'POST',
        '/clients',
        { name: 'x', colour: 'red' },
        400,
        'invalid_request',
        'colour',
      ],
      ['a missing member', 'POST', '/scopes', { name: 'read' }, 400, 'invalid_request', 'description'],
      [
        'a value off its list',
        'POST',
        '/clients',
        { name: 'x', token_format: 'paseto' },
        400,
        'invalid_request',
        'token_format',
      ],
      [
        'a redirect URI the use case refuses',
        'POST',
        '/clients',
        { name: 'x', redirect_uris: ['https://app.example/cb#fragment'] },
        400,
        'invalid_request',
        'redirect_uris',
      ],
      [
        'a TTL out of range',
        'PATCH',
        '/clients/none',
        { access_token_ttl: 0 },
        400,
        'invalid_request',
        'access_token_ttl',
      ],
      [
        'a weak password',
        'POST',
        '/users',
        { email: 'weak@example.test', password: 'password' },
        400,
        'invalid_request',
        'password',
      ],
      ['a bad cursor', 'GET', '/users?cursor=not-a-cursor', undefined, 400, 'invalid_request', 'cursor'],
      ['a limit too high', 'GET', '/users?limit=500', undefined, 400, 'invalid_request', 'limit'],
      ['a limit that is no number', 'GET', '/events?limit=ten', undefined, 400, 'invalid_request', 'limit'],
      ['an unknown query parameter', 'GET', '/users?colour=red', undefined, 400, 'invalid_request', 'colour'],
      [
        'a repeated query parameter',
        'GET',
        '/users?limit=1&limit=2',
        undefined,
        400,
        'invalid_request',
        'limit',
      ],
      [
        'a since that is no number',
        'GET',
        '/events?since=yesterday',
        undefined,
        400,
        'invalid_request',
        'since',
      ],
      ['a body that is not JSON', 'POST', '/users', '{"email":', 400, 'invalid_request', undefined],
      [
        'a body that is not an object',
        'POST',
        '/users',
        '["a@example.test"]',
        400,
        'invalid_request',
        undefined,
      ],
      ['an unknown user', 'GET', '/users/no-such-user', undefined, 404, 'not_found', undefined],
      ['an unknown client', 'DELETE', '/clients/no-such-client', undefined, 404, 'not_found', undefined],
    ];
    for (const [what, method, path, body, status, error, field] of cases) {
      it(`${what}: ${status} ${error}${field ? ` on "${field}"` : ''}`, async () => {
        await expectApiError(await call(method, path, body), status, error, field);
      });
    }

    it('a body that is not application/json is refused', async () => {
      const res = await call('POST', '/scopes', 'name=x', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      await expectApiError(res, 400, 'invalid_request');
    });

    it('an email taken by another user is a 409 conflict on "email"', async () => {
      const email = 'twice@example.test';
      assert.equal((await call('POST', '/users', { email })).status, 201);
      await expectApiError(await call('POST', '/users', { email }), 409, 'conflict', 'email');
    });

    it('a scope still listed by a client is a 409 conflict', async () => {
      assert.equal(
        (await call('POST', '/scopes', { name: 'reports', description: 'Read reports' })).status,
        201,
      );
      await createClient(f.t.deps, { name: 'Reporter', scopes: ['reports'] });
      await expectApiError(await call('DELETE', '/scopes/reports'), 409, 'conflict');
    });
  });

  describe('who may call', () => {
    it('an admin change shows up in GET /events with the admin as actor, with ip and user agent', async () => {
      const res = await call(
        'POST',
        '/users',
        { email: 'audited@example.test' },
        { 'user-agent': 'admin-test/1.0' },
      );
      const { id } = await json(res);
      const events = await json(await call('GET', `/events?type=user_created&user_id=${id}`));
      assert.equal(events['items'].length, 1, JSON.stringify(events));
      const [event] = events['items'];
      assert.equal(event['actor'], `user:${admin.id}`);
      assert.equal(event['user_agent'], 'admin-test/1.0');
      assert.equal(typeof event['ip'], 'string');
    });

    it('a client-credentials token of a client with a role acts as client:<id>', async () => {
      const { client, secret } = await createClient(f.t.deps, {
        name: 'Provisioning robot',
        grants: ['client_credentials'],
        scopes: ['admin'],
        roles: ['users:write', 'events:read'],
      });
      const res = await f.t.request(
        '/token',
        form(
          { grant_type: 'client_credentials', scope: 'admin' },
          { authorization: basic(client.id, secret!) },
        ),
      );
      const { access_token: token } = await json(res);
      assert.equal(res.status, 200);
      const made = await f.call(token, 'POST', '/users', { email: 'robot-made@example.test' });
      const { id } = await json(made);
      assert.equal(made.status, 201);
      const events = await json(await f.call(token, 'GET', `/events?type=user_created&user_id=${id}`));
      assert.equal(events['items'][0]['actor'], `client:${client.id}`);
      // Its role grants no clients:read.
      await expectOAuthError(await f.call(token, 'GET', '/clients'), 'insufficient_scope', 403);
    });

    it('a token without the admin scope: 403 insufficient_scope naming it', async () => {
      const { client, secret } = await createClient(f.t.deps, {
        name: 'Plain first-party app',
        grants: ['password'],
        scopes: ['openid', 'admin'],
        firstParty: true,
      });
      const user = await f.t.addUser({ roles: ['admin'] });
      const token = await passwordToken(f.t, { id: client.id, secret: secret! }, user, 'openid');
      const res = await f.call(token, 'GET', '/users');
      assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="admin"/);
      await expectOAuthError(res, 'insufficient_scope', 403);
    });

    it('a token minted for another resource server is refused: 401 invalid_token', async () => {
      const api = 'https://reports.example.test/api';
      const { client, secret } = await createClient(f.t.deps, {
        name: 'Console with an API',
        grants: ['password'],
        scopes: ['admin'],
        firstParty: true,
        resources: [api],
      });
      const user = await f.t.addUser({ roles: ['admin'] });
      const res = await f.t.request(
        '/token',
        form(
          {
            grant_type: 'password',
            username: user.email,
            password: user.password,
            scope: 'admin',
            resource: api,
          },
          { authorization: basic(client.id, secret!) },
        ),
      );
      const { access_token: token } = await json(res);
      assert.equal(res.status, 200);
      const refused = await f.call(token, 'GET', '/users');
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      await expectOAuthError(refused, 'invalid_token', 401);
    });

    it('a role taken away or a user disabled counts at once, whatever the token says', async () => {
      const caller = await f.caller(['admin']);
      assert.equal((await f.call(caller.token, 'GET', '/users?limit=1')).status, 200);
      await call('PATCH', `/users/${caller.id}`, { roles: ['auditor'] });
      await expectOAuthError(await f.call(caller.token, 'POST', '/keys/rotate'), 'insufficient_scope', 403);
      assert.equal((await f.call(caller.token, 'GET', '/users?limit=1')).status, 200);
      const other = await f.caller(['admin']);
      await call('POST', `/users/${other.id}/disable`);
      await expectOAuthError(await f.call(other.token, 'GET', '/users?limit=1'), 'invalid_token', 401);
    });
  });

  it('never answers a provider secret', async () => {
    const secret = 'upstream-client-secret-42';
    const res = await call('POST', '/providers', {
      slug: 'corp',
      issuer: 'https://login.corp.example',
      client_id: 'latchkey-at-corp',
      client_secret: secret,
      name: 'Corp SSO',
    });
    const body = await res.text();
    assert.equal(res.status, 201, body);
    for (const text of [
      body,
      await (await call('GET', '/providers')).text(),
      await (await call('GET', '/providers/corp')).text(),
      await (await call('POST', '/providers/corp/disable')).text(),
    ])
      assert.ok(!text.includes(secret), text);
  });
});
