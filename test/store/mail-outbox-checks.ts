import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/store/types.js';

const NOW = 1_800_000_000;
const mail = (n: number) => ({
  recipient: `u${n}@example.test`,
  subject: `s${n}`,
  bodySealed: `v1.sealed${n}`,
});

/** The mail outbox, on every dialect (SQLite and PostgreSQL); `open` gives a new, empty store. */
export function mailOutboxChecks(name: string, open: () => Promise<Store> | Store): void {
  describe(`store: mail outbox: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it('claims due rows under a lease; sent and failed rows are done; fresh rows before retries', async () => {
      const a = await store.mailOutbox.enqueue(mail(1), NOW);
      const b = await store.mailOutbox.enqueue(mail(2), NOW);
      assert.ok(b > a);
      const [first] = await store.mailOutbox.claimDue(NOW, 1, NOW + 120);
      assert.equal(first?.id, a);
      assert.equal(first?.attempts, 1);
      assert.equal(first?.nextAttemptAt, NOW + 120);
      assert.equal(first?.bodySealed, 'v1.sealed1');
      await store.mailOutbox.retry(a, NOW, 'ECONNREFUSED');
      // `a` is due again, but `b` was never tried: `b` first.
      const order = await store.mailOutbox.claimDue(NOW, 10, NOW + 120);
      assert.deepEqual(
        order.map((m) => m.id),
        [b, a],
      );
      assert.deepEqual(await store.mailOutbox.claimDue(NOW + 119, 10, NOW + 240), [], 'leased');
      await store.mailOutbox.sent(a, NOW + 1);
      await store.mailOutbox.failed(b, NOW + 2, '550 no such user');
      assert.deepEqual(await store.mailOutbox.claimDue(NOW + 10_000, 10, NOW + 10_120), []);
      const sent = (await store.mailOutbox.find(a))!;
      assert.equal(sent.sentAt, NOW + 1);
      assert.equal(sent.lastError, null);
      assert.equal(sent.bodySealed, '', 'the body is erased once sent');
      assert.equal(sent.attempts, 2);
      const failed = (await store.mailOutbox.find(b))!;
      assert.equal(failed.failedAt, NOW + 2);
      assert.equal(failed.lastError, '550 no such user');
      assert.equal(failed.bodySealed, '', 'and once given up');
    });

    it('prunes only rows sent or given up before the cut-off', async () => {
      const pending = await store.mailOutbox.enqueue(mail(3), NOW);
      assert.equal(await store.mailOutbox.prune(NOW + 1, 100), 0, 'not before their end');
      assert.equal(await store.mailOutbox.prune(NOW + 3, 100), 2);
      assert.deepEqual(
        (await store.mailOutbox.list()).map((m) => m.id),
        [pending],
      );
    });
  });
}
