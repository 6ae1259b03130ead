import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { logoutDeliveryChecks } from './logout-deliveries-checks.js';

logoutDeliveryChecks('sqlite', {
  open: () => createSqliteStore(':memory:'),
  removeClient: async (store, clientId) => {
    (store as SqliteStore).raw.prepare('delete from clients where id = ?').run(clientId);
  },
});
