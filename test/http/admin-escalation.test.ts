// Nobody hands out, or takes over, more than they hold (issue-12 review): each case fails without `requireReach`
// or the caller's live client checks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateClient } from '../../src/admin/clients.js';
import { json, tokenRequest } from '../helpers/oauth.js';
import { type AdminFixture, adminFixture, expectApiError } from './admin-fixture.js';

describe('admin API: no escalation', () => {
  let f: AdminFixture;
  before(async () => {
    f = await adminFixture();
  });
  after(() => f.t.close());

  it('users:write cannot give itself or anyone roles beyond its own', async () => {
    const me = await f.caller(['users:write']);
    await expectApiError(
      await f.call(me.token, 'PATCH', `/users/${me.id}`, { roles: ['admin'] }),
      403,
      'insufficient_scope',
    );
    await expectApiError(
      await f.call(me.token, 'POST', '/users', { email: 'new-admin@example.test', roles: ['keys:rotate'] }),
      403,
      'insufficient_scope',
    );
    assert.deepEqual((await f.t.deps.store.users.find(me.id))?.roles, ['users:write']);
    // Within its reach it may: a role it holds itself.
    const ok = await f.call(me.token, 'POST', '/users', {
      email: 'peer@example.test',
      roles: ['users:write'],
    });
    assert.equal(ok.status, 201);
  });

  it('users:write, users:unlink and users:mfa cannot act on an admin', async () => {
    const admin = await f.caller(['admin']);
    const writer = await f.caller(['users:write', 'users:unlink', 'users:mfa']);
    for (const [method, path, body] of [
      ['PUT', `/users/${admin.id}/password`, { password: 'a brand new passphrase 42' }],
      ['PATCH', `/users/${admin.id}`, { email: 'taken-over@example.test' }],
      ['POST', `/users/${admin.id}/disable`, undefined],
      ['DELETE', `/users/${admin.id}/mfa`, undefined],
      ['DELETE', `/users/${admin.id}/provider`, undefined],
      ['DELETE', `/users/${admin.id}/sessions`, undefined],
      ['DELETE', `/users/${admin.id}`, undefined],
    ] as const) {
      const res = await f.call(writer.token, method, path, body);
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    assert.equal((await f.t.deps.store.users.find(admin.id))?.email, admin.email);
  });

  it('clients:write cannot register or take over a client that reaches the admin API', async () => {
    const me = await f.caller(['clients:write', 'clients:read']);
    await expectApiError(
      await f.call(me.token, 'POST', '/clients', {
        name: 'Robot',
        grants: ['client_credentials'],
        scopes: ['admin'],
        roles: ['admin'],
      }),
      403,
      'insufficient_scope',
    );
    // The admin console: first-party with `admin` allowed, so any admin's sign-in goes through it.
    for (const [method, path, body] of [
      ['PATCH', `/clients/${f.console.id}`, { redirect_uris: ['https://attacker.example/cb'] }],
      ['POST', `/clients/${f.console.id}/rotate-secret`, undefined],
      ['DELETE', `/clients/${f.console.id}`, undefined],
    ] as const) {
      const res = await f.call(me.token, method, path, body);
      assert.equal(res.status, 403, `${method} ${path}`);
    }
    // An ordinary partner app is within its reach.
    const partner = await f.call(me.token, 'POST', '/clients', {
      name: 'Partner',
      redirect_uris: ['https://partner.example/cb'],
    });
    assert.equal(partner.status, 201);
  });

  it('a token stops counting once its client loses admin, first-party or client credentials', async () => {
    const admin = await f.caller(['admin']);
    assert.equal((await f.call(admin.token, 'GET', '/keys')).status, 200);
    // No longer first-party (roles keep `admin` on its allow-list): a person's token through it cannot act.
    await updateClient(f.t.deps, f.console.id, { firstParty: false, roles: ['keys:read'] });
    assert.equal((await f.call(admin.token, 'GET', '/keys')).status, 403);
    await updateClient(f.t.deps, f.console.id, { firstParty: true, roles: [] });
    assert.equal((await f.call(admin.token, 'GET', '/keys')).status, 200);

    const robot = await f.t.addClient({
      grants: ['client_credentials'],
      scopes: ['admin'],
      roles: ['keys:read'],
    });
    const res = await f.t.request(
      '/token',
      tokenRequest(
        { id: robot.id, secret: robot.secret! },
        { grant_type: 'client_credentials', scope: 'admin' },
      ),
    );
    const token = (await json(res))['access_token'] as string;
    assert.equal((await f.call(token, 'GET', '/keys')).status, 200);
    await updateClient(f.t.deps, robot.id, { scopes: ['openid'] });
    assert.equal((await f.call(token, 'GET', '/keys')).status, 403);
  });
});

describe('admin API: addresses and names that would not be stored as given', () => {
  let f: AdminFixture;
  before(async () => {
    f = await adminFixture();
  });
  after(() => f.t.close());

  it('refuses control characters and lone surrogates in emails and names, naming the field', async () => {
    const admin = await f.caller(['admin']);
    for (const [body, field] of [
      [{ email: '\ud800@example.test' }, 'email'],
      [{ email: 'a\u0000b@example.test' }, 'email'],
      [{ email: 'ok@example.test', name: 'Ada \udc00' }, 'name'],
    ] as const) {
      await expectApiError(await f.call(admin.token, 'POST', '/users', body), 400, 'invalid_request', field);
    }
    assert.equal(
      (await f.call(admin.token, 'POST', '/users', { email: 'émile😀@example.test' })).status,
      201,
    );
  });
});
