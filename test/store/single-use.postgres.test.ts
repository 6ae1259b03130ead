import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { DeviceAuthorization } from '../../src/store/types.js';
import { postgresForFile } from '../helpers/postgres.js';
import { newClient, newEvent, newGrant, newUser } from './contract.js';

/**
 * Two nodes (two pools on one database) racing for what may happen once (issue 18): a password or email link
 * followed twice, a device code approved and denied, redeemed twice or polled twice, one upstream identity linked
 * to two users. Whatever the interleaving, exactly one wins and the loser writes nothing.
 */
const pg = postgresForFile();

const NOW = 1_800_000_000;
const ROUNDS = 8;

describe('PostgreSQL: single-use writes raced by two nodes', () => {
  let a: PostgresStore;
  let b: PostgresStore;
  beforeEach(async () => {
    const url = await pg.url();
    a = await createPostgresStore(url, { migrate: false, poolMax: 4, listen: false });
    b = await createPostgresStore(url, { migrate: false, poolMax: 4, listen: false });
    await pg.truncate(a);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await a.cx.pool.query<{ n: string }>(sql, params)).rows[0]?.n);
  const wins = (results: unknown[], win: unknown) => results.filter((r) => r === win).length;

  const device = (clientId: string): DeviceAuthorization => ({
    deviceCodeHash: `dc-${randomUUID()}`,
    userCodeHash: `uc-${randomUUID()}`,
    clientId,
    scope: 'openid',
    status: 'pending',
    userId: null,
    sessionHash: null,
    authTime: null,
    amr: [],
    interval: 5,
    lastPollMs: 0,
    createdAt: NOW,
    expiresAt: NOW + 600,
  });

  it('a password link is redeemed once', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const user = newUser();
      await a.users.create(user);
      const hash = `pt-${randomUUID()}`;
      await a.passwordTokens.save({
        hash,
        userId: user.id,
        purpose: 'reset',
        createdAt: NOW,
        expiresAt: NOW + 60,
        usedAt: null,
      });
      const results = await Promise.all([
        a.passwordTokens.redeem(hash, '$a', NOW + 1, newEvent('password_set')),
        b.passwordTokens.redeem(hash, '$b', NOW + 1, newEvent('password_set')),
      ]);
      assert.equal(wins(results, true), 1, `round ${i}`);
      const winner = results[0] ? '$a' : '$b';
      assert.equal((await a.users.find(user.id))?.passwordHash, winner);
    }
    assert.equal(await count("select count(*) as n from events where type = 'password_set'"), ROUNDS);
  });

  it('an email link is confirmed once; two users taking one address: one confirmed, one taken', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const user = newUser({ emailVerified: false });
      await a.users.create(user);
      const hash = `et-${randomUUID()}`;
      await a.emailTokens.issue({
        hash,
        userId: user.id,
        email: user.email,
        purpose: 'verify',
        createdAt: NOW,
        expiresAt: NOW + 60,
        usedAt: null,
      });
      const results = await Promise.all([
        a.emailTokens.confirm(hash, NOW + 1, newEvent('email_verified')),
        b.emailTokens.confirm(hash, NOW + 1, newEvent('email_verified')),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['confirmed', 'invalid'], `round ${i}`);

      const [x, y] = [newUser(), newUser()];
      for (const u of [x, y]) await a.users.create(u);
      const address = `${randomUUID()}@example.test`;
      const links = [x, y].map((u) => ({
        hash: `et-${randomUUID()}`,
        userId: u.id,
        email: address,
        purpose: 'change' as const,
        createdAt: NOW,
        expiresAt: NOW + 60,
        usedAt: null,
      }));
      for (const link of links) await a.emailTokens.issue(link);
      const moved = await Promise.all([
        a.emailTokens.confirm(links[0]!.hash, NOW + 1, newEvent('email_changed')),
        b.emailTokens.confirm(links[1]!.hash, NOW + 1, newEvent('email_changed')),
      ]);
      assert.deepEqual(moved.map((r) => r.status).sort(), ['confirmed', 'taken'], `round ${i}`);
      const loser = moved[0]!.status === 'taken' ? links[0]! : links[1]!;
      assert.equal((await a.emailTokens.find(loser.hash))?.usedAt, null, 'the refused link is not spent');
    }
    assert.equal(await count("select count(*) as n from events where type = 'email_changed'"), ROUNDS);
  });

  it('a device code is settled once, redeemed once, and two early polls slow down', async () => {
    const user = newUser();
    const client = newClient();
    await a.users.create(user);
    await a.clients.create(client);
    const signIn = { userId: user.id, sessionHash: null, authTime: NOW, amr: ['pwd'] };
    for (let i = 0; i < ROUNDS; i++) {
      const d = device(client.id);
      await a.devices.create(d, newEvent('requested'));
      const polls = await Promise.all([
        a.devices.poll(d.deviceCodeHash, client.id, NOW * 1000 + 1),
        b.devices.poll(d.deviceCodeHash, client.id, NOW * 1000 + 2),
      ]);
      assert.deepEqual(polls.map((p) => p.status).sort(), ['pending', 'slow_down'], `round ${i}`);
      const settled = await Promise.all([
        a.devices.approve(d.userCodeHash, signIn, NOW, newEvent('device_approved')),
        b.devices.deny(d.userCodeHash, NOW, newEvent('device_denied')),
      ]);
      assert.equal(wins(settled, true), 1, `round ${i}`);
      if (!settled[0]) continue;
      const grants = [newGrant(client.id, user.id), newGrant(client.id, user.id)];
      const redeemed = await Promise.all([
        a.devices.redeem(d.deviceCodeHash, NOW, { grant: grants[0]! }),
        b.devices.redeem(d.deviceCodeHash, NOW, { grant: grants[1]! }),
      ]);
      assert.equal(wins(redeemed, true), 1, `round ${i}`);
      assert.equal(
        await count('select count(*) as n from grants where id = any($1)', [grants.map((g) => g.id)]),
        1,
      );
    }
    assert.equal(
      await count("select count(*) as n from events where type in ('device_approved', 'device_denied')"),
      ROUNDS,
    );
  });

  it('an upstream identity is linked to one user, and a user to one identity', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const [x, y] = [newUser(), newUser()];
      for (const u of [x, y]) await a.users.create(u);
      const identity = { providerSlug: 'google', issuer: 'https://accounts.google.com', createdAt: NOW };
      const subject = `sub-${randomUUID()}`;
      const same = await Promise.all([
        a.identities.link({ ...identity, subject, userId: x.id }, null, NOW, newEvent('provider_linked')),
        b.identities.link({ ...identity, subject, userId: y.id }, null, NOW, newEvent('provider_linked')),
      ]);
      assert.equal(wins(same, true), 1, `round ${i}`);
      const loser = same[0] ? y : x;
      assert.equal((await a.users.find(loser.id))?.passwordHash, loser.passwordHash, 'the loser keeps it');

      const z = newUser();
      await a.users.create(z);
      const twice = await Promise.all([
        a.identities.link(
          { ...identity, subject: `s-${randomUUID()}`, userId: z.id },
          null,
          NOW,
          newEvent('l'),
        ),
        b.identities.link(
          { ...identity, subject: `s-${randomUUID()}`, userId: z.id },
          null,
          NOW,
          newEvent('l'),
        ),
      ]);
      assert.equal(wins(twice, true), 1, `round ${i}`);
    }
    assert.equal(
      await count("select count(*) as n from events where type in ('provider_linked', 'l')"),
      2 * ROUNDS,
    );
  });
});
