import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Params } from '../../src/http/params.js';
import { OAuthError } from '../../src/oauth/errors.js';
import { isBusy, isRefusedValue, loggedError } from '../../src/store/index.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** What a PostgreSQL failure becomes (issue 18): a 400 for a value it refuses, a 503 when it is out of reach. */
describe('PostgreSQL errors', () => {
  let server: TestPostgres;
  let store: PostgresStore;
  before(async () => {
    server = await startPostgres();
    store = await createPostgresStore(server.newDatabase());
  });
  after(async () => {
    await store?.close();
    server?.stop();
  });

  it('a NUL character is a refused value (400), and the log line does not quote the parameters', async () => {
    const email = 'secret.person\u0000@example.test';
    const err = await store.users.findByEmail(email).then(
      () => assert.fail('PostgreSQL stored a NUL'),
      (e: unknown) => e,
    );
    assert.equal(isRefusedValue(err), true, String(err));
    assert.equal(isBusy(err), false);
    const logged = loggedError(err);
    assert.match(logged.error, /^database query failed: .*\(22021\)$/);
    assert.ok(!logged.error.includes('secret.person'), logged.error);
    assert.ok(
      !String(logged.stack).includes('secret.person'),
      'the stack is the driver error, without params',
    );
  });

  it('a database out of reach is busy (503, retry), not a 500', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://latchkey@127.0.0.1:1/latchkey' });
    const err = await pool.query('select 1').then(
      () => assert.fail('connected to port 1'),
      (e: unknown) => e,
    );
    await pool.end();
    assert.equal(isBusy(err), true, String(err));
  });

  it('request parameters holding a NUL are refused at the door, by name', () => {
    assert.throws(
      () => Params.from(new URLSearchParams('client_id=a%00b')),
      (e: unknown) => e instanceof OAuthError && e.error === 'invalid_request' && /client_id/.test(e.message),
    );
  });
});
