import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sessionSid } from '../../src/crypto/hash.js';
import type { Store } from '../../src/store/types.js';
import { newClient, newGrant, newSession, newUser } from './contract.js';

const NOW = 1_800_000_000;

/** What the checks need of a dialect. */
export interface OutboxDialect {
  /** A new, empty store. */
  open(): Promise<Store> | Store;
  /** Deletes the client's row behind the store's back (to see the rows that cascade). */
  removeClient(store: Store, clientId: string): Promise<void>;
}

/** The back-channel logout outbox, on every dialect (SQLite and PostgreSQL). */
export function logoutDeliveryChecks(name: string, dialect: OutboxDialect): void {
  describe(`store: logout deliveries (the back-channel logout outbox): ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await dialect.open();
    });
    after(() => store.close());

    it('queues one row per client with a back-channel URI that had a grant through the ended sessions', async () => {
      const user = await store.users.create(newUser());
      const session = newSession(user.id);
      const other = newSession(user.id);
      await store.sessions.create(session);
      await store.sessions.create(other);
      const withUri = await store.clients.create(
        newClient({ backchannelLogoutUri: 'https://rp.example/bc' }),
      );
      const withoutUri = await store.clients.create(newClient());
      const elsewhere = await store.clients.create(
        newClient({ backchannelLogoutUri: 'https://rp2.example/bc' }),
      );
      // Two grants of the same client in the session (and a revoked one): still one notice.
      for (const over of [{}, {}, { revokedAt: NOW }])
        await store.tokens.issue({
          grant: newGrant(withUri.id, user.id, { sessionHash: session.idHash, ...over }),
        });
      await store.tokens.issue({ grant: newGrant(withoutUri.id, user.id, { sessionHash: session.idHash }) });
      await store.tokens.issue({ grant: newGrant(elsewhere.id, user.id, { sessionHash: other.idHash }) });

      const seen: string[] = [];
      const queued = await store.logoutDeliveries.enqueueForSessions([session.idHash], NOW, (p) => {
        seen.push(`${p.clientId} ${p.userId} ${p.sessionHash} ${p.uri}`);
        return { aud: p.clientId, sub: p.userId };
      });
      assert.equal(queued, 1);
      assert.deepEqual(seen, [`${withUri.id} ${user.id} ${session.idHash} https://rp.example/bc`]);
      const [row] = (await store.logoutDeliveries.list()).filter((r) => r.clientId === withUri.id);
      assert.deepEqual(row?.claims, { aud: withUri.id, sub: user.id });
      assert.equal(row?.nextAttemptAt, NOW);
      assert.equal(row?.attempts, 0);
      assert.equal(await store.logoutDeliveries.enqueueForSessions([], NOW, () => ({})), 0);
    });

    it('claims due rows under a lease, so no other drain takes them until it runs out', async () => {
      const first = await store.logoutDeliveries.claimDue(NOW, 10, NOW + 60);
      assert.equal(first.length, 1);
      assert.equal(first[0]?.attempts, 1);
      assert.deepEqual(await store.logoutDeliveries.claimDue(NOW + 59, 10, NOW + 120), [], 'leased');
      await store.logoutDeliveries.retry(first[0]!.id, NOW + 5, 'HTTP 503');
      assert.deepEqual(await store.logoutDeliveries.claimDue(NOW + 4, 10, NOW + 64), []);
      const again = await store.logoutDeliveries.claimDue(NOW + 5, 10, NOW + 65);
      assert.equal(again[0]?.attempts, 2);
      assert.equal(again[0]?.lastError, 'HTTP 503');
      await store.logoutDeliveries.delivered(again[0]!.id, NOW + 6);
      assert.deepEqual(
        await store.logoutDeliveries.claimDue(NOW + 1000, 10, NOW + 1060),
        [],
        'delivered rows are done',
      );
      const row = await store.logoutDeliveries.find(again[0]!.id);
      assert.equal(row?.deliveredAt, NOW + 6);
      assert.equal(row?.lastError, null);
    });

    it('a failed row is never claimed again, and removing the client removes its rows', async () => {
      const user = await store.users.create(newUser());
      const session = newSession(user.id);
      await store.sessions.create(session);
      const client = await store.clients.create(
        newClient({ backchannelLogoutUri: 'https://rp3.example/bc' }),
      );
      await store.tokens.issue({ grant: newGrant(client.id, user.id, { sessionHash: session.idHash }) });
      await store.logoutDeliveries.enqueueForSessions([session.idHash], NOW, () => ({}));
      const [claimed] = await store.logoutDeliveries.claimDue(NOW, 10, NOW + 60);
      assert.equal(claimed?.clientId, client.id);
      await store.logoutDeliveries.failed(claimed!.id, NOW + 1, 'gave up');
      assert.deepEqual(await store.logoutDeliveries.claimDue(NOW + 10_000, 10, NOW + 10_060), []);
      assert.equal((await store.logoutDeliveries.find(claimed!.id))?.failedAt, NOW + 1);
      await store.logoutDeliveries.enqueueForSessions([session.idHash], NOW, () => ({}));
      const [pending] = await store.logoutDeliveries.claimDue(NOW, 10, NOW + 60);
      assert.equal(await store.logoutDeliveries.prune(NOW + 1, 100), 0, 'not before its end');
      assert.ok((await store.logoutDeliveries.prune(NOW + 2, 100)) >= 1, 'ended rows go');
      assert.equal(await store.logoutDeliveries.find(claimed!.id), undefined);
      assert.ok(await store.logoutDeliveries.find(pending!.id), 'a pending row stays');
      await dialect.removeClient(store, client.id);
      assert.equal(await store.logoutDeliveries.find(pending!.id), undefined, 'cascade');
    });

    it('claims fresh rows before retries, skips the clients named, and carries the session’s sid', async () => {
      const fresh = await dialect.open();
      try {
        const user = await fresh.users.create(newUser());
        const a = await fresh.clients.create(newClient({ backchannelLogoutUri: 'https://a.example/bc' }));
        const b = await fresh.clients.create(newClient({ backchannelLogoutUri: 'https://b.example/bc' }));
        const hashes: string[] = [];
        // Session ids that sort against the order given: the notices still come in the order given.
        for (const [clientId, sid, idHash] of [
          [a.id, 'carried-on-sid', `c-${randomUUID()}`],
          [a.id, null, `b-${randomUUID()}`],
          [b.id, null, `a-${randomUUID()}`],
        ] as const) {
          const session = newSession(user.id, { sid, idHash });
          await fresh.sessions.create(session);
          await fresh.tokens.issue({ grant: newGrant(clientId, user.id, { sessionHash: session.idHash }) });
          hashes.push(session.idHash);
        }
        const sids: string[] = [];
        await fresh.logoutDeliveries.enqueueForSessions(hashes, NOW, (p) => {
          sids.push(p.sid);
          return { aud: p.clientId };
        });
        assert.deepEqual(sids, ['carried-on-sid', sessionSid(hashes[1]!), sessionSid(hashes[2]!)]);
        // The first row of `a` fails once: due again, but behind the rows never tried.
        const [first] = await fresh.logoutDeliveries.claimDue(NOW, 1, NOW + 60);
        assert.equal(first?.clientId, a.id);
        await fresh.logoutDeliveries.retry(first!.id, NOW, 'HTTP 503');
        const order = await fresh.logoutDeliveries.claimDue(NOW, 10, NOW + 60, [b.id]);
        assert.deepEqual(
          order.map((d) => [d.clientId, d.attempts]),
          [
            [a.id, 1],
            [a.id, 2],
          ],
          'b skipped; the fresh row of a before its retry',
        );
        const rest = await fresh.logoutDeliveries.claimDue(NOW, 10, NOW + 60);
        assert.deepEqual(
          rest.map((d) => d.clientId),
          [b.id],
        );
      } finally {
        await fresh.close();
      }
    });
  });
}
