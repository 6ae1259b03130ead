export {
  createSqliteStore,
  migrateSqlite,
  openSqlite,
  type SqliteOptions,
  type SqliteStore,
} from './open.js';
