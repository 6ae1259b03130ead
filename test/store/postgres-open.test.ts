import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { is } from 'drizzle-orm';
import { PgTable, getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable, getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import * as pgSchema from '../../db/schema.postgres.js';
import * as sqliteSchema from '../../db/schema.sqlite.js';
import { packageRoot } from '../../src/paths.js';
import {
  CHANGES_CHANNEL,
  migratePostgres,
  openPostgres,
  type PostgresContext,
  type PostgresOptions,
} from '../../src/store/postgres/open.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const sqliteTables = Object.values(sqliteSchema)
  .filter((t) => is(t, SQLiteTable))
  .map((t) => sqliteTableConfig(t));
const pgTables = Object.values(pgSchema)
  .filter((t) => is(t, PgTable))
  .map((t) => pgTableConfig(t));
/** PostgreSQL only: the change counter. */
const PG_ONLY = ['latchkey_changes'];

const journal = JSON.parse(
  readFileSync(join(packageRoot, 'db', 'migrations', 'postgres', 'meta', '_journal.json'), 'utf8'),
) as { entries: { tag: string }[] };

/** Whether two calls in a row answer differently: what a cache comparing generations would see. */
function moves(cx: PostgresContext): boolean {
  const first = cx.generation();
  return cx.generation() !== first;
}

async function until(done: () => boolean, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

describe('PostgreSQL: open, migrate, change counter', () => {
  let server: TestPostgres;
  const opened: PostgresContext[] = [];
  const open = async (url: string, options?: PostgresOptions) => {
    const cx = await openPostgres(url, options);
    opened.push(cx);
    return cx;
  };

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.all(opened.map((cx) => cx.close()));
    server?.stop();
  });

  it('has the same tables, columns, indexes and foreign keys in both schema modules', () => {
    const names = (tables: { name: string }[]) => tables.map((t) => t.name).sort();
    assert.deepEqual(names(pgTables), [...names(sqliteTables), ...PG_ONLY].sort());
    for (const lite of sqliteTables) {
      const pgt = pgTables.find((t) => t.name === lite.name)!;
      assert.deepEqual(
        pgt.columns.map((c) => [c.name, c.notNull, c.primary, c.isUnique, c.hasDefault]),
        lite.columns.map((c) => [c.name, c.notNull, c.primary, c.isUnique, c.hasDefault]),
        lite.name,
      );
      assert.deepEqual(
        pgt.indexes.map((i) => [i.config.name, i.config.unique]),
        lite.indexes.map((i) => [i.config.name, i.config.unique]),
        lite.name,
      );
      const fks = (t: typeof lite | typeof pgt) =>
        t.foreignKeys.map((fk) => {
          const ref = fk.reference();
          return [ref.columns.map((c) => c.name), ref.foreignColumns.map((c) => c.name), fk.onDelete];
        });
      assert.deepEqual(fks(pgt), fks(lite), lite.name);
      assert.deepEqual(
        pgt.primaryKeys.map((k) => k.columns.map((c) => c.name)),
        lite.primaryKeys.map((k) => k.columns.map((c) => c.name)),
        lite.name,
      );
    }
  });

  it('migrates a new database to every table and column of the SQLite schema', async () => {
    const cx = await open(server.newDatabase(), { listen: false });
    await migratePostgres(cx.pool);
    const tables = await cx.pool.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      [...sqliteTables.map((t) => t.name), ...PG_ONLY].sort(),
    );
    const columns = await cx.pool.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    for (const t of sqliteTables)
      assert.deepEqual(
        columns.rows
          .filter((r) => r.table_name === t.name)
          .map((r) => r.column_name)
          .sort(),
        t.columns.map((c) => c.name).sort(),
        t.name,
      );
    const indexes = await cx.pool.query<{ indexname: string }>(
      `select indexname from pg_indexes where schemaname = 'public'`,
    );
    const present = new Set(indexes.rows.map((r) => r.indexname));
    for (const t of sqliteTables)
      for (const i of t.indexes) assert.ok(present.has(i.config.name), `${t.name}: index ${i.config.name}`);
  });

  it('migrates once when three nodes start together', async () => {
    const url = server.newDatabase();
    const nodes = await Promise.all([1, 2, 3].map(() => open(url, { listen: false, poolMax: 2 })));
    await Promise.all(nodes.map((cx) => migratePostgres(cx.pool)));
    const count = async () =>
      Number(
        (await nodes[0]!.pool.query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations'))
          .rows[0]!.n,
      );
    assert.equal(await count(), journal.entries.length);
    await migratePostgres(nodes[1]!.pool);
    assert.equal(await count(), journal.entries.length);
    // The lock is released: nobody holds it afterwards.
    const held = await nodes[0]!.pool.query(`select 1 from pg_locks where locktype = 'advisory'`);
    assert.equal(held.rowCount, 0);
  });

  describe('the change counter', () => {
    let a: PostgresContext;
    let b: PostgresContext;
    before(async () => {
      const url = server.newDatabase();
      a = await open(url);
      await migratePostgres(a.pool);
      b = await open(url);
    });

    it("advances on this node at once and on another node's listener shortly after", async () => {
      const [a0, b0] = [a.generation(), b.generation()];
      await a.notifyChange();
      assert.notEqual(a.generation(), a0);
      assert.ok(await until(() => b.generation() !== b0), 'b saw the NOTIFY');
      const row = await a.pool.query<{ generation: string }>('select generation from latchkey_changes');
      assert.equal(row.rows[0]?.generation, '1');
    });

    it('counts a change inside a transaction only once it commits', async () => {
      // Two nodes listening from now on: the earlier tests' NOTIFYs (a node hears its own too), however late,
      // never reach them (a listener hears what commits after its LISTEN).
      const url = String(a.pool.options.connectionString);
      const [x, y] = [await open(url), await open(url)];
      const y0 = y.generation();
      const x0 = x.generation();
      await assert.rejects(
        x.tx(async (tx) => {
          await x.notifyChange(tx);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      await sleep(200);
      assert.equal(y.generation(), y0);
      assert.equal(x.generation(), x0);
      await x.tx(async (tx) => x.notifyChange(tx), 'serializable');
      assert.notEqual(x.generation(), x0);
      assert.ok(await until(() => y.generation() !== y0), 'the other node saw the committed NOTIFY');
    });

    it('treats every call as a change while its listener is cut off, and listens again', async () => {
      await a.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query = $1 and datname = current_database()`,
        [`LISTEN ${CHANGES_CHANNEL}`],
      );
      assert.ok(await until(() => moves(b)), 'generation moves on every call while deaf');
      // Reconnected: stable again, and moved by a change.
      assert.ok(await until(() => !moves(b), 5_000), 'listening again');
      const b0 = b.generation();
      await a.notifyChange();
      assert.ok(await until(() => b.generation() !== b0), 'b saw the NOTIFY after reconnecting');
    });

    it('a change whose NOTIFY never arrived is found by the heartbeat', async () => {
      await a.notifyChange(); // the counter's row exists
      const c = await open(String(a.pool.options.connectionString), { heartbeatMs: 100 });
      const c0 = c.generation();
      // The row moves without a NOTIFY, as when the listener's connection silently missed one. A move before
      // the first heartbeat (late on a loaded machine) only sets what the next one compares with: moved again.
      let seen = false;
      for (const end = Date.now() + 10_000; !seen && Date.now() < end; ) {
        await a.pool.query('update latchkey_changes set generation = generation + 1 where id = 1');
        seen = await until(() => c.generation() !== c0, 500);
      }
      assert.ok(seen, 'the heartbeat saw the counter move');
    });

    it('runs a transaction again after a serialization failure', async () => {
      await a.pool.query('create table if not exists t_counter (id int primary key, n int not null)');
      await a.pool.query('insert into t_counter values (1, 0) on conflict do nothing');
      let runs = 0;
      let open = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let readDone = () => {};
      const read = new Promise<void>((resolve) => {
        readDone = resolve;
      });
      const bump = (cx: PostgresContext, wait: boolean) =>
        cx.tx(async (tx) => {
          runs++;
          const [row] = (await tx.execute<{ n: number }>('select n from t_counter where id = 1')).rows;
          if (wait) {
            readDone();
            await gate;
          }
          await tx.execute(`update t_counter set n = ${row!.n + 1} where id = 1`);
        }, 'serializable');
      const slow = bump(a, true);
      await read; // its snapshot is taken: the other increment commits after it
      await bump(b, false);
      open();
      await slow;
      const n = (await a.pool.query<{ n: number }>('select n from t_counter where id = 1')).rows[0]!.n;
      assert.equal(n, 2, 'both increments kept');
      assert.equal(runs, 3, 'the loser ran again');
    });
  });

  it('pings, and closes cleanly (twice) leaving no connection open', async () => {
    const cx = await open(server.newDatabase());
    assert.equal(await cx.ping(), true);
    await cx.close();
    await cx.close();
    await assert.rejects(cx.ping());
    await Promise.all(opened.map((c) => c.close()));
    assert.ok(
      await until(() => !process.getActiveResourcesInfo().includes('TCPSocketWrap'), 2_000),
      `open handles: ${process.getActiveResourcesInfo().join(', ')}`,
    );
  });

  it('fails to open when the database does not answer', async () => {
    await assert.rejects(
      openPostgres(`postgres://latchkey@127.0.0.1:${server.port}/no_such_database`, {
        connectTimeoutMs: 2_000,
      }),
      /no_such_database/,
    );
  });
});
