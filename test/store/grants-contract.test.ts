import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { grantsContract } from './grants-contract.js';

grantsContract('sqlite :memory:', () => createSqliteStore(':memory:'));
