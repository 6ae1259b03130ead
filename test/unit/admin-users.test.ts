import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createClient } from '../../src/admin/clients.js';
import { type AdminContext, MAX_PAGE_LIMIT } from '../../src/admin/context.js';
import { queryEvents } from '../../src/admin/events.js';
import {
  createUser,
  describeUser,
  endAllUserSessions,
  endUserSession,
  listUserApps,
  listUserSessions,
  listUsers,
  revokeUserApp,
  setUserPassword,
  updateUser,
} from '../../src/admin/users.js';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import type { AuditEvent, Grant, Session, User } from '../../src/store/types.js';
import { attemptSignIn, csrfOf } from '../helpers/agent.js';
import { pendingDevice } from '../helpers/device.js';
import { browser, expectOAuthError, json, refresh, signIn, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';
import { adminError } from './admin-helpers.js';

const API: AdminContext = { actor: 'user:admin-1', ip: '203.0.113.7', userAgent: 'curl/8.5' };

/** Every audit row, oldest first. */
/** Oldest first, without the start-up's own rows (the console client's `client_created`, actor `system`). */
async function events(t: TestApp): Promise<AuditEvent[]> {
  return (await t.deps.store.events.list(10_000)).reverse().filter((e) => e.actor !== 'system');
}

describe('admin use cases: users', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.close();
  });

  describe('listUsers', () => {
    it('pages through 250 users with a small limit: every user once, in order, then no cursor', async () => {
      const created: User[] = [];
      for (let i = 0; i < 250; i++) {
        // Many share a second: the id breaks the tie, so the keyset must compare both.
        if (i % 40 === 0) t.clock.advance(1);
        created.push(await createUser(t.deps, { email: `user-${String(i).padStart(3, '0')}@example.test` }));
      }
      const expected = [...created]
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((u) => u.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listUsers(t.deps, { limit: 7, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.length <= 7);
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
        assert.ok(pages <= 40, 'the paging ends');
      } while (cursor);
      assert.equal(pages, Math.ceil(250 / 7));
      assert.equal(new Set(seen).size, 250, 'no duplicates');
      assert.deepEqual(seen, expected, 'no gaps, oldest first');

      const whole = await listUsers(t.deps, { limit: MAX_PAGE_LIMIT });
      assert.equal(whole.items.length, MAX_PAGE_LIMIT);
      assert.ok(whole.nextCursor);
      const rest = await listUsers(t.deps, { limit: MAX_PAGE_LIMIT, cursor: whole.nextCursor });
      assert.equal(rest.items.length, 50);
      assert.equal(rest.nextCursor, null);
      assert.equal((await listUsers(t.deps)).items.length, 50, 'the default limit is 50');
    });

    it('an exact last page says there is no next one', async () => {
      for (let i = 0; i < 4; i++) await createUser(t.deps, { email: `u${i}@example.test` });
      const page = await listUsers(t.deps, { limit: 4 });
      assert.equal(page.items.length, 4);
      assert.equal(page.nextCursor, null);
    });

    it('filters by a part of the email, name or username (wildcards literal), by role and by disabled', async () => {
      const ada = await createUser(t.deps, {
        email: 'ada@example.test',
        name: 'Ada Lovelace',
        roles: ['admin'],
      });
      t.clock.advance(1);
      const alan = await createUser(t.deps, { email: 'alan@example.test', username: 'a_turing' });
      t.clock.advance(1);
      const grace = await createUser(t.deps, {
        email: 'grace@navy.test',
        name: '100% Hopper',
        disabled: true,
      });
      const ids = async (filter: Parameters<typeof listUsers>[1]) =>
        (await listUsers(t.deps, filter)).items.map((u) => u.id);

      assert.deepEqual(await ids({ query: 'LOVELACE' }), [ada.id], 'the name, whatever its case');
      assert.deepEqual(await ids({ query: 'example' }), [ada.id, alan.id], 'the email');
      assert.deepEqual(await ids({ query: 'a_t' }), [alan.id], 'the username');
      assert.deepEqual(await ids({ query: '_' }), [alan.id], '"_" is itself, not any character');
      assert.deepEqual(await ids({ query: '%' }), [grace.id], '"%" is itself, not anything');
      assert.deepEqual(await ids({ query: 'nobody' }), []);
      assert.deepEqual(await ids({ role: 'admin' }), [ada.id]);
      assert.deepEqual(await ids({ role: 'adm' }), [], 'a role matches whole');
      assert.deepEqual(await ids({ disabled: true }), [grace.id]);
      assert.deepEqual(await ids({ disabled: false }), [ada.id, alan.id]);
      assert.deepEqual(await ids({ query: 'a', disabled: false, limit: 1 }), [ada.id]);
    });

    it('a cursor that does not decode, or belongs to another list, is invalid_input on cursor', async () => {
      await createUser(t.deps, { email: 'one@example.test' });
      const clientCursor = Buffer.from(JSON.stringify(['clients', 1, 'x'])).toString('base64url');
      const wrongShape = Buffer.from(JSON.stringify(['users', 'soon', 'x'])).toString('base64url');
      for (const cursor of ['', 'not a cursor!', 'AAAA', clientCursor, wrongShape, 'e'.repeat(5000)])
        await assert.rejects(listUsers(t.deps, { cursor }), adminError('invalid_input', 'cursor'), cursor);
    });

    it('a limit outside 1..200 or not whole is invalid_input on limit', async () => {
      for (const limit of [0, -1, 201, 1.5, Number.NaN])
        await assert.rejects(
          listUsers(t.deps, { limit }),
          adminError('invalid_input', 'limit'),
          String(limit),
        );
    });
  });

  describe('createUser', () => {
    it('takes a username, roles, groups and disabled, and writes user_created with the actor', async () => {
      const user = await createUser(
        t.deps,
        {
          email: 'Ada@Example.test',
          username: 'ada.l',
          roles: ['admin', 'admin'],
          groups: ['eng', 'ops'],
          givenName: 'Ada',
          familyName: 'Lovelace',
          disabled: true,
        },
        API,
      );
      const shown = describeUser(user);
      assert.equal(shown['email'], 'ada@example.test');
      assert.equal(shown['username'], 'ada.l');
      assert.equal(shown['name'], 'Ada Lovelace');
      assert.deepEqual(shown['roles'], ['admin']);
      assert.deepEqual(shown['groups'], ['eng', 'ops']);
      assert.equal(shown['disabled'], true);
      assert.equal(shown['updated_at'], user.createdAt);
      assert.equal('password_hash' in shown || 'passwordHash' in shown, false);
      const [event] = await events(t);
      assert.equal(event?.type, 'user_created');
      assert.equal(event?.userId, user.id);
      assert.equal(event?.actor, 'user:admin-1');
      assert.equal(event?.ip, '203.0.113.7');
      assert.equal(event?.userAgent, 'curl/8.5');
    });

    it('refuses a taken username or email, and bad usernames, roles and groups', async () => {
      await createUser(t.deps, { email: 'first@example.test', username: 'taken' });
      await assert.rejects(
        createUser(t.deps, { email: 'second@example.test', username: 'taken' }),
        adminError('exists', 'username'),
      );
      await assert.rejects(
        createUser(t.deps, { email: 'FIRST@example.test' }),
        adminError('exists', 'email'),
      );
      for (const username of ['', 'has space', 'a'.repeat(65), 'ünï'])
        await assert.rejects(
          createUser(t.deps, { email: 'x@example.test', username }),
          adminError('invalid_input', 'username'),
        );
      for (const roles of [
        ['has space'],
        ['a,b'],
        [''],
        ['r'.repeat(65)],
        Array.from({ length: 101 }, (_, i) => `r${i}`),
      ])
        await assert.rejects(
          createUser(t.deps, { email: 'x@example.test', roles }),
          adminError('invalid_input', 'roles'),
        );
      await assert.rejects(
        createUser(t.deps, { email: 'x@example.test', groups: ['a b'] }),
        adminError('invalid_input', 'groups'),
      );
      assert.equal((await t.deps.store.users.list()).length, 1, 'nothing else was created');
    });
  });

  describe('updateUser', () => {
    it('changes what the patch names, reports only real changes, and writes nothing for none', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test', name: 'Ada', roles: ['auditor'] });
      t.clock.advance(10);
      const before = (await events(t)).length;
      const first = await updateUser(
        t.deps,
        'ada@example.test',
        { name: 'Ada Lovelace', username: 'ada', roles: ['auditor'], groups: ['eng'], familyName: null },
        API,
      );
      assert.deepEqual(first.changed, ['name', 'username', 'groups']);
      assert.equal(first.user.name, 'Ada Lovelace');
      assert.equal(first.user.username, 'ada');
      assert.deepEqual(first.user.groups, ['eng']);
      assert.equal(first.user.updatedAt, t.clock.now());
      const rows = (await events(t)).slice(before);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.type, 'user_updated');
      assert.deepEqual(rows[0]?.detail, { changed: ['name', 'username', 'groups'] });
      assert.equal(rows[0]?.actor, 'user:admin-1');

      t.clock.advance(10);
      const again = await updateUser(
        t.deps,
        user.id,
        { name: 'Ada Lovelace', username: 'ada', roles: ['auditor'], groups: ['eng'] },
        API,
      );
      assert.deepEqual(again.changed, []);
      assert.equal(again.user.updatedAt, first.user.updatedAt, 'updated_at is not bumped');
      assert.equal((await events(t)).length, before + 1, 'no event for no change');

      const cleared = await updateUser(t.deps, user.id, { username: null });
      assert.deepEqual(cleared.changed, ['username']);
      assert.equal(cleared.user.username, null);
    });

    it('an email change keeps the address verified; a taken email or username is exists on its field', async () => {
      await createUser(t.deps, { email: 'other@example.test', username: 'other' });
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const moved = await updateUser(t.deps, user.id, { email: 'Ada.L@Example.test' });
      assert.deepEqual(moved.changed, ['email']);
      assert.equal(moved.user.email, 'ada.l@example.test');
      assert.equal(moved.user.emailVerified, true);
      await assert.rejects(
        updateUser(t.deps, user.id, { email: 'other@example.test' }),
        adminError('exists', 'email'),
      );
      await assert.rejects(
        updateUser(t.deps, user.id, { username: 'other' }),
        adminError('exists', 'username'),
      );
      await assert.rejects(
        updateUser(t.deps, user.id, { email: 'nope' }),
        adminError('invalid_input', 'email'),
      );
      await assert.rejects(updateUser(t.deps, 'nobody@example.test', { name: 'x' }), adminError('not_found'));
      assert.equal((await t.deps.store.users.find(user.id))?.email, 'ada.l@example.test', 'nothing written');
    });

    it('an admin changing roles or groups ends no session', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const session = await liveSession(t, user.id);
      await updateUser(t.deps, user.id, { roles: ['admin'], groups: ['ops'] });
      assert.equal((await t.deps.store.sessions.find(session.idHash))?.endedAt, null);
    });
  });

  describe('disabling', () => {
    it('ends the sessions and revokes the grants in the same unit of work as the change and its row', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const other = await createUser(t.deps, { email: 'bob@example.test' });
      const { client } = await createClient(t.deps, { name: 'App' });
      const mine = await liveSession(t, user.id);
      const theirs = await liveSession(t, other.id);
      const grant = await grantFor(t, client.id, user.id);
      const otherGrant = await grantFor(t, client.id, other.id);
      t.clock.advance(5);

      const { user: disabled, changed } = await updateUser(t.deps, user.id, { disabled: true }, API);
      assert.deepEqual(changed, ['disabled']);
      assert.equal(disabled.disabledAt, t.clock.now());
      assert.equal(describeUser(disabled)['disabled'], true);
      assert.equal((await t.deps.store.sessions.find(mine.idHash))?.endedAt, t.clock.now());
      assert.equal((await t.deps.store.grants.find(grant.id))?.revokedAt, t.clock.now());
      assert.equal(
        (await t.deps.store.sessions.find(theirs.idHash))?.endedAt,
        null,
        'another user keeps theirs',
      );
      assert.equal((await t.deps.store.grants.find(otherGrant.id))?.revokedAt, null);
      const row = (await events(t)).at(-1);
      assert.equal(row?.type, 'user_disabled');
      assert.deepEqual(row?.detail, { changed: ['disabled'], sessions: 1, grants: 1 });

      assert.deepEqual(
        (await updateUser(t.deps, user.id, { disabled: true })).changed,
        [],
        'disabled already',
      );
      const enabled = await updateUser(t.deps, user.id, { disabled: false }, API);
      assert.deepEqual(enabled.changed, ['disabled']);
      assert.equal(enabled.user.disabledAt, null);
      assert.equal((await events(t)).at(-1)?.type, 'user_enabled');
    });

    it('a disabled user is refused at the password check, told so only after the right password', async () => {
      const password = 'correct-horse-battery-staple';
      const user = await createUser(t.deps, { email: 'ada@example.test', password });
      await updateUser(t.deps, user.id, { disabled: true });

      const agent = browser(t);
      const wrong = await attemptSignIn(agent, 'ada@example.test', 'not-the-password');
      assert.equal(wrong.status, 401);
      const wrongPage = await wrong.text();
      assert.match(wrongPage, /Incorrect email or password/);
      assert.doesNotMatch(wrongPage, /disabled/, 'a wrong password learns nothing about the account');

      const right = await attemptSignIn(agent, 'ada@example.test', password);
      assert.equal(right.status, 401);
      assert.match(await right.text(), /role="alert"[\s\S]*?<p>This account is disabled\.<\/p>/);
      assert.equal(agent.cookies.has('lk_session'), false, 'no session');

      // The password grant answers invalid_grant.
      const app = await createClient(t.deps, { name: 'First party', grants: ['password'], firstParty: true });
      const app2 = { id: app.client.id, secret: app.secret! };
      const grant = await t.request(
        '/token',
        tokenRequest(app2, {
          grant_type: 'password',
          username: 'ada@example.test',
          password,
          scope: 'openid',
        }),
      );
      const body = await expectOAuthError(grant, 'invalid_grant');
      assert.match(body['error_description'], /disabled/);

      // Enabled again, the same password signs in.
      await updateUser(t.deps, user.id, { disabled: false });
      const ok = await t.request(
        '/token',
        tokenRequest(app2, {
          grant_type: 'password',
          username: 'ada@example.test',
          password,
          scope: 'openid',
        }),
      );
      assert.equal(ok.status, 200, JSON.stringify(await json(ok.clone())));
    });

    it('the device page approves nothing for a disabled user, even with a session that somehow survived (it no longer counts)', async () => {
      const user = await t.addUser({});
      const { client } = await createClient(t.deps, { name: 'TV', firstParty: true });
      const agent = browser(t);
      await signIn(agent, user);
      // Disabled behind the unit of work's back: the session stays, as if it had slipped past.
      (t.deps.store as SqliteStore).raw
        .prepare('update users set disabled_at = ? where id = ?')
        .run(t.clock.now(), user.id);
      const device = await pendingDevice(t, client.id);
      const page = await agent.go('/device');
      // The session no longer counts (currentSession refuses a disabled user): the page asks to sign in
      // again, and a sign-in is refused as disabled.
      const done = await agent.post('/device', { csrf: csrfOf(page.html!), user_code: device.code });
      assert.match(done.html ?? '', /Sign in/);
      assert.equal((await device.find())?.status, 'pending');
    });

    it('refresh answers invalid_grant for a disabled user even if a grant somehow survived', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const { client, secret } = await createClient(t.deps, { name: 'App' });
      await updateUser(t.deps, user.id, { disabled: true });
      // A grant written after the disabling, as if it had slipped past the unit of work.
      const token = randomToken();
      const grant = await grantFor(t, client.id, user.id, token);
      assert.equal(grant.revokedAt, null);
      const res = await refresh(t, { id: client.id, secret: secret!, redirectUri: '' }, token);
      const body = await expectOAuthError(res, 'invalid_grant');
      assert.match(body['error_description'], /disabled/);
    });
  });

  describe('sessions', () => {
    it('lists the live sessions, ends one (not another user’s), then all, each with its row', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const other = await createUser(t.deps, { email: 'bob@example.test' });
      const a = await liveSession(t, user.id);
      const b = await liveSession(t, user.id);
      const theirs = await liveSession(t, other.id);
      const { client } = await createClient(t.deps, { name: 'App' });
      await grantFor(t, client.id, user.id);

      assert.deepEqual(
        (await listUserSessions(t.deps, user.id)).map((s) => s.idHash).sort(),
        [a.idHash, b.idHash].sort(),
      );
      await assert.rejects(
        endUserSession(t.deps, user.id, theirs.idHash),
        adminError('not_found', 'session'),
      );
      await assert.rejects(
        endUserSession(t.deps, user.id, 'no-such-session'),
        adminError('not_found', 'session'),
      );

      await endUserSession(t.deps, user.id, a.idHash, API);
      assert.deepEqual(
        (await listUserSessions(t.deps, user.id)).map((s) => s.idHash),
        [b.idHash],
      );
      assert.equal((await events(t)).at(-1)?.type, 'session_ended');
      assert.equal((await events(t)).at(-1)?.actor, 'user:admin-1');

      assert.deepEqual(await endAllUserSessions(t.deps, 'ada@example.test', API), { sessions: 1, grants: 1 });
      assert.deepEqual(await listUserSessions(t.deps, user.id), []);
      assert.equal((await events(t)).at(-1)?.type, 'sessions_ended');
      assert.equal((await t.deps.store.sessions.find(theirs.idHash))?.endedAt, null);
    });
  });

  describe('connected apps', () => {
    it('lists the apps per client, and revokes one: its grants and the consent, with app_revoked by the admin', async () => {
      const user = await createUser(t.deps, { email: 'ada@example.test' });
      const other = await createUser(t.deps, { email: 'bob@example.test' });
      const { client: app } = await createClient(t.deps, { name: 'Notes' });
      const { client: keep } = await createClient(t.deps, { name: 'Calendar' });
      const first = await grantFor(t, app.id, user.id);
      t.clock.advance(10);
      const second = await grantFor(t, app.id, user.id);
      const kept = await grantFor(t, keep.id, user.id);
      const theirs = await grantFor(t, app.id, other.id);
      await t.deps.store.consents.add(user.id, app.id, ['openid'], t.clock.now());

      const listed = await listUserApps(t.deps, user.id);
      assert.deepEqual(listed.map((a) => a.clientName).sort(), ['Calendar', 'Notes']);
      const notes = listed.find((a) => a.clientId === app.id)!;
      assert.deepEqual(notes.scopes, ['openid']);
      assert.equal(notes.grantedAt, first.createdAt, 'the oldest grant');

      await assert.rejects(
        revokeUserApp(t.deps, user.id, 'no-such-client', API),
        adminError('not_found', 'clientId'),
      );
      t.clock.advance(5);
      assert.deepEqual(await revokeUserApp(t.deps, 'ada@example.test', app.id, API), { revokedGrants: 2 });
      for (const g of [first, second])
        assert.equal((await t.deps.store.grants.find(g.id))?.revokedAt, t.clock.now());
      assert.equal((await t.deps.store.grants.find(kept.id))?.revokedAt, null, 'another app stays');
      assert.equal((await t.deps.store.grants.find(theirs.id))?.revokedAt, null, 'another user keeps theirs');
      assert.deepEqual(await t.deps.store.consents.find(user.id, app.id), []);
      assert.deepEqual(
        (await listUserApps(t.deps, user.id)).map((a) => a.clientId),
        [keep.id],
      );
      const row = (await events(t)).at(-1);
      assert.equal(row?.type, 'app_revoked');
      assert.equal(row?.actor, 'user:admin-1');
      assert.equal(row?.userId, user.id);
      assert.equal(row?.clientId, app.id);
      assert.deepEqual(row?.detail, { revoked_grants: 2 });
      await assert.rejects(revokeUserApp(t.deps, user.id, app.id, API), adminError('not_found', 'clientId'));
    });

    it('an admin without the user’s reach may not revoke their apps', async () => {
      const boss = await createUser(t.deps, { email: 'boss@example.test', roles: ['admin'] });
      const { client } = await createClient(t.deps, { name: 'Notes' });
      await grantFor(t, client.id, boss.id);
      const weak: AdminContext = { ...API, permissions: new Set(['users:read', 'users:write']) };
      await assert.rejects(revokeUserApp(t.deps, boss.id, client.id, weak), adminError('forbidden'));
    });
  });

  it('setUserPassword by an admin writes password_set, not password_changed', async () => {
    const user = await createUser(t.deps, { email: 'ada@example.test' });
    await setUserPassword(t.deps, user.id, 'a-new-long-password-2024', API);
    const page = await queryEvents(t.deps, { userId: user.id, limit: 1 });
    assert.equal(page.items[0]?.type, 'password_set');
    assert.equal(page.items[0]?.actor, 'user:admin-1');
  });
});

