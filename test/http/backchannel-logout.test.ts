import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import {
  endAllUserSessions,
  endUserSession,
  removeUser,
  setUserPassword,
  updateUser,
} from '../../src/admin/users.js';
import { sessionSid } from '../../src/crypto/hash.js';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  DELIVERY_TIMEOUT_MS,
  LOGOUT_TOKEN_TTL_SECONDS,
  type LogoutDrainer,
  queueBackchannelLogout,
  retryDelay,
  startLogoutDrainer,
} from '../../src/oauth/backchannel.js';
import { type Agent, csrfOf } from '../helpers/agent.js';
import { browser, claimsOf, json, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { form, freePort, startTestServer, type TestApp, testApp } from '../helpers/server.js';
import { newGrant, newSession } from '../store/contract.js';

const CB = 'https://app.example/cb';

/** A relying party's back-channel logout endpoint: a real node:http server on loopback. */
interface Receiver {
  url: (path: string) => string;
  /** The `logout_token` values received, per path. */
  tokens: Map<string, string[]>;
  /** Resolves at the next request. */
  next(): Promise<void>;
  /** Answer with this status (200 by default); `hang` never answers. */
  mode: number | 'hang';
  /** Answers 200 to the requests left hanging. */
  release(): void;
  close(): Promise<void>;
}

async function startReceiver(port = 0): Promise<Receiver> {
  const tokens = new Map<string, string[]>();
  let waiters: (() => void)[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: (path) => `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`,
    tokens,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    mode: 200,
    release: () => {
      for (const res of hanging) res.writeHead(200).end();
      hanging.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      assert.equal(req.method, 'POST');
      assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
      const token = new URLSearchParams(body).get('logout_token');
      const path = req.url ?? '/';
      if (token) tokens.set(path, [...(tokens.get(path) ?? []), token]);
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
      if (receiver.mode === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(receiver.mode).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return receiver;
}

/**
 * "Not held up by a receiver that hangs": anything that waited for the hanging POST would take its whole timeout,
 * so a bound a second under it tells the two apart with room for a loaded machine.
 */
const UNBLOCKED_MS = DELIVERY_TIMEOUT_MS - 1_000;

describe('OpenID Connect Back-Channel Logout 1.0', () => {
  let t: TestApp;
  let drainer: LogoutDrainer;
  let rp: Receiver;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  /** A confidential client for the code flow, with a back-channel logout URI when given. */
  async function client(backchannelLogoutUri?: string): Promise<TestClient> {
    const created = await t.addClient({ redirectUris: [CB], firstParty: true });
    if (backchannelLogoutUri) {
      const record = (await t.deps.store.clients.find(created.id))!;
      const now = t.clock.now();
      await t.deps.store.clients.update(
        { ...record, backchannelLogoutUri },
        { at: now, type: 'client_updated', userId: null, clientId: record.id, ip: null, detail: null },
      );
    }
    return { ...created, redirectUri: CB };
  }

  /** A browser signed in through `clients` (one code flow each); returns the agent and the ID tokens. */
  async function sessionWith(user: { email: string; password: string }, clients: TestClient[]) {
    const agent = browser(t);
    await signIn(agent, user);
    const idTokens: string[] = [];
    for (const c of clients) idTokens.push((await tokensFor(t, c, user, { agent, nonce: 'n-0S6' })).id_token);
    return { agent, idTokens };
  }

  const logout = (agent: Agent, idToken: string) =>
    agent.request(`/logout?${new URLSearchParams({ id_token_hint: idToken })}`);

  async function verifyLogoutToken(token: string, audience: string) {
    return jwtVerify(token, jwks, {
      issuer: t.issuer,
      audience,
      typ: 'logout+jwt',
      algorithms: ['RS256', 'ES256'],
    });
  }

  before(async () => {
    t = await testApp();
    drainer = startLogoutDrainer(t.deps);
    rp = await startReceiver();
    jwks = createLocalJWKSet((await json(await t.request('/jwks'))) as JSONWebKeySet);
  });
  after(async () => {
    await drainer.stop();
    await rp.close();
    await t.close();
  });

  it('discovery advertises back-channel logout with sid', async () => {
    const doc = await json(await t.request('/.well-known/openid-configuration'));
    assert.equal(doc['backchannel_logout_supported'], true);
    assert.equal(doc['backchannel_logout_session_supported'], true);
  });

  it('POSTs a signed logout token (typ logout+jwt, events, sid, sub, no nonce) to each client of the session, and to no other', async () => {
    const user = await t.addUser({});
    const inSession = await client(rp.url('/a'));
    const quiet = await client(); // took part, but registered no back-channel URI
    const otherSession = await client(rp.url('/other'));
    const { agent, idTokens } = await sessionWith(user, [inSession, quiet]);
    await sessionWith(user, [otherSession]); // the same user in another browser: not signed out
    const idClaims = claimsOf(idTokens[0]!);
    assert.equal(typeof idClaims['sid'], 'string', 'ID tokens carry the session id');

    const received = rp.next();
    const res = await logout(agent, idTokens[0]!);
    assert.ok(res.status < 400);
    await received;
    await drainer.drainNow();

    assert.equal(rp.tokens.get('/other'), undefined, 'a client of another session hears nothing');
    const tokens = rp.tokens.get('/a') ?? [];
    assert.equal(tokens.length, 1);
    const { payload, protectedHeader } = await verifyLogoutToken(tokens[0]!, inSession.id);
    assert.equal(protectedHeader.typ, 'logout+jwt');
    // A client created with the defaults signs ID tokens, and so logout tokens, with its ID-token algorithm.
    const record = (await t.deps.store.clients.find(inSession.id))!;
    assert.equal(protectedHeader.alg, record.idTokenAlg);
    assert.equal(decodeProtectedHeader(tokens[0]!).kid, protectedHeader.kid);
    assert.deepEqual(payload['events'], { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    assert.equal(payload.sub, user.id);
    assert.equal(payload['sid'], idClaims['sid'], 'the sid the ID token carried');
    assert.equal(payload['nonce'], undefined, 'Back-Channel Logout §2.4: a logout token never has a nonce');
    assert.equal(typeof payload.jti, 'string');
    assert.equal(payload.exp! - payload.iat!, LOGOUT_TOKEN_TTL_SECONDS);
    const rows = await t.deps.store.logoutDeliveries.list();
    const row = rows.find((r) => r.clientId === inSession.id)!;
    assert.equal(row.deliveredAt, t.clock.now());
    assert.equal(rows.filter((r) => r.clientId === otherSession.id).length, 0);
  });

  it('a receiver that is down gets the token once it is up again, retried with backoff', async () => {
    const user = await t.addUser({});
    const port = await freePort();
    const down = await client(`http://127.0.0.1:${port}/bc`);
    const { agent, idTokens } = await sessionWith(user, [down]);
    await logout(agent, idTokens[0]!);
    await drainer.drainNow();
    let row = (await t.deps.store.logoutDeliveries.list()).find((r) => r.clientId === down.id)!;
    assert.equal(row.deliveredAt, null);
    assert.equal(row.attempts, 1);
    assert.ok(row.lastError, 'the failure is recorded');
    assert.equal(row.nextAttemptAt, t.clock.now() + retryDelay(1));

    const up = await startReceiver(port);
    try {
      await drainer.drainNow();
      assert.equal(up.tokens.size, 0, 'not due before its backoff');
      t.clock.advance(retryDelay(1));
      await drainer.drainNow();
      const tokens = up.tokens.get('/bc') ?? [];
      assert.equal(tokens.length, 1, 'none lost');
      const { payload } = await verifyLogoutToken(tokens[0]!, down.id);
      // Signed at send time: a token queued long ago is not already expired.
      assert.equal(payload.iat, t.clock.now());
      row = (await t.deps.store.logoutDeliveries.find(row.id))!;
      assert.equal(row.deliveredAt, t.clock.now());
      assert.equal(row.attempts, 2);
    } finally {
      await up.close();
    }
  });

  it('a non-2xx answer is retried, doubling up to 10 minutes, and given up after 24 hours', async () => {
    assert.deepEqual([1, 2, 3, 4, 10, 20].map(retryDelay), [5, 10, 20, 40, 600, 600]);
    const user = await t.addUser({});
    const failing = await client(rp.url('/failing'));
    const { agent, idTokens } = await sessionWith(user, [failing]);
    rp.mode = 500;
    try {
      await logout(agent, idTokens[0]!);
      await drainer.drainNow();
      let row = (await t.deps.store.logoutDeliveries.list()).find((r) => r.clientId === failing.id)!;
      assert.equal(row.lastError, 'HTTP 500');
      assert.equal(row.failedAt, null);
      for (let i = 0; i < 200 && row.failedAt === null; i++) {
        t.clock.advance(RETRY_CAP);
        await drainer.drainNow();
        row = (await t.deps.store.logoutDeliveries.find(row.id))!;
      }
      assert.notEqual(row.failedAt, null, 'given up');
      assert.ok(row.failedAt! - row.createdAt <= 24 * 3600 + RETRY_CAP);
      assert.equal(row.deliveredAt, null);
      const attempts = row.attempts;
      t.clock.advance(RETRY_CAP);
      await drainer.drainNow();
      assert.equal(
        (await t.deps.store.logoutDeliveries.find(row.id))!.attempts,
        attempts,
        'no more attempts',
      );
    } finally {
      rp.mode = 200;
    }
  });

  it('goes to the client’s current URI, and is given up when the client no longer has one', async () => {
    const user = await t.addUser({});
    const moving = await client(rp.url('/old'));
    const setUri = async (backchannelLogoutUri: string | null) => {
      const record = (await t.deps.store.clients.find(moving.id))!;
      const now = t.clock.now();
      await t.deps.store.clients.update(
        { ...record, backchannelLogoutUri },
        { at: now, type: 'client_updated', userId: null, clientId: record.id, ip: null, detail: null },
      );
    };
    rp.mode = 503;
    try {
      const first = await sessionWith(user, [moving]);
      await logout(first.agent, first.idTokens[0]!);
      await drainer.drainNow();
    } finally {
      rp.mode = 200;
    }
    await setUri(rp.url('/new'));
    t.clock.advance(retryDelay(1));
    await drainer.drainNow();
    assert.equal(rp.tokens.get('/old')?.length, 1);
    assert.equal(rp.tokens.get('/new')?.length, 1, 'the retry went to the new URI');

    // Removed between the first attempt and the retry: the retry is not made.
    const second = await sessionWith(user, [moving]);
    rp.mode = 503;
    try {
      await logout(second.agent, second.idTokens[0]!);
      await drainer.drainNow();
    } finally {
      rp.mode = 200;
    }
    await setUri(null);
    t.clock.advance(retryDelay(1));
    await drainer.drainNow();
    const rows = (await t.deps.store.logoutDeliveries.list()).filter((r) => r.clientId === moving.id);
    assert.equal(rows.length, 2);
    assert.notEqual(rows[1]!.failedAt, null);
    assert.match(rows[1]!.lastError ?? '', /no back-channel logout URI/);
    assert.equal(rows[1]!.attempts, 2);
    assert.equal(rp.tokens.get('/new')?.length, 2, 'the first attempt only');
  });

  it('sign-out is not slowed by a receiver that never answers', async () => {
    const user = await t.addUser({});
    const slow = await client(rp.url('/slow'));
    const { agent, idTokens } = await sessionWith(user, [slow]);
    rp.mode = 'hang';
    try {
      const received = rp.next();
      const started = performance.now();
      const res = await logout(agent, idTokens[0]!);
      const elapsed = performance.now() - started;
      assert.ok(res.status < 400);
      assert.ok(elapsed < UNBLOCKED_MS, `the logout answered in ${Math.round(elapsed)} ms`);
      await received; // the POST went out in the background and hangs there
      assert.equal(rp.tokens.get('/slow')?.length, 1);
      const row = (await t.deps.store.logoutDeliveries.list()).find((r) => r.clientId === slow.id)!;
      assert.equal(row.deliveredAt, null, 'not delivered while the receiver has not answered');
    } finally {
      rp.mode = 200;
      rp.release();
    }
  });

  it('admin session end, sign out everywhere and disabling queue a logout for the clients of the ended sessions', async () => {
    const user = await t.addUser({});
    const a = await client(rp.url('/admin-a'));
    const b = await client(rp.url('/admin-b'));
    const queued = async (clientId: string) =>
      (await t.deps.store.logoutDeliveries.list()).filter((r) => r.clientId === clientId);

    const one = await sessionWith(user, [a]);
    await sessionWith(user, [b]);
    const sid = claimsOf(one.idTokens[0]!)['sid'];
    const sessions = await t.deps.store.sessions.listActiveForUser(user.id, t.clock.now());
    const target = sessions.find((s) => sessionSid(s.idHash) === sid)!;
    await endUserSession(t.deps, user.id, target.idHash);
    assert.equal((await queued(a.id)).length, 1);
    assert.equal((await queued(b.id)).length, 0, 'the other session goes on');

    await endAllUserSessions(t.deps, user.id);
    assert.equal((await queued(b.id)).length, 1);
    assert.equal((await queued(a.id)).length, 1, 'an ended session is not ended twice');

    await sessionWith(user, [a]);
    await updateUser(t.deps, user.id, { disabled: true });
    assert.equal((await queued(a.id)).length, 2);
    await drainer.drainNow();
    assert.equal(rp.tokens.get('/admin-a')?.length, 2);
    assert.equal(rp.tokens.get('/admin-b')?.length, 1);
  });
  it('signing in again in the same browser keeps the sid; another user signing in over the session logs the first out', async () => {
    const user = await t.addUser({});
    const other = await t.addUser({});
    const c = await client(rp.url('/switch'));
    const { agent, idTokens } = await sessionWith(user, [c]);
    const sid = claimsOf(idTokens[0]!)['sid'];
    assert.equal(typeof sid, 'string');
    await signIn(agent, user);
    const again = (await tokensFor(t, c, user, { agent, nonce: 'n-again' })).id_token;
    assert.equal(claimsOf(again)['sid'], sid, 'a step-up is the same session to the relying party');
    await drainer.drainNow();
    assert.equal(rp.tokens.get('/switch'), undefined, 'nobody signed out');

    await signIn(agent, other);
    await drainer.drainNow();
    const tokens = rp.tokens.get('/switch') ?? [];
    assert.equal(tokens.length, 1);
    const { payload } = await verifyLogoutToken(tokens[0]!, c.id);
    assert.equal(payload['sid'], sid);
    assert.equal(payload.sub, user.id);
  });

  it('removing a user sends their sessions’ clients a logout, delivered after the user is gone', async () => {
    const user = await t.addUser({});
    const c = await client(rp.url('/removed'));
    const { idTokens } = await sessionWith(user, [c]);
    await removeUser(t.deps, user.id);
    assert.equal(await t.deps.store.users.find(user.id), undefined);
    await drainer.drainNow();
    const tokens = rp.tokens.get('/removed') ?? [];
    assert.equal(tokens.length, 1);
    const { payload } = await verifyLogoutToken(tokens[0]!, c.id);
    assert.equal(payload.sub, user.id);
    assert.equal(payload['sid'], claimsOf(idTokens[0]!)['sid']);
  });

  it('a password change (by the user or an admin) ends the sessions, and their clients hear of it', async () => {
    const user = await t.addUser({});
    const c = await client(rp.url('/password'));
    const queued = async () =>
      (await t.deps.store.logoutDeliveries.list()).filter((r) => r.clientId === c.id).length;

    const own = await sessionWith(user, [c]);
    const page = await own.agent.request('/account');
    const csrf = csrfOf(await page.text());
    const fresh = `Fresh-${user.password}-long-enough`;
    const res = await own.agent.request(
      '/account/password',
      form({ csrf, current_password: user.password, new_password: fresh }),
    );
    assert.equal(res.status, 303);
    assert.equal(await queued(), 1);

    await sessionWith({ email: user.email, password: fresh }, [c]);
    await setUserPassword(t.deps, user.id, `Admin-set-${fresh}`);
    assert.equal(await queued(), 2);
  });

  it('the account page (one session, every session) and DELETE /session queue a logout for the clients of the ended session', async () => {
    const user = await t.addUser({});
    const c = await client(rp.url('/self'));
    const queued = async () =>
      (await t.deps.store.logoutDeliveries.list()).filter((r) => r.clientId === c.id).length;
    const postForm = async (agent: Agent, action: string, fields: Record<string, string> = {}) => {
      const page = await agent.request('/account');
      const csrf = csrfOf(await page.text());
      return agent.request(action, form({ csrf, ...fields }));
    };

    // Per-session sign-out, from another browser of the same user.
    const phone = await sessionWith(user, [c]);
    const laptop = await sessionWith(user, [c]);
    const phoneSid = claimsOf(phone.idTokens[0]!)['sid'];
    const phoneSession = (await t.deps.store.sessions.listActiveForUser(user.id, t.clock.now())).find(
      (s) => sessionSid(s.idHash) === phoneSid,
    )!;
    assert.equal(
      (await postForm(laptop.agent, '/account/sessions/sign-out', { session: phoneSession.idHash })).status,
      303,
    );
    assert.equal(await queued(), 1);

    // "Sign out everywhere": the laptop's session (the phone's has ended already).
    assert.equal((await postForm(laptop.agent, '/account/sign-out-everywhere')).status, 303);
    assert.equal(await queued(), 2);

    // DELETE /session with an access token of the session.
    const agent = browser(t);
    await signIn(agent, user);
    const tokens = await tokensFor(t, c, user, { agent });
    const res = await t.request('/session', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(res.status, 204);
    assert.equal(await queued(), 3);

    await drainer.drainNow();
    const received = rp.tokens.get('/self') ?? [];
    assert.equal(received.length, 3);
    const sids = await Promise.all(
      received.map(async (token) => (await verifyLogoutToken(token, c.id)).payload['sid']),
    );
    assert.deepEqual(sids, [
      phoneSid,
      claimsOf(laptop.idTokens[0]!)['sid'],
      claimsOf(tokens.id_token)['sid'],
    ]);
  });
});

describe('the server runs the back-channel logout drainer', () => {
  it('sends queued logouts without being asked, and close() does not wait for a receiver that never answers', async () => {
    const server = await startTestServer();
    const rp = await startReceiver();
    rp.mode = 'hang';
    try {
      const { deps } = server;
      const user = await server.addUser({});
      const { id } = await server.addClient({ redirectUris: [CB] });
      const record = (await deps.store.clients.find(id))!;
      const now = deps.clock.now();
      const event = { at: now, type: 'client_updated', userId: null, clientId: id, ip: null, detail: null };
      await deps.store.clients.update({ ...record, backchannelLogoutUri: rp.url('/bc') }, event);
      const session = newSession(user.id, {
        createdAt: now,
        authTime: now,
        lastSeenAt: now,
        expiresAt: now + 3600,
      });
      await deps.store.sessions.create(session);
      await deps.store.tokens.issue({
        grant: newGrant(id, user.id, { sessionHash: session.idHash, createdAt: now, expiresAt: now + 3600 }),
      });
      const received = rp.next();
      assert.equal(await queueBackchannelLogout(deps, [session.idHash]), 1);
      await received;
      assert.equal(rp.tokens.get('/bc')?.length, 1);
      const started = performance.now();
      await server.close();
      assert.ok(performance.now() - started < UNBLOCKED_MS, 'the POST in flight was aborted');
    } finally {
      await server.close();
      await rp.close();
    }
  });
});

const RETRY_CAP = 600;

describe('a receiver that hangs', () => {
  it('holds up no other client’s logout: one delivery per client at a time, fresh ones first', async () => {
    const t = await testApp();
    const stuck = await startReceiver();
    stuck.mode = 'hang';
    const fine = await startReceiver();
    const drainer = startLogoutDrainer(t.deps);
    try {
      const user = await t.addUser({});
      const h = await t.addClient({ redirectUris: [CB], backchannelLogoutUri: stuck.url('/h') });
      const g = await t.addClient({ redirectUris: [CB], backchannelLogoutUri: fine.url('/g') });
      const now = t.clock.now();
      const hashes: string[] = [];
      // Eight sessions through the hanging client, then one through the healthy one, queued in that order.
      for (const clientId of [...Array<string>(8).fill(h.id), g.id]) {
        const session = newSession(user.id, {
          createdAt: now,
          authTime: now,
          lastSeenAt: now,
          expiresAt: now + 3600,
        });
        await t.deps.store.sessions.create(session);
        await t.deps.store.tokens.issue({
          grant: newGrant(clientId, user.id, {
            sessionHash: session.idHash,
            createdAt: now,
            expiresAt: now + 3600,
          }),
        });
        hashes.push(session.idHash);
      }
      const started = performance.now();
      assert.equal(await queueBackchannelLogout(t.deps, hashes), 9);
      const deadline = Date.now() + 2 * DELIVERY_TIMEOUT_MS;
      while (!fine.tokens.get('/g')?.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const elapsed = performance.now() - started;
      assert.equal(fine.tokens.get('/g')?.length, 1);
      assert.ok(elapsed < UNBLOCKED_MS, `the healthy client heard in ${Math.round(elapsed)} ms`);
      assert.equal(stuck.tokens.get('/h')?.length, 1, 'one POST at a time to the client that hangs');
    } finally {
      await drainer.stop();
      await stuck.close();
      await fine.close();
      await t.close();
    }
  });
});
