import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../db/schema.postgres.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { freePort } from './net.js';

/**
 * A real PostgreSQL server from Debian's packages, in a temporary data directory on a loopback port, for the
 * tests that need one (issue 18). `.ci/run` installs the package when it is missing. As root (CI), the server
 * runs as Debian's `postgres` user: `initdb` refuses root.
 */
export interface TestPostgres {
  /** `postgres://latchkey@127.0.0.1:<port>/<database>` for a new, empty database. */
  newDatabase(): string;
  port: number;
  stop(): void;
}

/** The directory holding Debian's `initdb`/`pg_ctl`, newest major version first; undefined when not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** Starts a PostgreSQL server; the caller stops it (`after(() => pg.stop())`). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does it)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
          stdio: 'pipe',
          cwd: dir,
        })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe', cwd: dir });
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'latchkey', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  // Durability off: a test cluster lives for one file's tests. The socket directory is the temp dir.
  const options = [
    `-h 127.0.0.1 -p ${port} -k ${dir}`,
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  let n = 0;
  const psql = (sql: string) =>
    execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'latchkey', '-d', 'postgres', '-qAtc', sql],
      {
        stdio: 'pipe',
      },
    );
  return {
    port,
    newDatabase() {
      const name = `latchkey_${process.pid}_${++n}`;
      psql(`CREATE DATABASE ${name}`);
      return `postgres://latchkey@127.0.0.1:${port}/${name}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A test file's PostgreSQL: one server and one migrated database, started on first use, stopped after the file. */
export interface FilePostgres {
  /** The database's URL (the server starts on the first call). */
  url(): Promise<string>;
  /** A store on the database with every table emptied (far faster than a new database per test). */
  emptyStore(options?: { poolMax?: number; listen?: boolean }): Promise<PostgresStore>;
  /** Empties every table of the database, through `store`'s pool. */
  truncate(store: PostgresStore): Promise<void>;
}

const tables = () =>
  Object.values(pgSchema)
    .filter((t) => is(t, PgTable))
    .map((t) => `"${getTableConfig(t).name}"`)
    .join(', ');

/** Call at a test file's top level: registers the server's stop with the file's `after`. */
export function postgresForFile(): FilePostgres {
  let server: Promise<{ pg: TestPostgres; url: string }> | undefined;
  after(async () => (await server)?.pg.stop());
  const database = () => {
    server ??= (async () => {
      const pg = await startPostgres();
      const url = pg.newDatabase();
      await (await createPostgresStore(url, { listen: false })).close();
      return { pg, url };
    })();
    return server;
  };
  const truncate = async (store: PostgresStore) => {
    await store.cx.pool.query(`truncate ${tables()} restart identity cascade`);
  };
  return {
    url: async () => (await database()).url,
    async emptyStore(options = {}) {
      const store = await createPostgresStore((await database()).url, {
        migrate: false,
        poolMax: options.poolMax ?? 4,
        ...(options.listen === false ? { listen: false } : {}),
      });
      await truncate(store);
      return store;
    },
    truncate,
  };
}
