import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * The throttle shared by several nodes (issue 18): two stores, each with its own pool, on one database stand for
 * two nodes. An attacker spreading guesses over both gains nothing: every failure is counted once, and the wait it
 * earns applies on both.
 */
describe('PostgreSQL throttle across two nodes', () => {
  const rule = { free: 3, baseMs: 1000, maxMs: 8000, forgetMs: 3_600_000 };
  const T0 = 1_700_000_000_000;
  const N = 40;
  let server: TestPostgres;
  let a: PostgresStore;
  let b: PostgresStore;

  before(async () => {
    server = await startPostgres();
    const url = server.newDatabase();
    a = await createPostgresStore(url, { listen: false, poolMax: 8 });
    b = await createPostgresStore(url, { listen: false, poolMax: 8, migrate: false });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    server?.stop();
  });

  it('counts N concurrent failures split over both nodes as N, and the wait applies on both', async () => {
    const counts = await Promise.all(
      Array.from({ length: N }, (_, i) => (i % 2 ? b : a).throttle.fail('spread', T0, rule)),
    );
    assert.deepEqual(
      [...counts].sort((x, y) => x - y),
      Array.from({ length: N }, (_, i) => i + 1),
      'each failure saw its own count: none was lost or counted twice',
    );
    const { rows } = await a.cx.pool.query<{ failures: number }>(
      "select failures from throttle where key = 'spread'",
    );
    assert.equal(rows[0]?.failures, N);
    for (const node of [a, b])
      assert.deepEqual(await node.throttle.reserve([{ key: 'spread', rule }], T0), {
        allowed: false,
        retryAfterMs: rule.maxMs,
      });
    assert.equal(await b.throttle.fail('spread', T0, rule), N + 1, 'the other node counts on');
  });

  it('reserve() sent at once to both nodes lets exactly `free` attempts through', async () => {
    const verdicts = await Promise.all(
      Array.from({ length: N }, (_, i) => (i % 2 ? b : a).throttle.reserve([{ key: 'burst', rule }], T0)),
    );
    assert.equal(verdicts.filter((v) => v.allowed).length, rule.free);
    for (const node of [a, b])
      assert.deepEqual(await node.throttle.reserve([{ key: 'burst', rule }], T0), {
        allowed: false,
        retryAfterMs: rule.baseMs,
      });
  });

  it('reserve() over two keys on both nodes at once, listed in either order, neither deadlocks nor over-counts', async () => {
    const loose = { ...rule, free: 1000 };
    const verdicts = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const keys = [
          { key: 'acct+addr', rule },
          { key: 'acct', rule: loose },
        ];
        return (i % 2 ? b : a).throttle.reserve(i % 4 < 2 ? keys : keys.reverse(), T0);
      }),
    );
    assert.equal(verdicts.filter((v) => v.allowed).length, rule.free);
    assert.equal(
      await a.throttle.fail('acct', T0, loose),
      rule.free + 1,
      'the refused attempts were counted on no key',
    );
  });
});
