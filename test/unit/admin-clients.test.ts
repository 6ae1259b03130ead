import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type ClientInput,
  createClient,
  describeClient,
  listClients,
  putClient,
  removeClient,
  rotateClientSecret,
  updateClient,
} from '../../src/admin/clients.js';
import { type AdminContext, CLI, CONFIG_FILE } from '../../src/admin/context.js';
import { queryEvents } from '../../src/admin/events.js';
import { addScope } from '../../src/admin/scopes.js';
import { sha256 } from '../../src/crypto/hash.js';
import { introspect, json, refresh, type TestClient, tokenRequest, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';
import { adminError } from './admin-helpers.js';

const API: AdminContext = { actor: 'client:ops-bot', ip: '198.51.100.4', userAgent: 'ops-bot/1.0' };
const SECRET = 'a-configured-secret-of-at-least-32-characters';

async function clientEvents(t: TestApp, clientId: string) {
  return (await queryEvents(t.deps, { clientId, limit: 200 })).items;
}

describe('admin use cases: clients', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.close();
  });

  describe('putClient', () => {
    const input: ClientInput = {
      name: 'Partner',
      redirectUris: ['https://partner.example/cb', 'https://partner.example/a-cb'],
      grants: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'email'],
      accessTokenTtlSeconds: 300,
    };

    it('creates once (secret answered once), then the same input changes nothing and writes nothing', async () => {
      const first = await putClient(t.deps, 'partner', input, API);
      assert.equal(first.created, true);
      assert.ok(first.secret && first.secret.length >= 32);
      assert.equal(first.client.secretHash, sha256(first.secret));
      assert.equal(first.client.managedBy, null, 'the API does not hand it to the config file');
      const shown = describeClient(first.client);
      assert.equal(shown['client_id'], 'partner');
      for (const v of Object.values(shown)) assert.notEqual(v, first.client.secretHash, 'no hash shown');
      assert.equal('secret_hash' in shown || 'client_secret' in shown, false);
      const created = await clientEvents(t, 'partner');
      assert.deepEqual(
        created.map((e) => [e.type, e.actor, e.ip, e.userAgent]),
        [['client_created', 'client:ops-bot', '198.51.100.4', 'ops-bot/1.0']],
      );

      t.clock.advance(60);
      // The same body, the lists in another order: nothing to do.
      const second = await putClient(
        t.deps,
        'partner',
        { ...input, redirectUris: [...input.redirectUris!].reverse(), scopes: ['email', 'openid'] },
        API,
      );
      assert.equal(second.created, false);
      assert.deepEqual(second.changed, []);
      assert.equal(second.secret, undefined, 'no secret on an update');
      const stored = await t.deps.store.clients.find('partner');
      assert.equal(stored?.updatedAt, first.client.updatedAt, 'updated_at unchanged');
      assert.equal(stored?.secretHash, first.client.secretHash, 'the secret stays');
      assert.equal((await clientEvents(t, 'partner')).length, 1, 'no new event');

      // What the input leaves out takes its default: dropping the TTL is a change back to 600.
      const { accessTokenTtlSeconds: _ttl, ...withoutTtl } = input;
      const third = await putClient(t.deps, 'partner', { ...withoutTtl, name: 'Partner 2' }, API);
      assert.deepEqual(third.changed.sort(), ['accessTokenTtlSeconds', 'name']);
      assert.equal(third.client.accessTokenTtlSeconds, 600);
      assert.equal(third.client.updatedAt, t.clock.now());
      const updated = (await clientEvents(t, 'partner'))[0];
      assert.equal(updated?.type, 'client_updated');
      assert.deepEqual([...((updated?.detail?.['changed'] as string[]) ?? [])].sort(), [
        'accessTokenTtlSeconds',
        'name',
      ]);
    });

    it('changes the secret only when one is given, and the same secret again is no change', async () => {
      await putClient(t.deps, 'partner', { ...input, clientSecret: SECRET });
      const same = await putClient(t.deps, 'partner', { ...input, clientSecret: SECRET });
      assert.deepEqual(same.changed, []);
      const other = `${SECRET}-rotated`;
      const changed = await putClient(t.deps, 'partner', { ...input, clientSecret: other });
      assert.deepEqual(changed.changed, ['clientSecret']);
      assert.equal((await t.deps.store.clients.find('partner'))?.secretHash, sha256(other));
      const events = await clientEvents(t, 'partner');
      assert.deepEqual(
        events[0]?.detail,
        { changed: ['clientSecret'] },
        'the row names the field, not the value',
      );
      assert.doesNotMatch(JSON.stringify(events), new RegExp(other));
    });

    it('never turns a public client confidential or back, and refuses a client_id other than its own', async () => {
      await putClient(t.deps, 'spa', {
        name: 'SPA',
        isPublic: true,
        redirectUris: ['https://spa.example/cb'],
      });
      await assert.rejects(
        putClient(t.deps, 'spa', { name: 'SPA', redirectUris: ['https://spa.example/cb'] }),
        adminError('invalid_input', 'isPublic'),
      );
      await assert.rejects(
        putClient(t.deps, 'spa', { name: 'SPA', clientId: 'other' }),
        adminError('invalid_input', 'clientId'),
      );
    });
  });

  describe('updateClient', () => {
    it('changes only what the patch names; an equal patch writes nothing', async () => {
      const { client } = await createClient(t.deps, {
        name: 'App',
        redirectUris: ['https://app.example/cb'],
        requireMfa: true,
      });
      t.clock.advance(30);
      const res = await updateClient(
        t.deps,
        client.id,
        { redirectUris: ['https://app.example/cb', 'https://app.example/cb2'], tokenFormat: 'opaque' },
        API,
      );
      assert.deepEqual(res.changed, ['redirectUris', 'tokenFormat']);
      assert.equal(res.client.requireMfa, true, 'left as it was');
      assert.equal(res.client.name, 'App');
      assert.equal(res.client.updatedAt, t.clock.now());
      assert.equal(res.client.createdAt, client.createdAt);
      assert.deepEqual((await t.deps.store.clients.find(client.id))?.redirectUris.sort(), [
        'https://app.example/cb',
        'https://app.example/cb2',
      ]);
      const before = (await clientEvents(t, client.id)).length;
      assert.deepEqual(
        (await updateClient(t.deps, client.id, { tokenFormat: 'opaque', name: 'App' })).changed,
        [],
      );
      assert.equal((await clientEvents(t, client.id)).length, before);
    });

    it('validates the merged client with the same rules as creation', async () => {
      const { client } = await createClient(t.deps, { name: 'App' });
      await assert.rejects(
        updateClient(t.deps, client.id, { redirectUris: ['https://app.example/*'] }),
        adminError('invalid_input', 'redirectUris'),
      );
      await assert.rejects(
        updateClient(t.deps, client.id, { scopes: ['nope'] }),
        adminError('invalid_input', 'scopes'),
      );
      await assert.rejects(
        updateClient(t.deps, client.id, { accessTokenTtlSeconds: 0 }),
        adminError('invalid_input', 'accessTokenTtlSeconds'),
      );
      await assert.rejects(
        updateClient(t.deps, client.id, { clientSecret: 'short' }),
        adminError('invalid_input', 'clientSecret'),
      );
      await assert.rejects(
        updateClient(t.deps, client.id, { isPublic: true } as never),
        adminError('invalid_input', 'isPublic'),
      );
      await assert.rejects(updateClient(t.deps, 'no-such-client', { name: 'x' }), adminError('not_found'));
      const stored = await t.deps.store.clients.find(client.id);
      assert.deepEqual(stored, client, 'nothing was written');
    });

    it('a clientSecret in the patch replaces the hash', async () => {
      const { client, secret } = await createClient(t.deps, { name: 'App' });
      const res = await updateClient(t.deps, client.id, { clientSecret: SECRET });
      assert.deepEqual(res.changed, ['clientSecret']);
      assert.equal(res.client.secretHash, sha256(SECRET));
      assert.notEqual(res.client.secretHash, sha256(secret!));
    });
  });

  describe('roles and the admin scope', () => {
    it('allows "admin" in the allow-list only to a first-party client or one with roles', async () => {
      await assert.rejects(
        createClient(t.deps, { name: 'Third party', scopes: ['openid', 'admin'] }),
        (err) => adminError('invalid_input', 'scopes')(err) && /first-party/.test((err as Error).message),
      );
      const firstParty = await createClient(t.deps, {
        name: 'Console',
        scopes: ['openid', 'admin'],
        firstParty: true,
      });
      assert.deepEqual(firstParty.client.scopes, ['openid', 'admin']);
      const bot = await createClient(t.deps, {
        name: 'Bot',
        grants: ['client_credentials'],
        scopes: ['admin'],
        roles: ['auditor', 'keys:rotate'],
      });
      assert.deepEqual(bot.client.roles, ['auditor', 'keys:rotate']);
      assert.deepEqual(describeClient(bot.client)['roles'], ['auditor', 'keys:rotate']);
      // Taking away what made it allowed is refused while the scope stays.
      await assert.rejects(
        updateClient(t.deps, firstParty.client.id, { firstParty: false }),
        adminError('invalid_input', 'scopes'),
      );
      await assert.rejects(
        updateClient(t.deps, bot.client.id, { roles: [] }),
        adminError('invalid_input', 'scopes'),
      );
    });

    it('a role must be a built-in role or a permission', async () => {
      for (const roles of [['superuser'], ['users:delete'], ['admin', 'has space']])
        await assert.rejects(
          createClient(t.deps, { name: 'Bot', grants: ['client_credentials'], roles }),
          adminError('invalid_input', 'roles'),
          roles.join(),
        );
    });
  });

  describe('the console client id', () => {
    it('is reserved: the CLI, the API and the config file cannot register "latchkey-console"', async () => {
      const input: ClientInput = {
        clientId: 'latchkey-console',
        name: 'Not the console',
        isPublic: true,
        redirectUris: ['https://evil.example/cb'],
        grants: ['authorization_code'],
      };
      for (const ctx of [CLI, CONFIG_FILE, API]) {
        await assert.rejects(createClient(t.deps, input, ctx), (err: unknown) => {
          adminError('exists', 'clientId')(err);
          assert.match((err as Error).message, /reserved for the admin console/);
          return true;
        });
      }
    });
  });

  describe('removeClient', () => {
    it('revokes everything issued to the client, with client_removed, in one unit of work', async () => {
      const user = await t.addUser({});
      const app = await t.addClient({
        redirectUris: ['https://app.example/cb'],
        grants: ['authorization_code', 'refresh_token', 'client_credentials'],
      });
      const appClient: TestClient = {
        id: app.id,
        secret: app.secret!,
        redirectUri: 'https://app.example/cb',
      };
      const rs = await t.addClient({ introspectAny: true, grants: ['client_credentials'] });
      const rsClient: TestClient = { id: rs.id, secret: rs.secret!, redirectUri: '' };
      const tokens = await tokensFor(t, appClient, user, { scope: 'openid offline_access' });
      const cc = await json(
        await t.request('/token', tokenRequest(appClient, { grant_type: 'client_credentials' })),
      );
      assert.equal((await introspect(t, rsClient, tokens['access_token'])).active, true);
      assert.equal((await introspect(t, rsClient, cc['access_token'])).active, true);
      const grants = await t.deps.store.grants.listActiveForUser(user.id, t.clock.now());
      assert.equal(grants.length, 1);

      const before = (await clientEvents(t, app.id)).length;
      const removed = await removeClient(t.deps, app.id, API);
      assert.equal(removed.id, app.id);
      assert.equal(await t.deps.store.clients.find(app.id), undefined);
      assert.equal(await t.deps.store.grants.find(grants[0]!.id), undefined, 'the family is gone');
      assert.equal(await t.deps.store.tokens.findRefresh(sha256(tokens['refresh_token'])), undefined);
      assert.equal((await introspect(t, rsClient, tokens['access_token'])).active, false);
      assert.equal((await introspect(t, rsClient, cc['access_token'])).active, false);
      assert.equal(
        (await refresh(t, appClient, tokens['refresh_token'])).status,
        401,
        'the client is unknown',
      );
      const [event] = await clientEvents(t, app.id);
      assert.equal(event?.type, 'client_removed');
      assert.equal(event?.actor, 'client:ops-bot');

      await assert.rejects(removeClient(t.deps, app.id), adminError('not_found'));
      assert.equal(
        (await clientEvents(t, app.id)).length,
        before + 1,
        'nothing written for a missing client',
      );
    });

    it('removes the opaque access tokens of the client', async () => {
      const app = await t.addClient({ grants: ['client_credentials'], tokenFormat: 'opaque' });
      const appClient: TestClient = { id: app.id, secret: app.secret!, redirectUri: '' };
      const cc = await json(
        await t.request('/token', tokenRequest(appClient, { grant_type: 'client_credentials' })),
      );
      assert.ok(await t.deps.store.tokens.findOpaqueAccess(sha256(cc['access_token'])));
      await removeClient(t.deps, app.id);
      assert.equal(await t.deps.store.tokens.findOpaqueAccess(sha256(cc['access_token'])), undefined);
    });
  });

  it('rotateClientSecret writes client_secret_rotated; the old secret stops working', async () => {
    const app = await t.addClient({ grants: ['client_credentials'] });
    t.clock.advance(10);
    const fresh = await rotateClientSecret(t.deps, app.id, API);
    const stored = await t.deps.store.clients.find(app.id);
    assert.equal(stored?.secretHash, sha256(fresh));
    assert.equal(stored?.updatedAt, t.clock.now());
    const [event] = await clientEvents(t, app.id);
    assert.equal(event?.type, 'client_secret_rotated');
    assert.doesNotMatch(JSON.stringify(event), new RegExp(fresh));
    const old = await t.request(
      '/token',
      tokenRequest({ id: app.id, secret: app.secret! }, { grant_type: 'client_credentials' }),
    );
    assert.equal(old.status, 401);
    const ok = await t.request(
      '/token',
      tokenRequest({ id: app.id, secret: fresh }, { grant_type: 'client_credentials' }),
    );
    assert.equal(ok.status, 200);
  });

  it('listClients pages oldest first and filters on a part of the name or id', async () => {
    await addScope(t.deps, 'api:read', 'Read the API');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      t.clock.advance(i % 3 === 0 ? 1 : 0);
      ids.push(
        (await createClient(t.deps, { name: i % 2 ? `Odd ${i}` : `Even ${i}`, clientId: `c-${i}` })).client
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listClients(t.deps, { limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    const expected = (await t.deps.store.clients.list())
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((c) => c.id);
    assert.deepEqual(seen, expected);
    assert.equal(seen.length, 13, 'the twelve and the admin console’s own client (issue 17)');
    assert.deepEqual(
      (await listClients(t.deps, { query: 'odd' })).items.map((c) => c.id),
      expected.filter((id) => Number(id.slice(2)) % 2 === 1),
    );
    assert.deepEqual((await listClients(t.deps, { query: 'c-1' })).items.map((c) => c.id).sort(), [
      'c-1',
      'c-10',
      'c-11',
    ]);
    await assert.rejects(listClients(t.deps, { cursor: 'garbage!' }), adminError('invalid_input', 'cursor'));
    await assert.rejects(listClients(t.deps, { limit: 500 }), adminError('invalid_input', 'limit'));
    // A users cursor is not a clients cursor.
    const usersCursor = Buffer.from(JSON.stringify(['users', 1, 'x'])).toString('base64url');
    await assert.rejects(listClients(t.deps, { cursor: usersCursor }), adminError('invalid_input', 'cursor'));
  });
});
