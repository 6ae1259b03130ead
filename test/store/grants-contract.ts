import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Grant, NewAuditEvent, RefreshToken, Store } from '../../src/store/types.js';
import { newClient, newEvent, newGrant, newRefresh, newSession, newUser } from './contract.js';

const NOW = 1_800_000_000;
const grant = (clientId: string, userId: string, over: Partial<Grant> = {}): Grant =>
  newGrant(clientId, userId, { nonce: null, ...over });
const refresh = (g: Grant, createdAt: number): RefreshToken =>
  newRefresh(g, { createdAt, expiresAt: createdAt + 3600 });
const session = newSession;
const event = (type: string, over: Partial<NewAuditEvent> = {}): NewAuditEvent =>
  newEvent(type, { ip: '192.0.2.1', userAgent: 'GrantsContract/1.0', ...over });

/** An audit row the database refuses (`type` is NOT NULL): the unit of work must roll back entirely. */
const REFUSED = event(null as never);

/**
 * The grant store's self-service verbs (issue 12), for every dialect: `revokeOnce` (`/revoke`),
 * `listAuthorizations` and `revokeAuthorization` (`/account/v1/authorizations`), `endSessionOf`
 * (`DELETE /session`). Each writes its audit row in the same transaction as its change.
 */
export function grantsContract(name: string, make: () => Promise<Store> | Store): void {
  describe(`Grant store contract (self-service): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    async function owners() {
      const user = newUser();
      const client = newClient();
      await store.users.create(user);
      await store.clients.create(client);
      return { user, client };
    }

    /** The audit rows, oldest first, without their ids. */
    const audit = async () =>
      (await store.events.list(100)).reverse().map(({ id: _id, actor: _actor, ...row }) => row);

    const revokedAt = async (id: string) => (await store.grants.find(id))?.revokedAt;

    describe('revokeOnce()', () => {
      it('revokes a live grant with its audit row; an already revoked or unknown one writes nothing', async () => {
        const { user, client } = await owners();
        const g = grant(client.id, user.id);
        await store.tokens.issue({ grant: g });
        const row = event('token_revoked', { userId: user.id, clientId: client.id });
        assert.equal(await store.grants.revokeOnce(g.id, NOW + 1, row), true);
        assert.equal(await revokedAt(g.id), NOW + 1);
        assert.equal(await store.grants.revokeOnce(g.id, NOW + 2, row), false);
        assert.equal(await revokedAt(g.id), NOW + 1, 'keeps its first revocation time');
        assert.equal(await store.grants.revokeOnce('no-such-grant', NOW + 2, row), false);
        assert.deepEqual(await audit(), [row]);
      });

      it('is all or nothing', async () => {
        const { user, client } = await owners();
        const g = grant(client.id, user.id);
        await store.tokens.issue({ grant: g });
        await assert.rejects(store.grants.revokeOnce(g.id, NOW + 1, REFUSED));
        assert.equal(await revokedAt(g.id), null);
      });
    });

    describe('listAuthorizations()', () => {
      it('lists the user’s live grants, newest first, with when each family was last refreshed', async () => {
        const { user, client } = await owners();
        const other = newClient();
        await store.clients.create(other);
        const stranger = newUser();
        await store.users.create(stranger);
        const older = grant(client.id, user.id, { createdAt: NOW - 100 });
        const newer = grant(other.id, user.id, { createdAt: NOW - 50, scope: 'openid offline_access' });
        const revoked = grant(client.id, user.id, { revokedAt: NOW - 1 });
        const expired = grant(client.id, user.id, { expiresAt: NOW });
        const theirs = grant(client.id, stranger.id);
        await store.tokens.issue({ grant: older, refresh: refresh(older, NOW - 100) });
        await store.tokens.issue({ refresh: refresh(older, NOW - 10) });
        await store.tokens.issue({ refresh: refresh(older, NOW - 40) });
        await store.tokens.issue({ grant: newer });
        for (const g of [revoked, expired, theirs]) await store.tokens.issue({ grant: g });

        const all = await store.grants.listAuthorizations(user.id, NOW, { limit: 10 });
        assert.deepEqual(all, [
          { ...newer, lastUsedAt: NOW - 50 },
          { ...older, lastUsedAt: NOW - 10 },
        ]);
        assert.deepEqual(
          (await store.grants.listAuthorizations(user.id, NOW, { clientId: client.id, limit: 10 })).map(
            (a) => a.id,
          ),
          [older.id],
          'one client only',
        );
        assert.deepEqual(
          (await store.grants.listAuthorizations(user.id, NOW, { limit: 1 })).map((a) => a.id),
          [newer.id],
          'at most the limit, newest first',
        );
        assert.deepEqual(await store.grants.listAuthorizations(randomUUID(), NOW, { limit: 10 }), []);
      });
    });

    describe('revokeAuthorization()', () => {
      it('revokes the user’s live grant, forgets the consent for its client and writes the row', async () => {
        const { user, client } = await owners();
        const other = newClient();
        await store.clients.create(other);
        const target = grant(client.id, user.id);
        const sibling = grant(client.id, user.id);
        const elsewhere = grant(other.id, user.id);
        const rt = refresh(target, NOW);
        await store.tokens.issue({ grant: target, refresh: rt });
        for (const g of [sibling, elsewhere]) await store.tokens.issue({ grant: g });
        await store.consents.add(user.id, client.id, ['openid', 'profile'], NOW);
        await store.consents.add(user.id, other.id, ['openid'], NOW);
        const row = event('app_revoked', { userId: user.id, clientId: client.id });

        assert.equal(await store.grants.revokeAuthorization(target.id, user.id, NOW + 1, row), true);
        assert.equal(await revokedAt(target.id), NOW + 1);
        assert.equal(
          (await store.grants.find((await store.tokens.findRefresh(rt.hash))!.grantId))?.revokedAt,
          NOW + 1,
          'its refresh token’s family is revoked',
        );
        assert.equal(await revokedAt(sibling.id), null, 'only that grant');
        assert.equal(await revokedAt(elsewhere.id), null);
        assert.deepEqual(await store.consents.find(user.id, client.id), []);
        assert.deepEqual(await store.consents.find(user.id, other.id), ['openid']);
        assert.deepEqual(await audit(), [row]);
      });

      it('writes nothing for another user’s, a revoked, an expired or an unknown grant', async () => {
        const { user, client } = await owners();
        const stranger = newUser();
        await store.users.create(stranger);
        const theirs = grant(client.id, stranger.id);
        const revoked = grant(client.id, user.id, { revokedAt: NOW - 5 });
        const expired = grant(client.id, user.id, { expiresAt: NOW });
        for (const g of [theirs, revoked, expired]) await store.tokens.issue({ grant: g });
        await store.consents.add(user.id, client.id, ['openid'], NOW);
        const row = event('app_revoked', { userId: user.id });
        for (const id of [theirs.id, revoked.id, expired.id, 'no-such-grant'])
          assert.equal(await store.grants.revokeAuthorization(id, user.id, NOW, row), false, id);
        assert.equal(await revokedAt(theirs.id), null);
        assert.equal(await revokedAt(revoked.id), NOW - 5);
        assert.equal(await revokedAt(expired.id), null);
        assert.deepEqual(await store.consents.find(user.id, client.id), ['openid'], 'the consent stays');
        assert.deepEqual(await audit(), []);
      });

      it('is all or nothing', async () => {
        const { user, client } = await owners();
        const g = grant(client.id, user.id);
        await store.tokens.issue({ grant: g });
        await store.consents.add(user.id, client.id, ['openid'], NOW);
        await assert.rejects(store.grants.revokeAuthorization(g.id, user.id, NOW + 1, REFUSED));
        assert.equal(await revokedAt(g.id), null);
        assert.deepEqual(await store.consents.find(user.id, client.id), ['openid']);
      });
    });

    describe('endSessionOf()', () => {
      it('ends the grant’s session, revokes its grants but offline_access ones, and the grant itself', async () => {
        const { user, client } = await owners();
        const mine = session(user.id);
        const other = session(user.id);
        for (const s of [mine, other]) await store.sessions.create(s);
        const caller = grant(client.id, user.id, {
          sessionHash: mine.idHash,
          scope: 'openid offline_access',
        });
        const online = grant(client.id, user.id, { sessionHash: mine.idHash });
        const offline = grant(client.id, user.id, {
          sessionHash: mine.idHash,
          scope: 'openid offline_access',
        });
        const elsewhere = grant(client.id, user.id, { sessionHash: other.idHash });
        for (const g of [caller, online, offline, elsewhere]) await store.tokens.issue({ grant: g });
        const row = event('logout', { userId: user.id, clientId: client.id });

        assert.deepEqual(await store.grants.endSessionOf(caller.id, NOW + 1, row), {
          sessionEnded: true,
          revokedGrants: 2,
        });
        assert.equal((await store.sessions.find(mine.idHash))?.endedAt, NOW + 1);
        assert.equal((await store.sessions.find(other.idHash))?.endedAt, null);
        assert.equal(await revokedAt(caller.id), NOW + 1, 'the caller’s own grant, offline_access or not');
        assert.equal(await revokedAt(online.id), NOW + 1);
        assert.equal(await revokedAt(offline.id), null, 'another offline_access grant survives');
        assert.equal(await revokedAt(elsewhere.id), null);
        assert.deepEqual(await audit(), [
          { ...row, detail: { via: 'contract', session_ended: true, revoked_grants: 2 } },
        ]);
      });

      it('a grant without a session only revokes itself; an unknown one writes nothing', async () => {
        const { user, client } = await owners();
        const live = session(user.id);
        await store.sessions.create(live);
        const direct = grant(client.id, user.id);
        const browser = grant(client.id, user.id, { sessionHash: live.idHash });
        for (const g of [direct, browser]) await store.tokens.issue({ grant: g });
        const row = event('logout', { userId: user.id });

        assert.equal(await store.grants.endSessionOf('no-such-grant', NOW, row), undefined);
        assert.deepEqual(await audit(), []);
        assert.deepEqual(await store.grants.endSessionOf(direct.id, NOW + 1, row), {
          sessionEnded: false,
          revokedGrants: 1,
        });
        assert.equal(await revokedAt(direct.id), NOW + 1);
        assert.equal(await revokedAt(browser.id), null);
        assert.equal((await store.sessions.find(live.idHash))?.endedAt, null);
      });

      it('is all or nothing', async () => {
        const { user, client } = await owners();
        const s = session(user.id);
        await store.sessions.create(s);
        const g = grant(client.id, user.id, { sessionHash: s.idHash });
        await store.tokens.issue({ grant: g });
        await assert.rejects(store.grants.endSessionOf(g.id, NOW + 1, REFUSED));
        assert.equal((await store.sessions.find(s.idHash))?.endedAt, null);
        assert.equal(await revokedAt(g.id), null);
      });
    });
  });
}
