import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { mailOutboxChecks } from './mail-outbox-checks.js';

mailOutboxChecks('sqlite', () => createSqliteStore(':memory:'));
