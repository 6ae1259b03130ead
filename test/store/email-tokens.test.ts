import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { emailTokensContract } from './email-tokens-contract.js';

emailTokensContract(
  'sqlite :memory:',
  () => createSqliteStore(':memory:'),
  async (store, type) =>
    (
      store.raw.prepare('select user_id, detail from events where type = ?').all(type) as {
        user_id: string | null;
        detail: string;
      }[]
    ).map((row) => ({ userId: row.user_id, detail: JSON.parse(row.detail) })),
);
