import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CLIENT_ID, createClient } from '../../src/admin/clients.js';
import { systemClock } from '../../src/clock.js';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { fails, type Json, json, run } from './run.js';

const SECRET = 'cli-edit-test-secret-0123456789abcdef';

/** Issue 12: editing from the CLI (`user update`, `client update`, …) and reading the audit trail. */
describe('latchkey CLI: editing and the audit trail', () => {
  const tmp = tempDir('latchkey-cli-edit-');
  const dbPath = join(tmp.dir, 'latchkey.db');
  const env = { LATCHKEY_DB: dbPath, LATCHKEY_SECRET: SECRET };
  after(() => tmp.cleanup());
  const withStore = async <T>(
    fn: (store: ReturnType<typeof createSqliteStore>) => Promise<T>,
  ): Promise<T> => {
    const store = createSqliteStore(dbPath);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  type Page = { items: Json[]; next_cursor: string | null };

  it('--help lists the new commands', async () => {
    const r = await run(['--help'], env);
    assert.equal(r.code, 0);
    for (const cmd of [
      'user update',
      'user sessions',
      'user sign-out',
      'client update',
      'scope remove',
      'keys list',
      'events [--limit N] [--user',
    ])
      assert.ok(r.stdout.includes(`latchkey ${cmd}`), cmd);
    const update = await run(['client', 'update', '--help'], env);
    for (const opt of ['--no-first-party', '--no-require-pkce', '--no-implicit', '--secret', '--role'])
      assert.ok(update.stdout.includes(opt), opt);
    const user = await run(['user', 'update', '--help'], env);
    for (const opt of ['--no-roles', '--no-groups', '--disabled', '--enabled', "--username ''"])
      assert.ok(user.stdout.includes(opt), opt);
  });

  describe('users', () => {
    let ada: Json;
    before(async () => {
      ada = await json(
        [
          'user',
          'add',
          '--email',
          'ada@example.test',
          '--password',
          'analytical-engine-1843',
          '--username',
          'ada',
          '--role',
          'ops',
          '--group',
          'engineers',
          '--group',
          'poets',
        ],
        env,
      );
    });

    it('user add takes --username, --group and --disabled', async () => {
      assert.equal(ada['username'], 'ada');
      assert.deepEqual(ada['groups'], ['engineers', 'poets']);
      assert.equal(ada['disabled'], false);
      const off = await json(['user', 'add', '--email', 'off@example.test', '--disabled'], env);
      assert.equal(off['disabled'], true);
    });

    it('user add --invite with --password is refused (the invited user chooses it), exit 2', async () => {
      const err = await fails(
        ['user', 'add', '--email', 'inv@example.test', '--invite', '--password', 'a-long-enough-one-9'],
        env,
        2,
      );
      assert.match(err.message, /--invite and --password contradict each other/);
      assert.equal((await json<Json[]>(['user', 'list', '--query', 'inv@'], env)).length, 0);
    });

    it('user update changes what is given, names it, and a second run changes nothing', async () => {
      const out = await json(
        ['user', 'update', 'ada@example.test', '--name', 'Ada King', '--given-name', 'Ada'],
        env,
      );
      assert.equal(out['id'], ada['id']);
      assert.equal(out['name'], 'Ada King');
      assert.equal(out['given_name'], 'Ada');
      assert.deepEqual((out['changed'] as string[]).sort(), ['given_name', 'name']);
      assert.deepEqual((await withStore((s) => s.users.find(ada['id'] as string)))?.name, 'Ada King');
      const again = await json(['user', 'update', ada['id'] as string, '--name', 'Ada King'], env);
      assert.deepEqual(again['changed'], []);
      const text = await run(['user', 'update', 'ada@example.test', '--name', 'Ada King'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, 'user ada@example.test: nothing changed\n');
      const changedText = await run(['user', 'update', 'ada@example.test', '--family-name', 'King'], env);
      assert.equal(changedText.stdout, 'updated user ada@example.test: family_name\n');
    });

    it("user update: repeated --role/--group replace the list, --no-groups empties it, --username '' clears", async () => {
      let out = await json(
        ['user', 'update', 'ada@example.test', '--role', 'admin', '--role', 'auditor'],
        env,
      );
      assert.deepEqual(out['roles'], ['admin', 'auditor']);
      assert.deepEqual(out['changed'], ['roles']);
      out = await json(['user', 'update', 'ada@example.test', '--no-groups', '--username', ''], env);
      assert.deepEqual(out['groups'], []);
      assert.equal(out['username'], null);
      assert.deepEqual((out['changed'] as string[]).sort(), ['groups', 'username']);
      out = await json(['user', 'update', 'ada@example.test', '--no-roles'], env);
      assert.deepEqual(out['roles'], []);
      const stored = await withStore((s) => s.users.find(ada['id'] as string));
      assert.deepEqual([stored?.roles, stored?.groups, stored?.username], [[], [], null]);
      assert.match(
        (await fails(['user', 'update', 'ada@example.test', '--role', 'x', '--no-roles'], env, 2)).message,
        /--role and --no-roles contradict each other/,
      );
    });

    it('user update --disabled ends the sessions; --enabled lets the user in again', async () => {
      const now = Math.floor(Date.now() / 1000);
      const idHash = sha256(randomToken());
      await withStore((s) =>
        s.sessions.create({
          idHash,
          userId: ada['id'] as string,
          authTime: now,
          amr: ['pwd'],
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
          ip: '192.0.2.7',
          createdAt: now,
          lastSeenAt: now,
          expiresAt: now + 3600,
          endedAt: null,
        }),
      );
      const sessions = await json<Json[]>(['user', 'sessions', 'ada@example.test'], env);
      assert.deepEqual(
        sessions.map((x) => [x['id'], x['ip']]),
        [[idHash, '192.0.2.7']],
      );

      const off = await json(['user', 'update', 'ada@example.test', '--disabled'], env);
      assert.equal(off['disabled'], true);
      assert.deepEqual(off['changed'], ['disabled']);
      assert.ok((await withStore((s) => s.sessions.find(idHash)))?.endedAt, 'the session is ended');
      assert.deepEqual(await json<Json[]>(['user', 'sessions', 'ada@example.test'], env), []);
      assert.equal((await json<Json[]>(['user', 'list', '--disabled'], env)).length, 2);

      const on = await json(['user', 'update', 'ada@example.test', '--enabled'], env);
      assert.equal(on['disabled'], false);
      assert.equal((await withStore((s) => s.users.find(ada['id'] as string)))?.disabledAt, null);
      await fails(['user', 'update', 'ada@example.test', '--disabled', '--enabled'], env, 2);
    });

    it('user sign-out ends one session by its id, or all of them', async () => {
      const now = Math.floor(Date.now() / 1000);
      const ids = [sha256(randomToken()), sha256(randomToken())];
      await withStore(async (s) => {
        for (const [i, idHash] of ids.entries())
          await s.sessions.create({
            idHash,
            userId: ada['id'] as string,
            authTime: now,
            amr: ['pwd'],
            userAgent: null,
            ip: null,
            createdAt: now + i,
            lastSeenAt: now + i,
            expiresAt: now + 3600,
            endedAt: null,
          });
      });
      const one = await json(['user', 'sign-out', 'ada@example.test', '--session', ids[0]!], env);
      assert.deepEqual(one, { ended: 1, session: ids[0] });
      assert.deepEqual(
        (await json<Json[]>(['user', 'sessions', 'ada@example.test'], env)).map((x) => x['id']),
        [ids[1]],
      );
      const all = await json(['user', 'sign-out', 'ada@example.test'], env);
      assert.equal(all['ended'], 1);
      assert.deepEqual(await json<Json[]>(['user', 'sessions', 'ada@example.test'], env), []);
    });

    it('user update refuses in one line: an unknown user, a taken email, nothing to change', async () => {
      const r = await run(['user', 'update', 'nobody@example.test', '--name', 'X'], env);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'latchkey: no user "nobody@example.test"\n');
      const taken = await fails(['user', 'update', 'ada@example.test', '--email', 'off@example.test'], env);
      assert.equal(taken.error, 'exists');
      assert.match(taken.message, /^--email /);
      assert.match(
        (await fails(['user', 'update', 'ada@example.test'], env, 2)).message,
        /nothing to change/,
      );
    });

    it('user list filters by --query, --role and --enabled', async () => {
      await json(['user', 'update', 'ada@example.test', '--role', 'admin'], env);
      const byQuery = await json<Json[]>(['user', 'list', '--query', 'ADA@'], env);
      assert.deepEqual(
        byQuery.map((u) => u['email']),
        ['ada@example.test'],
      );
      const admins = await json<Json[]>(['user', 'list', '--role', 'admin'], env);
      assert.deepEqual(
        admins.map((u) => u['email']),
        ['ada@example.test'],
      );
      const enabled = await json<Json[]>(['user', 'list', '--enabled'], env);
      assert.equal(
        enabled.some((u) => u['email'] === 'off@example.test'),
        false,
      );
    });
  });

  describe('clients and scopes', () => {
    let app: Json;
    before(async () => {
      app = await json(
        [
          'client',
          'add',
          '--name',
          'App',
          '--redirect-uri',
          'https://app.example.test/cb',
          '--first-party',
          '--require-pkce',
        ],
        env,
      );
    });

    it('client add --role gives a client admin roles; an unknown role is refused naming --role', async () => {
      const ops = await json(
        ['client', 'add', '--name', 'Ops bot', '--grant', 'client_credentials', '--role', 'auditor'],
        env,
      );
      assert.deepEqual(ops['roles'], ['auditor']);
      assert.deepEqual((await withStore((s) => s.clients.find(ops['client_id'] as string)))?.roles, [
        'auditor',
      ]);
      const bad = await fails(['client', 'add', '--name', 'Bad', '--role', 'overlord'], env);
      assert.match(bad.message, /^--role /);
    });

    it('client update prints the client and what changed; the rest stays', async () => {
      const id = app['client_id'] as string;
      const out = await json(
        [
          'client',
          'update',
          id,
          '--name',
          'App v2',
          '--redirect-uri',
          'https://app.example.test/cb2',
          '--redirect-uri',
          'https://app.example.test/cb3',
          '--access-token-ttl',
          '300',
        ],
        env,
      );
      assert.equal(out['client_id'], id);
      assert.equal(out['name'], 'App v2');
      assert.deepEqual(out['redirect_uris'], [
        'https://app.example.test/cb2',
        'https://app.example.test/cb3',
      ]);
      assert.equal(out['access_token_ttl'], 300);
      assert.equal(out['first_party'], true, 'left as it was');
      assert.deepEqual((out['changed'] as string[]).sort(), ['access_token_ttl', 'name', 'redirect_uris']);
      assert.equal('client_secret' in out, false);
      const text = await run(['client', 'update', id, '--name', 'App v3'], env);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, `updated client ${id}: --name\n`);
      const same = await run(['client', 'update', id, '--name', 'App v3'], env);
      assert.equal(same.stdout, `client ${id}: nothing changed\n`);
    });

    it('client update --no-first-party, --no-require-pkce and --no-redirect-uris turn things off', async () => {
      const id = app['client_id'] as string;
      const out = await json(['client', 'update', id, '--no-first-party', '--no-require-pkce'], env);
      assert.equal(out['first_party'], false);
      assert.equal(out['require_pkce'], false);
      assert.deepEqual((out['changed'] as string[]).sort(), ['first_party', 'require_pkce']);
      const stored = await withStore((s) => s.clients.find(id));
      assert.equal(stored?.firstParty, false);
      assert.equal(stored?.requirePkce, false);
      assert.deepEqual(
        (await json(['client', 'update', id, '--no-first-party'], env))['changed'],
        [],
        'already off: nothing changed',
      );
      assert.deepEqual(
        (await json(['client', 'update', id, '--no-redirect-uris'], env))['redirect_uris'],
        [],
      );
      assert.match(
        (await fails(['client', 'update', id, '--first-party', '--no-first-party'], env, 2)).message,
        /--first-party and --no-first-party contradict each other/,
      );
    });

    it('client update --secret stores only its hash and never prints it', async () => {
      const id = app['client_id'] as string;
      const secret = 'a-secret-of-our-own-0123456789abcdef';
      const r = await run(['client', 'update', id, '--secret', secret, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.includes(secret) || r.stderr.includes(secret), false, 'never printed');
      assert.deepEqual((JSON.parse(r.stdout) as Json)['changed'], ['client_secret']);
      assert.equal((await withStore((s) => s.clients.find(id)))?.secretHash, sha256(secret));
      assert.match(
        (await fails(['client', 'update', id, '--secret', 'short'], env)).message,
        /^--secret must be at least 32 characters/,
      );
    });

    it('client update of an unknown client: one line on stderr, exit 1', async () => {
      const r = await run(['client', 'update', 'no-such-client', '--name', 'X'], env);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'latchkey: no client "no-such-client"\n');
      assert.equal(
        (await fails(['client', 'update', 'no-such-client', '--name', 'X'], env)).error,
        'not_found',
      );
      await fails(['client', 'update', app['client_id'] as string], env, 2);
      assert.match(
        (await fails(['client', 'update', app['client_id'] as string, '--public'], env, 2)).message,
        /--public cannot be changed/,
      );
    });

    it('client update of latchkey-console: only --require-mfa and the lifetimes; one line on stderr', async () => {
      await withStore((store) =>
        createClient(
          { store, clock: systemClock },
          {
            clientId: CONSOLE_CLIENT_ID,
            name: 'latchkey admin console',
            isPublic: true,
            firstParty: true,
            requireMfa: true,
            grants: ['authorization_code'],
            scopes: ['openid', 'admin'],
            redirectUris: ['https://id.example.test/admin/callback'],
          },
          // As the server makes it at start: the id is reserved to it.
          { actor: 'system' },
        ),
      );
      const ok = await json(
        ['client', 'update', CONSOLE_CLIENT_ID, '--no-require-mfa', '--access-token-ttl', '300'],
        env,
      );
      assert.deepEqual((ok['changed'] as string[]).sort(), ['access_token_ttl', 'require_mfa']);
      const r = await run(
        [
          'client',
          'update',
          CONSOLE_CLIENT_ID,
          '--redirect-uri',
          'https://evil.example.test/cb',
          '--require-mfa',
        ],
        env,
      );
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `latchkey: "latchkey-console" is the admin console's own client: only require_mfa, access_token_ttl, refresh_token_ttl, refresh_reuse_grace may change (not redirect_uris)\n`,
      );
      assert.equal(
        (await fails(['client', 'update', CONSOLE_CLIENT_ID, '--name', 'X'], env)).error,
        'in_use',
      );
      const rotate = await run(['client', 'rotate-secret', CONSOLE_CLIENT_ID], env);
      assert.equal(rotate.code, 1);
      assert.match(
        rotate.stderr,
        /^latchkey: "latchkey-console" is the admin console's own client: it is public and has no secret to rotate\n$/,
      );
      const stored = await withStore((s) => s.clients.find(CONSOLE_CLIENT_ID));
      assert.deepEqual(stored?.redirectUris, ['https://id.example.test/admin/callback']);
      assert.equal(stored?.requireMfa, false, 'the refused update changed nothing');
    });

    it('client list --query filters by name', async () => {
      const found = await json<Json[]>(['client', 'list', '--query', 'ops b'], env);
      assert.deepEqual(
        found.map((c) => c['name']),
        ['Ops bot'],
      );
    });

    it('scope remove removes a custom scope; one a client lists is in use; a built-in one stays', async () => {
      await json(['scope', 'add', 'reports:read', '--description', 'Read reports'], env);
      await json(['scope', 'add', 'ledger', '--description', 'The ledger'], env);
      await json(
        ['client', 'update', app['client_id'] as string, '--scope', 'openid', '--scope', 'ledger'],
        env,
      );
      assert.deepEqual(await json(['scope', 'remove', 'reports:read'], env), {
        removed: true,
        name: 'reports:read',
      });
      assert.equal(
        (await json<Json[]>(['scope', 'list'], env)).some((s) => s['name'] === 'reports:read'),
        false,
      );
      assert.equal((await fails(['scope', 'remove', 'reports:read'], env)).error, 'not_found');
      assert.equal((await fails(['scope', 'remove', 'ledger'], env)).error, 'in_use');
      await fails(['scope', 'remove', 'openid'], env);
      await fails(['scope', 'remove'], env, 2);
    });
  });

  describe('keys and events', () => {
    it('keys list prints the keys, newest first, without their private parts', async () => {
      await json(['keys', 'rotate'], env);
      const rotated = await json(['keys', 'rotate'], env);
      const keys = await json<Json[]>(['keys', 'list'], env);
      assert.equal(keys.length, 4);
      for (const k of keys)
        assert.deepEqual(Object.keys(k).sort(), [
          'active',
          'alg',
          'created_at',
          'kid',
          'publish_until',
          'retired_at',
        ]);
      const active = keys.filter((k) => k['active']).map((k) => k['kid']);
      assert.ok(active.includes(rotated['kid']));
      assert.equal(active.length, 2);
      const created = keys.map((k) => k['created_at'] as number);
      assert.deepEqual(
        created,
        [...created].sort((a, b) => b - a),
        'newest first',
      );
      const text = await run(['keys', 'list'], env);
      assert.match(text.stdout, /^kid +alg +active +created_at +publish_until\n/);
    });

    it('events filters by user, client, type and time, and pages with the cursor', async () => {
      const T = 1_800_000_000;
      await withStore(async (s) => {
        for (let i = 0; i < 5; i++)
          await s.events.add({
            at: T + i * 60,
            type: i % 2 ? 'filter_odd' : 'filter_even',
            userId: i < 3 ? 'user-filter-a' : 'user-filter-b',
            clientId: i === 4 ? 'client-filter' : null,
            ip: '198.51.100.1',
            detail: { i },
          });
      });
      const page = (args: string[]) => json<Page>(['events', ...args], env);
      const i = (p: Page) => p.items.map((e) => (e['detail'] as { i: number }).i);

      assert.deepEqual(i(await page(['--user', 'user-filter-a'])), [2, 1, 0], 'newest first');
      assert.deepEqual(i(await page(['--client', 'client-filter'])), [4]);
      assert.deepEqual(i(await page(['--type', 'filter_odd'])), [3, 1]);
      // --since is inclusive, --until exclusive; ISO 8601 or epoch seconds.
      const iso = (t: number) => new Date(t * 1000).toISOString();
      assert.deepEqual(
        i(await page(['--type', 'filter_even', '--since', iso(T + 120), '--until', String(T + 240)])),
        [2],
      );
      assert.deepEqual(i(await page(['--user', 'user-filter-a', '--since', String(T + 60)])), [2, 1]);

      const first = await page(['--user', 'user-filter-a', '--limit', '2']);
      assert.deepEqual(i(first), [2, 1]);
      assert.equal(typeof first.next_cursor, 'string');
      const second = await page(['--user', 'user-filter-a', '--limit', '2', '--cursor', first.next_cursor!]);
      assert.deepEqual(i(second), [0]);
      assert.equal(second.next_cursor, null);
      for (const e of first.items)
        assert.deepEqual(Object.keys(e).sort(), [
          'actor',
          'at',
          'client_id',
          'detail',
          'id',
          'ip',
          'type',
          'user_agent',
          'user_id',
        ]);

      const text = await run(['events', '--user', 'user-filter-a', '--limit', '2'], env);
      assert.equal(text.code, 0, text.stderr);
      const lines = text.stdout.trim().split('\n');
      assert.equal(lines.length, 3, text.stdout);
      assert.match(
        lines[0]!,
        /^2027-01-15T\d\d:\d\d:\d\d\.000Z {2}filter_even {2}user=user-filter-a {2}ip=198\.51\.100\.1 {2}\{"i":2\}$/,
      );
      assert.equal(
        lines[2],
        `(more: latchkey events --limit "2" --user "user-filter-a" --cursor ${first.next_cursor})`,
      );
    });

    it('events refuses a bad time (exit 2), a bad cursor and a bad limit (naming the flag)', async () => {
      assert.match((await fails(['events', '--since', 'yesterday'], env, 2)).message, /^--since must be/);
      assert.match((await fails(['events', '--until', '2025-13-45'], env, 2)).message, /^--until must be/);
      assert.match((await fails(['events', '--cursor', '!!!'], env)).message, /^--cursor /);
      assert.match((await fails(['events', '--limit', '0'], env)).message, /^--limit /);
      assert.match((await fails(['events', '--limit', '201'], env)).message, /^--limit /);
      await fails(['events', '--limit', 'many'], env, 2);
    });

    it('an admin change from the CLI is in the audit trail with actor cli', async () => {
      const { items } = await json<Page>(['events', '--user', 'ada@example.test', '--limit', '200'], env);
      const updated = items.find((e) => e['type'] === 'user_updated');
      assert.ok(updated, 'user_updated is written');
      assert.equal(updated['actor'], 'cli');
      assert.equal(JSON.stringify(items).includes('analytical-engine'), false, 'never a password');
    });
  });
});
