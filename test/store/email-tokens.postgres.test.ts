import { postgresForFile } from '../helpers/postgres.js';
import { emailTokensContract } from './email-tokens-contract.js';

/**
 * The email-token checks on a real PostgreSQL (issue 18), as `postgres.test.ts` runs the store contract: one server
 * and one database for the file; each test starts from empty tables.
 */
const pg = postgresForFile();

const emptyStore = () => pg.emptyStore();

emailTokensContract('postgres', emptyStore, async (store, type) => {
  const { rows } = await store.cx.pool.query<{ user_id: string | null; detail: unknown }>(
    'select user_id, detail from events where type = $1 order by id',
    [type],
  );
  return rows.map((row) => ({ userId: row.user_id, detail: row.detail }));
});
