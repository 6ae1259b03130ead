import { createPostgresStore } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

/**
 * The storage conformance suite on a real PostgreSQL (issue 18), the judge of every PostgreSQL store method. One
 * server and one database for the file; each test starts from empty tables (TRUNCATE, far faster than a new
 * database per test).
 */
const pg = postgresForFile();

const emptyStore = () => pg.emptyStore();

storeContract('postgres', emptyStore, {
  // The other node's NOTIFY crosses a loopback connection: usually well under 50 ms (the checks poll for it).
  settle: () => new Promise((resolve) => setTimeout(resolve, 50)),
  pair: async () => {
    const a = await emptyStore();
    const url = await pg.url();
    const b = await createPostgresStore(url, { migrate: false, poolMax: 4 });
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  },
});
