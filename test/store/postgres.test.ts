import { after } from 'node:test';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../db/schema.postgres.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

/**
 * The storage conformance suite on a real PostgreSQL (issue 18), the judge of every PostgreSQL store method. One
 * server and one database for the file; each test starts from empty tables (TRUNCATE, far faster than a new
 * database per test).
 */
let server: Promise<{ pg: TestPostgres; url: string }> | undefined;
after(async () => (await server)?.pg.stop());

const tables = Object.values(pgSchema)
  .filter((t) => is(t, PgTable))
  .map((t) => `"${getTableConfig(t).name}"`)
  .join(', ');

/** The database, migrated once; started on first use, so the suite's registration stays synchronous. */
function database(): Promise<{ pg: TestPostgres; url: string }> {
  server ??= (async () => {
    const pg = await startPostgres();
    const url = pg.newDatabase();
    const store = await createPostgresStore(url, { listen: false });
    await store.close();
    return { pg, url };
  })();
  return server;
}

async function emptyStore(): Promise<PostgresStore> {
  const { url } = await database();
  const store = await createPostgresStore(url, { migrate: false, poolMax: 4 });
  await store.cx.pool.query(`truncate ${tables} restart identity cascade`);
  return store;
}

storeContract('postgres', emptyStore, {
  // The other node's NOTIFY crosses a loopback connection: well under 50 ms, even on a loaded machine.
  settle: () => new Promise((resolve) => setTimeout(resolve, 50)),
  pair: async () => {
    const a = await emptyStore();
    const { url } = await database();
    const b = await createPostgresStore(url, { migrate: false, poolMax: 4 });
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  },
});
