/**
 * Every CLI command against PostgreSQL (issue 18): the compiled bin with `LATCHKEY_DB=postgres://…` on a real
 * server (test/helpers/postgres.ts). `migrate` twice and two at once, `seed`, the user, client, scope, keys and
 * events commands, `backup`/`restore` refused in one line naming pg_dump/pg_restore, an unreachable database in
 * one line naming its host and port, and `serve`: ready, the `LATCHKEY_CONFIG` file seeded, the password never
 * printed. The URL carries a password throughout (the test server trusts loopback, so any password connects):
 * no output may show it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { packageRoot } from '../../src/paths.js';
import { freePort } from '../helpers/net.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { ensureBuilt, type ServedProcess, serve } from '../helpers/served.js';
import { basic, form, tempDir } from '../helpers/server.js';
import { fails, type Json, json, run } from './run.js';

const PASSWORD = 'pw-never-shown-7f3a';
const SECRET = 'a-shared-secret-every-node-holds-0123456789';

/** The test server's URL for `db`, with a password in it. */
const withPassword = (url: string) => url.replace('postgres://latchkey@', `postgres://latchkey:${PASSWORD}@`);

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** One line on stderr, nothing on stdout, exit 1, no password. */
function assertOneLine(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.ok(!r.stderr.includes(PASSWORD), r.stderr);
}

