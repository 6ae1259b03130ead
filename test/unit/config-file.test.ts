import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createClient } from '../../src/admin/clients.js';
import { addScope } from '../../src/admin/scopes.js';
import { createUser, updateUser } from '../../src/admin/users.js';
import { FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { sha256 } from '../../src/crypto/hash.js';
import { verifyPassword } from '../../src/crypto/password.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { start } from '../../src/start.js';
import { tempDir } from '../helpers/server.js';

const SECRET = 'config-file-test-secret-0123456789abcdef';
const PARTNER_SECRET = 'partner-secret-0123456789abcdefghij';

const tmp = tempDir('latchkey-config-file-');
after(() => tmp.cleanup());
let n = 0;

interface Start {
  deps: Deps;
  /** Every line logged by this start, at any level. */
  lines: string[];
}

/**
 * One folder, one database, one config file: `restart(yaml)` writes the file and runs a fresh start on
 * freshly built dependencies, as `serve` does; the clock moves on a minute each time.
 */
function deployment() {
  const dir = join(tmp.dir, `deployment-${++n}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latchkey.yaml');
  const env = { LATCHKEY_DB: join(dir, 'latchkey.db'), LATCHKEY_CONFIG: file, LATCHKEY_SECRET: SECRET };
  const clock = new FakeClock();
  let current: Start | undefined;
  return {
    file,
    clock,
    async restart(yaml: string): Promise<Start> {
      await current?.deps.store.close();
      writeFileSync(file, yaml);
      clock.advance(60);
      const lines: string[] = [];
      const log = {
        info: (msg: string) => void lines.push(msg),
        warn: (msg: string) => void lines.push(msg),
        error: (msg: string) => void lines.push(msg),
      };
      const deps = await buildDeps(loadConfig(env), { clock, log });
      await start(deps);
      current = { deps, lines };
      return current;
    },
    async close() {
      await current?.deps.store.close();
    },
  };
}

const eventCount = async (deps: Deps) => (await deps.store.events.list(10_000)).length;

const partner = (over: Record<string, string> = {}) => `
scopes:
  - { name: "api:read", description: "Read the API" }
clients:
  - client_id: partner
    client_secret: ${over['secret'] ?? PARTNER_SECRET}
    name: ${over['name'] ?? 'Partner App'}
    redirect_uris: [${over['redirect'] ?? 'https://partner.example.test/cb'}]
    scopes: [openid, "api:read"]
users:
  - email: ada@example.test
    password: ${over['password'] ?? 'analytical-engine-1843'}
    name: ${over['user'] ?? 'Ada Lovelace'}
    groups: [${over['groups'] ?? 'engineers'}]
`;

describe('LATCHKEY_CONFIG is declarative for what it names (issue 12)', () => {
  it('a client changed in the file is updated on the next start, with one log line naming the fields', async () => {
    const d = deployment();
    try {
      const first = await d.restart(partner());
      const before = (await first.deps.store.clients.find('partner'))!;
      assert.equal(before.managedBy, 'config', 'created by the file, managed by it');
      assert.ok(first.lines.some((l) => l.endsWith('client "partner" created')));

      const { deps, lines } = await d.restart(
        partner({ name: 'Partner App 2', redirect: 'https://partner.example.test/callback' }),
      );
      const after = (await deps.store.clients.find('partner'))!;
      assert.equal(after.name, 'Partner App 2');
      assert.deepEqual(after.redirectUris, ['https://partner.example.test/callback']);
      assert.equal(after.secretHash, before.secretHash, 'the same secret: unchanged');
      assert.equal(after.createdAt, before.createdAt);
      assert.deepEqual(lines, [`${d.file}: client "partner" updated: name, redirect_uris`]);
      const events = await deps.store.events.list(5);
      const updated = events.find((e) => e.type === 'client_updated');
      assert.equal(updated?.clientId, 'partner');
      assert.equal(updated?.actor, 'config');
    } finally {
      await d.close();
    }
  });

  it('the same file twice changes nothing: no log line, no new event, nothing written', async () => {
    const d = deployment();
    try {
      const first = await d.restart(partner());
      const client = await first.deps.store.clients.find('partner');
      const user = await first.deps.store.users.findByEmail('ada@example.test');
      const events = await eventCount(first.deps);

      const again = await d.restart(partner());
      assert.deepEqual(again.lines, []);
      assert.equal(await eventCount(again.deps), events);
      assert.deepEqual(await again.deps.store.clients.find('partner'), client, 'updated_at kept');
      assert.deepEqual(await again.deps.store.users.findByEmail('ada@example.test'), user);
    } finally {
      await d.close();
    }
  });

  it('a secret given in the file changes the client only when it differs, and is never logged', async () => {
    const d = deployment();
    try {
      await d.restart(partner());
      const other = 'another-partner-secret-0123456789abcdef';
      const { deps, lines } = await d.restart(partner({ secret: other }));
      assert.equal((await deps.store.clients.find('partner'))?.secretHash, sha256(other));
      assert.deepEqual(lines, [`${d.file}: client "partner" updated: client_secret`]);
      const event = (await deps.store.events.list(1))[0];
      assert.equal(event?.type, 'client_updated');
      assert.equal(JSON.stringify(event).includes(other), false, 'not in the audit row');
      const same = await d.restart(partner({ secret: other }));
      assert.deepEqual(same.lines, []);
    } finally {
      await d.close();
    }
  });

  it("a user changed in the file is updated; the password is the user's once created", async () => {
    const d = deployment();
    try {
      await d.restart(partner());
      const { deps, lines } = await d.restart(
        partner({ user: 'Ada King', groups: 'engineers, poets', password: 'a-new-password-in-the-file' }),
      );
      const user = (await deps.store.users.findByEmail('ada@example.test'))!;
      assert.equal(user.name, 'Ada King');
      assert.deepEqual(user.groups, ['engineers', 'poets']);
      assert.equal(await verifyPassword(user.passwordHash!, 'analytical-engine-1843'), true, 'password kept');
      assert.deepEqual(lines, [`${d.file}: user "ada@example.test" updated: name, groups`]);
    } finally {
      await d.close();
    }
  });

  it('a user disabled from the CLI stays disabled unless the file says `disabled`', async () => {
    const d = deployment();
    try {
      const first = await d.restart(partner());
      await updateUser(first.deps, 'ada@example.test', { disabled: true });
      const kept = await d.restart(partner());
      assert.notEqual((await kept.deps.store.users.findByEmail('ada@example.test'))?.disabledAt, null);
      assert.deepEqual(kept.lines, []);
      const enabled = await d.restart(`${partner()}    disabled: false\n`);
      assert.equal((await enabled.deps.store.users.findByEmail('ada@example.test'))?.disabledAt, null);
      assert.deepEqual(enabled.lines, [`${d.file}: user "ada@example.test" updated: disabled`]);
    } finally {
      await d.close();
    }
  });

  it('entries the CLI created are left as they are, with one line each; prune leaves them too', async () => {
    const d = deployment();
    try {
      // The CLI was first: a client, a scope and a user of the same names.
      const first = await d.restart('');
      await addScope(first.deps, 'api:read', 'Read it, from the CLI');
      const cli = await createClient(first.deps, {
        name: 'Made by the CLI',
        clientId: 'partner',
        redirectUris: ['https://cli.example.test/cb'],
      });
      await createUser(first.deps, { email: 'ada@example.test', name: 'From the CLI' });

      const { deps, lines } = await d.restart(`prune: true\n${partner({ name: 'Partner From File' })}`);
      assert.deepEqual(await deps.store.clients.find('partner'), cli.client);
      assert.equal((await deps.store.users.findByEmail('ada@example.test'))?.name, 'From the CLI');
      const [scope] = await deps.store.scopes.findMany(['api:read']);
      assert.equal(scope?.description, 'Read it, from the CLI');
      assert.deepEqual(lines, [
        `${d.file}: scope "api:read" exists and was not created by this file: left as it is`,
        `${d.file}: client "partner" exists and was not created by this file: left as it is`,
        `${d.file}: user "ada@example.test" exists and was not created by this file: left as it is`,
      ]);

      const emptied = await d.restart('prune: true\n');
      assert.ok(await emptied.deps.store.clients.find('partner'), 'not the file’s to prune');
      assert.equal((await emptied.deps.store.scopes.findMany(['api:read'])).length, 1);
    } finally {
      await d.close();
    }
  });

  it('prune: true removes the clients and scopes the file dropped; without it nothing is removed', async () => {
    const d = deployment();
    const two = `
scopes:
  - { name: "api:read", description: "Read the API" }
  - { name: "api:write", description: "Write the API" }
  - { name: "shared", description: "Used by a CLI client" }
clients:
  - { client_id: keep, name: Keep, public: true, redirect_uris: ["https://keep.example.test/cb"], scopes: [openid, "api:read"] }
  - { client_id: drop, name: Drop, public: true, redirect_uris: ["https://drop.example.test/cb"], scopes: [openid, "api:write"] }
`;
    const one = `
scopes:
  - { name: "api:read", description: "Read the API" }
clients:
  - { client_id: keep, name: Keep, public: true, redirect_uris: ["https://keep.example.test/cb"], scopes: [openid, "api:read"] }
`;
    try {
      const first = await d.restart(two);
      await createClient(first.deps, { name: 'CLI app', clientId: 'cli-app', scopes: ['openid', 'shared'] });

      const without = await d.restart(one);
      assert.ok(await without.deps.store.clients.find('drop'), 'no prune: the client stays');
      assert.equal((await without.deps.store.scopes.findMany(['api:write'])).length, 1);
      assert.deepEqual(without.lines, []);

      const { deps, lines } = await d.restart(`prune: true\n${one}`);
      assert.equal(await deps.store.clients.find('drop'), undefined);
      assert.ok(await deps.store.clients.find('keep'));
      assert.ok(await deps.store.clients.find('cli-app'));
      const scopes = (await deps.store.scopes.list()).map((s) => s.name);
      assert.equal(scopes.includes('api:write'), false);
      assert.ok(scopes.includes('api:read'));
      assert.ok(scopes.includes('shared'), 'a CLI client still lists it');
      assert.deepEqual(lines, [
        `${d.file}: client "drop" removed: no longer in the file (prune)`,
        `${d.file}: scope "api:write" removed: no longer in the file (prune)`,
        `${d.file}: scope "shared" is no longer in the file but is kept: client "cli-app" still lists it`,
      ]);
      const types = (await deps.store.events.list(10)).map((e) => [e.type, e.actor]);
      assert.ok(types.some(([t, a]) => t === 'client_removed' && a === 'config'));
      assert.ok(types.some(([t, a]) => t === 'scope_removed' && a === 'config'));
    } finally {
      await d.close();
    }
  });

  it('a provider changed in the file is updated; its unchanged secret is no change; enabled only when given', async () => {
    const d = deployment();
    const google = (name: string, secret = 'g-upstream-secret', extra = '') =>
      `providers:\n  - { slug: google, name: ${name}, client_id: g-id, client_secret: ${secret}${extra} }\n`;
    try {
      const first = await d.restart(google('Google'));
      assert.equal((await first.deps.store.providers.find('google'))?.managedBy, 'config');
      await first.deps.store.providers.setEnabled('google', false, d.clock.now());

      const renamed = await d.restart(google('Google Workspace'));
      const provider = (await renamed.deps.store.providers.find('google'))!;
      assert.equal(provider.name, 'Google Workspace');
      assert.equal(provider.enabled, false, 'the file does not say: an admin’s switch stays');
      assert.deepEqual(renamed.lines, [`${d.file}: provider "google" updated: name`]);

      const same = await d.restart(google('Google Workspace'));
      assert.deepEqual(same.lines, []);

      const resealed = await d.restart(
        google('Google Workspace', 'g-new-upstream-secret', ', enabled: true'),
      );
      const now = (await resealed.deps.store.providers.find('google'))!;
      assert.equal(resealed.deps.sealer.open(now.clientSecretSealed), 'g-new-upstream-secret');
      assert.equal(now.enabled, true);
      assert.equal(resealed.lines.length, 1, resealed.lines.join('\n'));
      assert.match(resealed.lines[0]!, /provider "google" updated: .*client_secret/);
      assert.equal(resealed.lines[0]!.includes('g-new-upstream-secret'), false);
    } finally {
      await d.close();
    }
  });
});
