import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EVENT_RETENTION_SECONDS } from '../../src/config.js';
import type { EmailToken, NewAuditEvent, Store } from '../../src/store/types.js';

const NOW = 1_800_000_000;
const DAY = 86_400;

const event = (type: string): NewAuditEvent => ({
  at: NOW,
  type,
  userId: null,
  clientId: null,
  ip: '192.0.2.1',
  detail: { via: 'test' },
});

/** An audit row as the database holds it: its user and its `detail`, parsed. */
export interface AuditRow {
  userId: string | null;
  detail: unknown;
}

/**
 * The email-token store (issue 15) and the voiding of mailed links by credential and address changes, for every
 * dialect. `auditRows` reads the audit rows of a type straight from the database (not through `store.events`).
 */
export function emailTokensContract<S extends Store>(
  name: string,
  make: () => Promise<S> | S,
  auditRows: (store: S, type: string) => Promise<AuditRow[]>,
): void {
  describe(`store: email tokens (${name})`, () => {
    let store: S;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    const newUser = async (email: string, emailVerified = false) =>
      store.users.create({
        id: randomUUID(),
        email,
        emailVerified,
        passwordHash: null,
        name: null,
        givenName: null,
        familyName: null,
        roles: [],
        createdAt: NOW,
      });
    const token = (
      userId: string,
      email: string,
      purpose: EmailToken['purpose'],
      extra: Partial<EmailToken> = {},
    ) => ({
      hash: `h-${randomUUID()}`,
      userId,
      email,
      purpose,
      createdAt: NOW,
      expiresAt: NOW + DAY,
      usedAt: null,
      ...extra,
    });
    const events = (type: string) => auditRows(store, type);

    it("'verify' sets email_verified once, with its audit row", async () => {
      const user = await newUser('v@example.test');
      const t = token(user.id, user.email, 'verify');
      await store.emailTokens.issue(t);
      assert.deepEqual(await store.emailTokens.find(t.hash), t);
      const result = await store.emailTokens.confirm(t.hash, NOW + 5, event('email_verified'));
      assert.deepEqual(result, {
        status: 'confirmed',
        userId: user.id,
        purpose: 'verify',
        email: 'v@example.test',
        previousEmail: 'v@example.test',
      });
      assert.equal((await store.users.find(user.id))?.emailVerified, true);
      assert.equal((await store.emailTokens.find(t.hash))?.usedAt, NOW + 5);
      const rows = await events('email_verified');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.userId, user.id);
      assert.deepEqual(rows[0]?.detail, { via: 'test', purpose: 'verify' });
      assert.deepEqual(await store.emailTokens.confirm(t.hash, NOW + 6, event('email_verified')), {
        status: 'invalid',
      });
      assert.equal((await events('email_verified')).length, 1, 'a used link writes nothing');
    });

    it('refuses expired and unknown links; issuing voids the earlier link of the same purpose only', async () => {
      const user = await newUser('e@example.test');
      const expired = token(user.id, user.email, 'verify', { expiresAt: NOW + 10 });
      await store.emailTokens.issue(expired);
      assert.deepEqual(await store.emailTokens.confirm(expired.hash, NOW + 10, event('x')), {
        status: 'invalid',
      });
      assert.deepEqual(await store.emailTokens.confirm('no-such-hash', NOW, event('x')), {
        status: 'invalid',
      });
      const first = token(user.id, user.email, 'verify');
      const change = token(user.id, 'e2@example.test', 'change');
      await store.emailTokens.issue(first);
      await store.emailTokens.issue(change);
      const second = token(user.id, user.email, 'verify');
      await store.emailTokens.issue(second);
      assert.equal((await store.emailTokens.find(first.hash))?.usedAt, NOW, 'voided');
      assert.equal((await store.emailTokens.find(change.hash))?.usedAt, null, 'another purpose stays');
      assert.deepEqual(await store.emailTokens.confirm(first.hash, NOW + 1, event('x')), {
        status: 'invalid',
      });
      assert.equal((await store.users.find(user.id))?.emailVerified, false);
      assert.equal((await store.emailTokens.confirm(second.hash, NOW + 1, event('x'))).status, 'confirmed');
    });

    it("'verify' for an address the user no longer has is refused", async () => {
      const user = await newUser('old@example.test');
      const t = token(user.id, 'other@example.test', 'verify');
      await store.emailTokens.issue(t);
      assert.deepEqual(await store.emailTokens.confirm(t.hash, NOW + 1, event('x')), { status: 'invalid' });
      assert.equal((await store.users.find(user.id))?.emailVerified, false);
    });

    it("'change' switches the address (verified); a taken address is refused and nothing written", async () => {
      const user = await newUser('from@example.test', false);
      const t = token(user.id, 'to@example.test', 'change');
      await store.emailTokens.issue(t);
      assert.deepEqual(await store.emailTokens.confirm(t.hash, NOW + 2, event('email_changed')), {
        status: 'confirmed',
        userId: user.id,
        purpose: 'change',
        email: 'to@example.test',
        previousEmail: 'from@example.test',
      });
      const changed = await store.users.find(user.id);
      assert.equal(changed?.email, 'to@example.test');
      assert.equal(changed?.emailVerified, true);
      assert.equal((await store.users.findByEmail('from@example.test'))?.id, undefined);

      const t2 = token(user.id, 'busy@example.test', 'change');
      await store.emailTokens.issue(t2);
      await newUser('busy@example.test');
      const before = (await events('email_changed')).length;
      assert.deepEqual(await store.emailTokens.confirm(t2.hash, NOW + 3, event('email_changed')), {
        status: 'taken',
      });
      assert.equal((await store.users.find(user.id))?.email, 'to@example.test');
      assert.equal((await store.emailTokens.find(t2.hash))?.usedAt, null, 'not spent');
      assert.equal((await events('email_changed')).length, before);
    });

    it('goes with its user, and expired rows are swept', async () => {
      const user = await newUser('gone@example.test');
      const t = token(user.id, user.email, 'verify');
      await store.emailTokens.issue(t);
      await store.users.remove(user.id, event('user_removed'));
      assert.equal(await store.emailTokens.find(t.hash), undefined);

      const kept = await newUser('kept@example.test');
      const old = token(kept.id, kept.email, 'change', { expiresAt: NOW + 100 });
      await store.emailTokens.issue(old);
      await store.sweep(NOW + 99, 100, EVENT_RETENTION_SECONDS);
      assert.ok(await store.emailTokens.find(old.hash));
      await store.sweep(NOW + 100, 100, EVENT_RETENTION_SECONDS);
      assert.equal(await store.emailTokens.find(old.hash), undefined);
    });
    it('a change of password or of address voids every link mailed before it (password and email links)', async () => {
      const pwToken = (userId: string, purpose: 'reset' | 'set' | 'invite' = 'reset') => ({
        hash: `p-${randomUUID()}`,
        userId,
        purpose,
        createdAt: NOW,
        expiresAt: NOW + DAY,
        usedAt: null,
      });
      // A thief of the password asks for an email change; the owner then changes the password: the link is dead.
      const owner = await newUser('owner@example.test', true);
      const change = token(owner.id, 'thief@example.test', 'change');
      await store.emailTokens.issue(change);
      await store.users.changePassword(owner.id, 'new-hash', NOW + 1, event('password_changed'));
      assert.deepEqual(await store.emailTokens.confirm(change.hash, NOW + 2, event('email_changed')), {
        status: 'invalid',
      });
      assert.equal((await store.users.find(owner.id))?.email, 'owner@example.test');

      // The same after a reset link is redeemed (and the other reset links die with it).
      const change2 = token(owner.id, 'thief@example.test', 'change');
      await store.emailTokens.issue(change2);
      const reset = pwToken(owner.id);
      const reset2 = pwToken(owner.id);
      await store.passwordTokens.save(reset);
      await store.passwordTokens.save(reset2);
      assert.equal(await store.passwordTokens.redeem(reset.hash, 'h2', NOW + 3, event('password_set')), true);
      assert.equal(
        (await store.emailTokens.confirm(change2.hash, NOW + 4, event('email_changed'))).status,
        'invalid',
      );
      assert.equal(
        await store.passwordTokens.redeem(reset2.hash, 'h3', NOW + 4, event('password_set')),
        false,
      );

      // A confirmed address change voids the reset link mailed to the old address.
      const moving = await newUser('old-box@example.test', true);
      const staleReset = pwToken(moving.id);
      await store.passwordTokens.save(staleReset);
      const move = token(moving.id, 'new-box@example.test', 'change');
      await store.emailTokens.issue(move);
      assert.equal(
        (await store.emailTokens.confirm(move.hash, NOW + 5, event('email_changed'))).status,
        'confirmed',
      );
      assert.equal(
        await store.passwordTokens.redeem(staleReset.hash, 'h4', NOW + 6, event('password_set')),
        false,
      );

      // An admin's change of address, or disabling the user, voids an invitation mailed to the old one.
      const invited = await newUser('typo@exmaple.test');
      const invite = pwToken(invited.id, 'invite');
      await store.passwordTokens.save(invite);
      const updated = await store.users.update(
        invited.id,
        { email: 'right@example.test' },
        NOW + 7,
        event('user_updated'),
      );
      assert.equal(updated.status, 'updated');
      assert.equal(
        await store.passwordTokens.redeem(invite.hash, 'h5', NOW + 8, event('password_set')),
        false,
      );
      const disabled = await newUser('leaving@example.test');
      const verify = token(disabled.id, disabled.email, 'verify');
      await store.emailTokens.issue(verify);
      await store.users.update(disabled.id, { disabledAt: NOW + 9 }, NOW + 9, event('user_disabled'));
      assert.equal(
        (await store.emailTokens.confirm(verify.hash, NOW + 10, event('email_verified'))).status,
        'invalid',
      );

      // A change that leaves the address as it is voids nothing.
      const staying = await newUser('stay@example.test');
      const keep = pwToken(staying.id, 'invite');
      await store.passwordTokens.save(keep);
      await store.users.update(
        staying.id,
        { name: 'Stay', email: 'stay@example.test' },
        NOW + 11,
        event('user_updated'),
      );
      assert.equal(await store.passwordTokens.redeem(keep.hash, 'h6', NOW + 12, event('password_set')), true);
    });
  });
}
