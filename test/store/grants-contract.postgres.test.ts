import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { AuthorizationCode, Grant } from '../../src/store/types.js';
import { postgresForFile } from '../helpers/postgres.js';
import { newClient, newGrant, newRefresh, newUser } from './contract.js';
import { grantsContract } from './grants-contract.js';

/**
 * The grant store's self-service contract on a real PostgreSQL (issue 18), and what only a server shared by
 * several nodes can show: redemptions and rotations racing on two stores (two pools) over one database. One
 * server and one database for the file; each test starts from empty tables.
 */
const pg = postgresForFile();

const emptyStore = () => pg.emptyStore();

grantsContract('postgres', emptyStore);

const NOW = 1_800_000_000;
const RACERS = 20;

/** A live code for `grant` (contract.ts keeps its own `newCode` to itself). */
const newCode = (grant: Grant): AuthorizationCode => ({
  hash: `code-hash-${randomUUID()}`,
  grantId: grant.id,
  clientId: grant.clientId,
  userId: grant.userId!,
  redirectUri: 'https://app.example.test/cb',
  codeChallenge: null,
  createdAt: NOW,
  expiresAt: NOW + 60,
  consumedAt: null,
});

describe('two nodes racing on one PostgreSQL', () => {
  let a: PostgresStore;
  let b: PostgresStore;
  beforeEach(async () => {
    a = await emptyStore();
    b = await createPostgresStore(await pg.url(), { migrate: false, poolMax: 10 });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  /** Node `i`'s store: the racers alternate between the two pools. */
  const node = (i: number) => (i % 2 === 0 ? a : b);

  async function owners() {
    const user = newUser();
    const client = newClient();
    await a.users.create(user);
    await a.clients.create(client);
    return { user, client };
  }

  const count = async (sql: string, params: unknown[]) =>
    Number((await a.cx.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

  it(`${RACERS} concurrent redemptions of one code: exactly one ok, every other a replay that revokes the grant`, async () => {
    const { user, client } = await owners();
    const grant = newGrant(client.id, user.id);
    const code = newCode(grant);
    await a.codes.save(grant, code);
    const refreshes = Array.from({ length: RACERS }, () => newRefresh(grant));

    const results = await Promise.all(
      refreshes.map((refresh, i) => node(i).codes.redeem(code.hash, NOW + 1, { refresh })),
    );

    assert.equal(results.filter((r) => r === 'ok').length, 1, 'exactly one redemption wins');
    assert.equal(results.filter((r) => r === 'replayed').length, RACERS - 1);
    const winner = refreshes[results.indexOf('ok')]!;
    assert.deepEqual(await b.tokens.findRefresh(winner.hash), winner, 'the winner’s tokens are written');
    assert.equal(
      await count('select count(*) as n from refresh_tokens where grant_id = $1', [grant.id]),
      1,
      'no loser wrote a token',
    );
    assert.equal((await b.codes.find(code.hash))?.consumedAt, NOW + 1);
    // RFC 6749 §4.1.2: the replays (the losers) revoke the grant, as a replay after the fact does.
    assert.equal((await b.grants.find(grant.id))?.revokedAt, NOW + 1);
  });

  it(`${RACERS} concurrent rotations of one refresh token: one successor, and every loser finds the winner’s sealed retry`, async () => {
    const { user, client } = await owners();
    const grant = newGrant(client.id, user.id);
    const first = newRefresh(grant);
    await a.tokens.issue({ grant, refresh: first });
    const successors = Array.from({ length: RACERS }, (_, i) =>
      newRefresh(grant, { createdAt: NOW + 1 + i }),
    );

    const results = await Promise.all(
      successors.map((refresh, i) =>
        node(i).tokens.rotateRefresh(first.hash, NOW + 1, `sealed-${i}`, { refresh }),
      ),
    );

    // The store's half of the grace rule (src/oauth/token/refresh-token.ts): exactly one rotation writes a
    // successor; every other answers already_rotated and writes none, so inside the grace window each of those
    // requests opens the one sealed retry the winner left on the old token (the same successor), and after it
    // revokes the family. Never two successors.
    assert.equal(results.filter((r) => r === 'rotated').length, 1, 'exactly one rotation wins');
    assert.equal(results.filter((r) => r === 'already_rotated').length, RACERS - 1);
    const won = results.indexOf('rotated');
    const old = await b.tokens.findRefresh(first.hash);
    assert.equal(old?.rotatedAt, NOW + 1);
    assert.equal(old?.retrySealed, `sealed-${won}`, 'the sealed retry is the winner’s, not overwritten');
    assert.deepEqual(await a.tokens.findRefresh(successors[won]!.hash), successors[won]);
    assert.equal(
      await count('select count(*) as n from refresh_tokens where grant_id = $1', [grant.id]),
      2,
      'the first token and one successor: the family never forks',
    );
    assert.equal((await a.grants.find(grant.id))?.revokedAt, null, 'a lost race revokes nothing');
  });
});
