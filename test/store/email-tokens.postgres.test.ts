import { after } from 'node:test';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../db/schema.postgres.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { emailTokensContract } from './email-tokens-contract.js';

/**
 * The email-token checks on a real PostgreSQL (issue 18), as `postgres.test.ts` runs the store contract: one server
 * and one database for the file; each test starts from empty tables.
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

emailTokensContract('postgres', emptyStore, async (store, type) => {
  const { rows } = await store.cx.pool.query<{ user_id: string | null; detail: unknown }>(
    'select user_id, detail from events where type = $1 order by id',
    [type],
  );
  return rows.map((row) => ({ userId: row.user_id, detail: row.detail }));
});
