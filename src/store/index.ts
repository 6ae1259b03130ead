import { ConfigError } from '../config.js';
import { isPostgresUrl } from './dialect.js';
import { createSqliteStore, type SqliteOptions } from './sqlite/index.js';
import type { Store } from './types.js';

export type { SqliteOptions };

/** Opens the store `config.dbPath` names: a PostgreSQL URL, or a SQLite file (`:memory:` for tests). */
export function openStore(config: { dbPath: string }, options?: SqliteOptions): Store {
  if (isPostgresUrl(config.dbPath))
    throw new ConfigError(
      'LATCHKEY_DB is a PostgreSQL URL, but the PostgreSQL dialect is not available yet: use a SQLite file path',
    );
  return createSqliteStore(config.dbPath, options);
}
