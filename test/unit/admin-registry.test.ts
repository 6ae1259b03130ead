import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createClient, updateClient } from '../../src/admin/clients.js';
import { type AdminContext, CONFIG_FILE } from '../../src/admin/context.js';
import { describeEvent, queryEvents } from '../../src/admin/events.js';
import { listKeys, rotateKeys } from '../../src/admin/keys.js';
import {
  addProvider,
  describeProvider,
  removeProvider,
  setProviderEnabled,
  updateProvider,
} from '../../src/admin/providers.js';
import { addScope, listScopes, removeScope } from '../../src/admin/scopes.js';
import { createUser, updateUser } from '../../src/admin/users.js';
import type { AuditEvent } from '../../src/store/types.js';
import { type TestApp, testApp } from '../helpers/server.js';
import { adminError } from './admin-helpers.js';

const API: AdminContext = { actor: 'user:root', ip: '192.0.2.1', userAgent: 'curl/8.5' };

async function newest(t: TestApp): Promise<AuditEvent | undefined> {
  return (await t.deps.store.events.list(1))[0];
}
const count = async (t: TestApp) => (await t.deps.store.events.list(100_000)).length;

describe('admin use cases: scopes, providers, keys, events', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.close();
  });

  describe('scopes', () => {
    it('addScope writes scope_added, scope_updated for a new description, nothing for the same one', async () => {
      const added = await addScope(t.deps, 'api:read', 'Read the API', API);
      assert.deepEqual(added, {
        name: 'api:read',
        description: 'Read the API',
        builtin: false,
        managedBy: null,
      });
      assert.equal((await newest(t))?.type, 'scope_added');
      assert.equal((await newest(t))?.actor, 'user:root');
      const n = await count(t);
      await addScope(t.deps, 'api:read', '  Read the API ');
      assert.equal(await count(t), n, 'the same description writes nothing');
      const changed = await addScope(t.deps, 'api:read', 'Read everything', CONFIG_FILE);
      assert.equal(changed.description, 'Read everything');
      assert.equal(changed.managedBy, null, 'the creator keeps it');
      assert.equal((await newest(t))?.type, 'scope_updated');
      assert.equal((await newest(t))?.actor, 'config');
      const fromFile = await addScope(t.deps, 'api:write', 'Write', CONFIG_FILE);
      assert.equal(fromFile.managedBy, 'config');
      for (const name of ['openid', 'admin'])
        await assert.rejects(addScope(t.deps, name, 'Mine now'), adminError('exists'), name);
    });

    it('removeScope: a built-in one is invalid_input, a listed one in_use, then removed with its row', async () => {
      await addScope(t.deps, 'api:read', 'Read the API');
      const { client } = await createClient(t.deps, { name: 'App', scopes: ['openid', 'api:read'] });
      const n = await count(t);
      await assert.rejects(removeScope(t.deps, 'api:read', API), adminError('in_use', 'name'));
      assert.equal(await count(t), n, 'nothing written');
      assert.ok((await listScopes(t.deps)).some((s) => s.name === 'api:read'));
      for (const name of ['openid', 'offline_access', 'admin'])
        await assert.rejects(removeScope(t.deps, name), adminError('invalid_input', 'name'), name);
      await assert.rejects(removeScope(t.deps, 'nope'), adminError('not_found'));

      await updateClient(t.deps, client.id, { scopes: ['openid'] });
      const removed = await removeScope(t.deps, 'api:read', API);
      assert.equal(removed.name, 'api:read');
      assert.equal(
        (await listScopes(t.deps)).some((s) => s.name === 'api:read'),
        false,
      );
      const row = await newest(t);
      assert.equal(row?.type, 'scope_removed');
      assert.deepEqual(row?.detail, { scope: 'api:read' });
      await assert.rejects(
        createClient(t.deps, { name: 'Late', scopes: ['api:read'] }),
        adminError('invalid_input', 'scopes'),
      );
    });
  });

  describe('providers', () => {
    const input = {
      slug: 'corp',
      issuer: 'https://idp.corp.example',
      clientId: 'latchkey',
      clientSecret: 'upstream-secret',
    };

    it('add, update, enable, disable and remove each write their row; an equal update writes nothing', async () => {
      const added = await addProvider(t.deps, input, API);
      assert.equal(added.managedBy, null);
      assert.equal((await newest(t))?.type, 'provider_added');
      t.clock.advance(5);

      const same = await updateProvider(t.deps, 'corp', { clientSecret: 'upstream-secret', name: 'corp' });
      assert.deepEqual(same.changed, []);
      assert.equal((await newest(t))?.type, 'provider_added', 'nothing written');

      const res = await updateProvider(
        t.deps,
        'corp',
        { name: 'Corp SSO', clientSecret: 'rotated-upstream-secret', tokenAuth: 'client_secret_post' },
        API,
      );
      assert.deepEqual(res.changed, ['name', 'tokenAuth', 'clientSecret']);
      const stored = await t.deps.store.providers.find('corp');
      assert.equal(stored?.name, 'Corp SSO');
      assert.equal(stored?.issuer, input.issuer, 'left as it was');
      assert.equal(t.deps.sealer.open(stored!.clientSecretSealed), 'rotated-upstream-secret');
      assert.equal(stored?.updatedAt, t.clock.now());
      const row = await newest(t);
      assert.equal(row?.type, 'provider_updated');
      assert.deepEqual(row?.detail, { provider: 'corp', changed: ['name', 'tokenAuth', 'clientSecret'] });
      assert.doesNotMatch(JSON.stringify(row), /upstream-secret/);
      assert.equal(JSON.stringify(describeProvider(stored!)).includes('upstream-secret'), false);

      await assert.rejects(
        updateProvider(t.deps, 'corp', { issuer: 'http://idp.corp.example' }),
        adminError('invalid_input', 'issuer'),
      );
      await assert.rejects(
        updateProvider(t.deps, 'corp', { tenant: 'common' }),
        adminError('invalid_input', 'tenant'),
      );
      await assert.rejects(updateProvider(t.deps, 'nope', { name: 'x' }), adminError('not_found'));

      await setProviderEnabled(t.deps, 'corp', false, API);
      assert.equal((await newest(t))?.type, 'provider_disabled');
      await setProviderEnabled(t.deps, 'corp', true, API);
      assert.equal((await newest(t))?.type, 'provider_enabled');
      await removeProvider(t.deps, 'corp', API);
      assert.equal((await newest(t))?.type, 'provider_removed');
      const n = await count(t);
      await assert.rejects(removeProvider(t.deps, 'corp'), adminError('not_found'));
      await assert.rejects(setProviderEnabled(t.deps, 'corp', true), adminError('not_found'));
      assert.equal(await count(t), n, 'nothing written for a missing provider');
    });

    it('an azure tenant change moves the issuer; a provider added from the config file is its own', async () => {
      const azure = await addProvider(
        t.deps,
        { slug: 'azure', tenant: 'organizations', clientId: 'id', clientSecret: 's' },
        CONFIG_FILE,
      );
      assert.equal(azure.managedBy, 'config');
      const tenant = '11111111-2222-3333-4444-555555555555';
      const { provider, changed } = await updateProvider(t.deps, 'azure', { tenant });
      assert.deepEqual(changed, ['issuer', 'tenant']);
      assert.equal(provider.issuer, `https://login.microsoftonline.com/${tenant}/v2.0`);
      assert.equal(provider.managedBy, 'config');
    });
  });

  it('rotateKeys writes keys_rotated with the new kids in the same unit of work', async () => {
    const before = (await listKeys(t.deps)).filter((k) => k.active).map((k) => k.kid);
    const fresh = await rotateKeys(t.deps, API);
    const row = await newest(t);
    assert.equal(row?.type, 'keys_rotated');
    assert.equal(row?.actor, 'user:root');
    assert.deepEqual(row?.detail, { kids: fresh.map((k) => k.kid) });
    const active = (await listKeys(t.deps)).filter((k) => k.active).map((k) => k.kid);
    assert.deepEqual(active.sort(), fresh.map((k) => k.kid).sort());
    assert.equal(
      active.some((k) => before.includes(k)),
      false,
    );
  });

  describe('queryEvents', () => {
    it('filters by user, client, type and time, newest first, paged', async () => {
      const ada = await createUser(t.deps, { email: 'ada@example.test' });
      t.clock.advance(100);
      const t1 = t.clock.now();
      const bob = await createUser(t.deps, { email: 'bob@example.test' }, API);
      const { client } = await createClient(t.deps, { name: 'App' }, API);
      t.clock.advance(100);
      const t2 = t.clock.now();
      await updateUser(t.deps, ada.id, { name: 'Ada' }, API);
      await updateUser(t.deps, bob.id, { name: 'Bob' }, API);
      await updateClient(t.deps, client.id, { name: 'App 2' }, API);

      const types = async (filter: Parameters<typeof queryEvents>[1]) =>
        (await queryEvents(t.deps, filter)).items.map((e) => `${e.type}:${e.userId ?? e.clientId}`);
      assert.deepEqual(await types({ userId: ada.id }), [`user_updated:${ada.id}`, `user_created:${ada.id}`]);
      assert.deepEqual(await types({ clientId: client.id }), [
        `client_updated:${client.id}`,
        `client_created:${client.id}`,
      ]);
      assert.deepEqual(await types({ type: 'user_created' }), [
        `user_created:${bob.id}`,
        `user_created:${ada.id}`,
      ]);
      assert.deepEqual(await types({ type: 'user_created', since: t1 }), [`user_created:${bob.id}`]);
      assert.deepEqual(await types({ since: t1, until: t2 }), [
        `client_created:${client.id}`,
        `user_created:${bob.id}`,
      ]);
      assert.deepEqual(await types({ type: 'user_updated', userId: bob.id }), [`user_updated:${bob.id}`]);
      assert.deepEqual(await types({ type: 'no_such_type' }), []);

      const all = (await queryEvents(t.deps, { limit: 200 })).items;
      assert.deepEqual(
        all.map((e) => e.id),
        [...all.map((e) => e.id)].sort((a, b) => b - a),
        'newest first',
      );
      const paged: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await queryEvents(t.deps, { limit: 2, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        paged,
        all.map((e) => e.id),
        'no duplicates, no gaps',
      );

      const shown = describeEvent(all[0]!);
      assert.equal(shown['actor'], 'user:root');
      assert.equal(shown['user_agent'], 'curl/8.5');
      await assert.rejects(queryEvents(t.deps, { cursor: 'xyz$' }), adminError('invalid_input', 'cursor'));
      await assert.rejects(queryEvents(t.deps, { limit: 0 }), adminError('invalid_input', 'limit'));
      await assert.rejects(queryEvents(t.deps, { since: 1.5 }), adminError('invalid_input'));
    });
  });
});