describe('the CLI on PostgreSQL', { timeout: 240_000 }, () => {
  let postgres: TestPostgres | undefined;
  let env: Record<string, string> = {};
  let url = '';
  const { dir, cleanup } = tempDir('latchkey-cli-pg-');
  before(async () => {
    ensureBuilt();
    postgres = await startPostgres();
    url = postgres.newDatabase();
    env = { LATCHKEY_DB: withPassword(url), LATCHKEY_SECRET: SECRET };
  });
  after(() => {
    postgres?.stop();
    cleanup();
  });

  it('migrate applies every migration, says so without the password, and again applies nothing', async () => {
    const journal = JSON.parse(
      readFileSync(join(packageRoot, 'db', 'migrations', 'postgres', 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    for (let i = 0; i < 2; i++) {
      const out = await json(['migrate'], env);
      assert.equal(out['migrated'], true);
      assert.equal(out['db'], withPassword(url).replace(PASSWORD, '***'));
      const applied = await query<{ n: string }>(
        url,
        'select count(*) as n from drizzle.__drizzle_migrations',
      );
      assert.equal(Number(applied[0]!.n), journal.entries.length);
    }
    const human = await run(['migrate'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /^database postgres:\/\/latchkey:\*\*\*@127\.0\.0\.1:\d+\/\w+ is up to date\n$/,
    );
  });

  it('two migrate at once on a new database: both succeed, each migration applied once', async () => {
    const fresh = withPassword(postgres!.newDatabase());
    const runs = await Promise.all([0, 1].map(() => run(['migrate'], { ...env, LATCHKEY_DB: fresh })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const rows = await query<{ hash: string }>(fresh, 'select hash from drizzle.__drizzle_migrations');
    assert.ok(rows.length > 0);
    assert.equal(new Set(rows.map((r) => r.hash)).size, rows.length, 'no migration recorded twice');
  });

  it('user add, list, disable', async () => {
    const ada = await json(
      ['user', 'add', '--email', 'ada@example.test', '--password', 'difference-engine-1822'],
      env,
    );
    assert.equal(ada['email'], 'ada@example.test');
    const listed = await json<Json[]>(['user', 'list'], env);
    assert.deepEqual(
      listed.map((u) => u['email']),
      ['ada@example.test'],
    );
    await json(['user', 'update', 'ada@example.test', '--disabled'], env);
    const disabled = await json<Json[]>(['user', 'list', '--disabled'], env);
    assert.deepEqual(
      disabled.map((u) => u['id']),
      [ada['id']],
    );
    assert.deepEqual(await json<Json[]>(['user', 'list', '--enabled'], env), []);
    const rows = await query<{ at: string | null }>(
      url,
      `select disabled_at as at from users where id = '${ada['id']}'`,
    );
    assert.ok(Number(rows[0]?.at) > 0, 'disabled_at is set in PostgreSQL');
  });

  it('client add, list, update, remove; scope add', async () => {
    const scope = await json(['scope', 'add', 'reports:read', '--description', 'Read reports'], env);
    assert.equal(scope['name'], 'reports:read');
    const added = await json(
      ['client', 'add', '--name', 'Ops bot', '--grant', 'client_credentials', '--scope', 'reports:read'],
      env,
    );
    const id = added['client_id'] as string;
    assert.equal(typeof added['client_secret'], 'string');
    const names = async () =>
      new Map((await json<Json[]>(['client', 'list'], env)).map((c) => [c['client_id'], c['name']]));
    assert.equal((await names()).get(id), 'Ops bot');
    await json(['client', 'update', id, '--name', 'Reports bot'], env);
    assert.equal((await names()).get(id), 'Reports bot');
    const rows = await query<{ name: string }>(url, `select name from clients where id = '${id}'`);
    assert.equal(rows[0]?.name, 'Reports bot');
    await json(['client', 'remove', id], env);
    assert.equal((await names()).has(id), false);
  });

  it('keys rotate, keys list', async () => {
    const rotated = await json(['keys', 'rotate'], env);
    const kids = (rotated['keys'] as { kid: string }[]).map((k) => k.kid).sort();
    assert.equal(kids.length, 2);
    const listed = await json<Json[]>(['keys', 'list'], env);
    assert.deepEqual(
      listed
        .filter((k) => k['active'])
        .map((k) => k['kid'])
        .sort(),
      kids,
    );
    const again = await json(['keys', 'rotate'], env);
    const active = (await json<Json[]>(['keys', 'list'], env))
      .filter((k) => k['active'])
      .map((k) => k['kid']);
    assert.deepEqual(active.sort(), (again['keys'] as { kid: string }[]).map((k) => k.kid).sort());
    assert.equal((await json<Json[]>(['keys', 'list'], env)).length, 4, 'the old keys stay published');
  });

  it('another secret is refused in one line that names the database without its password', async () => {
    const other = { ...env, LATCHKEY_SECRET: 'not-the-secret-the-keys-were-sealed-with-0' };
    const r = await run(['user', 'list'], other);
    assertOneLine(
      r,
      /LATCHKEY_SECRET is not the secret the database "postgres:\/\/latchkey:\*\*\*@127\.0\.0\.1:/,
    );
    const debug = await run(['user', 'list'], { ...other, LATCHKEY_LOG_LEVEL: 'debug' });
    assert.equal(debug.code, 1);
    assert.ok(!debug.stderr.includes(PASSWORD), debug.stderr);
  });

  it('the other commands: scope list/remove, rotate-secret, set-password, sessions, providers, keys reset, remove', async () => {
    await json(['scope', 'add', 'tmp:scope', '--description', 'Removed again'], env);
    assert.ok((await json<Json[]>(['scope', 'list'], env)).some((x) => x['name'] === 'tmp:scope'));
    await json(['scope', 'remove', 'tmp:scope'], env);
    assert.ok(!(await json<Json[]>(['scope', 'list'], env)).some((x) => x['name'] === 'tmp:scope'));

    const c = await json(['client', 'add', '--name', 'Rotating', '--grant', 'client_credentials'], env);
    const rotated = await json(['client', 'rotate-secret', c['client_id'] as string], env);
    assert.notEqual(rotated['client_secret'], c['client_secret']);
    await json(['client', 'remove', c['client_id'] as string], env);

    await json(['user', 'add', '--email', 'tmp@example.test', '--password', 'first-long-passphrase'], env);
    await json(['user', 'set-password', 'tmp@example.test', '--password', 'second-long-passphrase'], env);
    assert.deepEqual(await json<Json[]>(['user', 'sessions', 'tmp@example.test'], env), []);
    await json(['user', 'remove', 'tmp@example.test'], env);
    assert.equal((await run(['user', 'remove', 'tmp@example.test'], env)).code, 1);

    await json(
      ['provider', 'add', '--slug', 'google', '--client-id', 'g-id', '--client-secret', 'g-secret'],
      env,
    );
    await json(['provider', 'disable', 'google'], env);
    const providers = await json<Json[]>(['provider', 'list'], env);
    assert.deepEqual(
      providers.map((p) => [p['slug'], p['enabled']]),
      [['google', false]],
    );
    const sealed = await query<{ secret: string }>(
      url,
      'select client_secret_sealed as secret from providers',
    );
    assert.ok(sealed.length === 1 && !String(sealed[0]!.secret).includes('g-secret'), 'the secret is sealed');
    await json(['provider', 'remove', 'google'], env);

    const reset = await json(['keys', 'reset', '--yes'], env);
    assert.equal(reset['reset'], false);
  });

  it('events: what the commands did, newest first', async () => {
    const out = await json<{ items: Json[] }>(['events', '--limit', '200'], env);
    const types = out.items.map((e) => e['type']);
    for (const t of [
      'user_created',
      'user_disabled',
      'scope_added',
      'client_created',
      'client_updated',
      'client_removed',
    ])
      assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
    const ats = out.items.map((e) => Number(e['at']));
    assert.deepEqual(
      ats,
      [...ats].sort((a, b) => b - a),
      'newest first',
    );
    assert.ok(types.lastIndexOf('client_updated') < types.lastIndexOf('client_created'), 'newest first');
    assert.equal(types.at(-1), 'user_created', 'the first thing done');
    const two = await json<{ items: Json[] }>(['events', '--limit', '2'], env);
    assert.equal(two.items.length, 2);
  });

  it('seed --users --tokens writes through the PostgreSQL store', async () => {
    const before = (await json<Json[]>(['user', 'list'], env)).length;
    const out = await json(['seed', '--users', '20', '--tokens', '20'], env);
    assert.equal(out['users'], 20);
    assert.equal(out['tokens'], 20);
    assert.equal((await json<Json[]>(['user', 'list'], env)).length, before + 20);
    const rows = await query<{ n: string }>(url, 'select count(*) as n from refresh_tokens');
    assert.equal(Number(rows[0]!.n), 20);
  });

  it('backup and restore refuse in one line naming pg_dump and pg_restore', async () => {
    const file = join(dir, 'backup.db');
    assertOneLine(await run(['backup', file], env), /^latchkey: .*PostgreSQL.*pg_dump/);
    assertOneLine(await run(['restore', file], env), /^latchkey: .*PostgreSQL.*pg_restore/);
    const err = await fails(['backup', file], env);
    assert.match(err.message, /pg_dump/);
  });

  it('an unreachable database: one line naming the host and port, never the password', async () => {
    const down = { ...env, LATCHKEY_DB: `postgres://latchkey:${PASSWORD}@127.0.0.1:1/latchkey` };
    for (const args of [['migrate'], ['user', 'list'], ['serve']]) {
      const r = await run(args, down);
      assertOneLine(r, /^latchkey: cannot connect to PostgreSQL at 127\.0\.0\.1:1: connect ECONNREFUSED\n$/);
    }
    const err = await fails(['user', 'list'], down);
    assert.deepEqual(err, {
      error: 'database',
      message: 'cannot connect to PostgreSQL at 127.0.0.1:1: connect ECONNREFUSED',
    });
    const nowhere = { ...env, LATCHKEY_DB: `postgres://latchkey:${PASSWORD}@nowhere.invalid:5433/latchkey` };
    assertOneLine(
      await run(['migrate'], nowhere),
      /^latchkey: cannot connect to PostgreSQL at nowhere\.invalid:5433: getaddrinfo (ENOTFOUND|EAI_AGAIN)\n$/,
    );
    const missing = { ...env, LATCHKEY_DB: withPassword(url).replace(/\/\w+$/, '/no_such_db') };
    assertOneLine(
      await run(['migrate'], missing),
      /^latchkey: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: database "no_such_db" does not exist\n$/,
    );
  });

  describe('serve', () => {
    let served: ServedProcess | undefined;
    after(() => served?.kill());

    it('is ready, seeds LATCHKEY_CONFIG, logs the database without the password, measures it, sees CLI changes', async () => {
      const config = join(dir, 'latchkey.yaml');
      writeFileSync(
        config,
        [
          'scopes:',
          '  - { name: "api:read", description: "Read your data" }',
          'clients:',
          '  - client_id: partner',
          '    client_secret: "a-long-random-secret-of-32-chars"',
          '    name: Partner App',
          '    grants: [client_credentials]',
          '    scopes: ["api:read"]',
          'users:',
          '  - { email: grace@example.test, password: "a long seeded passphrase", name: Grace Hopper }',
          '',
        ].join('\n'),
      );
      const port = await freePort();
      served = await serve({
        ...env,
        PORT: String(port),
        LATCHKEY_CONFIG: config,
        LATCHKEY_LOG_LEVEL: 'info',
        LATCHKEY_METRICS: 'on',
      });
      const ready = await fetch(`${served.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ok' });

      // Log lines are written in batches (src/log-writer.ts, up to 50 ms): wait for the start-up line (10 s at
      // most: a loaded machine's pipe can be late).
      const end = Date.now() + 10_000;
      while (Date.now() < end && !served.log().includes('latchkey listening')) await sleep(50);
      const listening = served
        .log()
        .split('\n')
        .filter((l) => l.includes('latchkey listening'))
        .map((l) => JSON.parse(l) as Json);
      assert.equal(listening.length, 1, served.log());
      assert.equal(listening[0]!['db'], withPassword(url).replace(PASSWORD, '***'));
      assert.ok(!served.log().includes(PASSWORD), 'the password is in the log');

      // The database size gauge is PostgreSQL's own figure; there is no WAL file to measure.
      const metrics = await (await fetch(`${served.url}/metrics`)).text();
      const size = Number(/^latchkey_db_size_bytes (\d+)$/m.exec(metrics)?.[1]);
      const [row] = await query<{ bytes: string }>(
        url,
        'select pg_database_size(current_database()) as bytes',
      );
      assert.ok(
        size > 1_000_000 && Math.abs(size - Number(row!.bytes)) < 1_000_000,
        `${size} vs ${row!.bytes}`,
      );
      assert.doesNotMatch(metrics, /latchkey_db_wal_size_bytes/);

      // The seed file, written to PostgreSQL at start, as the CLI reads it.
      const clients = await json<Json[]>(['client', 'list'], env);
      assert.ok(clients.some((c) => c['client_id'] === 'partner'));
      const users = await json<Json[]>(['user', 'list', '--query', 'grace'], env);
      assert.deepEqual(
        users.map((u) => u['email']),
        ['grace@example.test'],
      );
      const token = (id: string, secret: string) =>
        fetch(
          `${served!.url}/token`,
          form({ grant_type: 'client_credentials' }, { authorization: basic(id, secret) }),
        );
      assert.equal((await token('partner', 'a-long-random-secret-of-32-chars')).status, 200);

      // A client the CLI adds to the running server's database is served at once (the change counter).
      const added = await json(['client', 'add', '--name', 'Late', '--grant', 'client_credentials'], env);
      const res = await token(added['client_id'] as string, added['client_secret'] as string);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as Json)['token_type'], 'Bearer');
    });
  });
});
