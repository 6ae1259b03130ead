export {
  backupSqlite,
  type CopyResult,
  OperationRefused,
  type RestoreResult,
  restoreSqlite,
} from './backup.js';
export {
  createSqliteStore,
  migrateSqlite,
  openSqlite,
  type SqliteOptions,
  type SqliteStore,
} from './open.js';
