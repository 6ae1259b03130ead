import type { SealedStore, SecretGuard } from '../types.js';
import { migratePostgres, type PostgresContext } from './open.js';

/**
 * The secret guard on open and `sealed` (issue 18, the twin of `../sqlite/secret.ts` and the guard steps of
 * `createSqliteStore`): NOT written yet for PostgreSQL beyond migrating; the guard is not checked.
 */
export async function openSealed(
  cx: PostgresContext,
  guard: SecretGuard | undefined,
  options: { migrate: boolean },
): Promise<SealedStore> {
  guard?.accepted();
  if (options.migrate) await migratePostgres(cx.pool);
  return {
    locked: false,
    discard: () => Promise.reject(new Error('store.sealed.discard is not written for PostgreSQL yet')),
  };
}