/** A live browser session of the user, written straight to the store. */
async function liveSession(t: TestApp, userId: string): Promise<Session> {
  const now = t.clock.now();
  const session: Session = {
    idHash: sha256(randomToken()),
    userId,
    authTime: now,
    amr: ['pwd'],
    userAgent: 'node:test',
    ip: '127.0.0.1',
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 3600,
    endedAt: null,
  };
  await t.deps.store.sessions.create(session);
  return session;
}

/** A token family of the user at the client, with a refresh token (`refreshToken`, given or random). */
async function grantFor(
  t: TestApp,
  clientId: string,
  userId: string,
  refreshToken = randomToken(),
): Promise<Grant> {
  const now = t.clock.now();
  const grant: Grant = {
    id: randomToken(12),
    clientId,
    userId,
    sessionHash: null,
    scope: 'openid',
    resource: null,
    authTime: now,
    amr: ['pwd'],
    nonce: null,
    createdAt: now,
    expiresAt: now + 86400,
    revokedAt: null,
  };
  await t.deps.store.tokens.issue({
    grant,
    refresh: {
      hash: sha256(refreshToken),
      grantId: grant.id,
      clientId,
      createdAt: now,
      expiresAt: now + 3600,
      rotatedAt: null,
      retrySealed: null,
    },
  });
  return grant;
}
