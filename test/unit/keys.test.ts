import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { FakeClock } from '../../src/clock.js';
import { Sealer } from '../../src/crypto/seal.js';
import { CHANGE_REACHES_EVERY_NODE_SECONDS } from '../../src/store/dialect.js';
import { HEARTBEAT_MS, HEARTBEAT_TIMEOUT_MS } from '../../src/store/postgres/open.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Client, Store } from '../../src/store/types.js';
import { AccessTokens } from '../../src/tokens/access.js';
import { KeyRing } from '../../src/tokens/keys.js';
import { tempDir } from '../helpers/server.js';
import { newClient } from '../store/contract.js';

const ISSUER = 'https://id.example.test';
const SECRET = 'unit-test-secret-unit-test-secret';

interface Ring {
  store: Store;
  keys: KeyRing;
  tokens: AccessTokens;
  clock: FakeClock;
}

function ring(store: Store, clock = new FakeClock(), activationDelaySeconds = 0): Ring {
  const keys = new KeyRing(store, new Sealer(SECRET), clock, activationDelaySeconds);
  return { store, keys, clock, tokens: new AccessTokens(ISSUER, keys, store, clock) };
}

const kids = async (keys: KeyRing) =>
  (JSON.parse(await keys.jwks()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();

describe('KeyRing', () => {
  const tmp = tempDir('latchkey-keys-');
  after(() => tmp.cleanup());

  describe('on one connection', () => {
    let r: Ring;
    let client: Client;
    before(async () => {
      r = ring(createSqliteStore(':memory:'));
      // Registered now: a token older than its client is refused (a re-registered id revives nothing).
      client = newClient({
        grants: ['client_credentials'],
        createdAt: r.clock.now(),
        updatedAt: r.clock.now(),
      });
      await r.store.clients.create(client);
    });
    after(() => r.store.close());

    it('init creates one active ES256 and one active RS256 key, private parts sealed', async () => {
      await r.keys.init();
      const rows = await r.store.keys.list();
      assert.deepEqual(rows.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      for (const row of rows) {
        assert.equal(row.active, true);
        assert.match(row.privateSealed, /^v1\./);
        assert.equal(row.privateSealed.includes('"d"'), false, 'the private key is not stored in the clear');
        assert.equal('d' in row.publicJwk, false);
      }
    });

    it('init is idempotent', async () => {
      await r.keys.init();
      assert.equal((await r.store.keys.list()).length, 2);
    });

    it('publishes only public parts, with kid, alg and use', async () => {
      const { keys } = JSON.parse(await r.keys.jwks()) as { keys: Record<string, unknown>[] };
      assert.deepEqual(keys.map((k) => k['alg']).sort(), ['ES256', 'RS256']);
      for (const k of keys) {
        assert.equal(k['use'], 'sig');
        assert.equal(typeof k['kid'], 'string');
        for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
          assert.equal(k[priv], undefined, `no "${priv}"`);
      }
    });

    it('signs with the active key of each algorithm', async () => {
      for (const alg of ['ES256', 'RS256'] as const) {
        const { token } = await r.tokens.issue({
          client: { ...client, signingAlg: alg },
          sub: client.id,
          userId: null,
          scope: '',
          aud: client.id,
          grantId: null,
        });
        const header = decodeProtectedHeader(token);
        assert.equal(header.alg, alg);
        assert.equal(header.typ, 'at+jwt');
        const jwks = createLocalJWKSet(JSON.parse(await r.keys.jwks()));
        await jwtVerify(token, jwks, { issuer: ISSUER, currentDate: new Date(r.clock.nowMs()) });
      }
    });

    it('a token signed before rotate() still verifies after it; new tokens use the new key', async () => {
      const before = await r.tokens.issue({
        client,
        sub: client.id,
        userId: null,
        scope: '',
        aud: client.id,
        grantId: null,
      });
      const oldKid = decodeProtectedHeader(before.token).kid!;
      const oldKids = await kids(r.keys);

      const fresh = await r.keys.rotate(660);
      assert.deepEqual(fresh.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      const published = await kids(r.keys);
      assert.equal(published.length, 4);
      for (const kid of [...oldKids, ...fresh.map((k) => k.kid)]) assert.ok(published.includes(kid));

      assert.ok(await r.tokens.verify(before.token), 'the old token verifies server-side');
      const jwks = createLocalJWKSet(JSON.parse(await r.keys.jwks()));
      await jwtVerify(before.token, jwks, { issuer: ISSUER, currentDate: new Date(r.clock.nowMs()) });

      const afterRotation = await r.tokens.issue({
        client,
        sub: client.id,
        userId: null,
        scope: '',
        aud: client.id,
        grantId: null,
      });
      const newKid = decodeProtectedHeader(afterRotation.token).kid!;
      assert.notEqual(newKid, oldKid);
      assert.equal(newKid, fresh.find((k) => k.alg === 'ES256')?.kid);
    });

    it('keeps a retired key in the JWKS until publishUntil, then drops it (prune or not)', async () => {
      const rows = await r.store.keys.list();
      const retired = rows.filter((k) => !k.active).map((k) => k.kid);
      const active = rows.filter((k) => k.active).map((k) => k.kid);
      assert.equal(retired.length, 2);

      r.clock.advance(659);
      assert.equal((await kids(r.keys)).length, 4, 'still published one second before publishUntil');

      r.clock.advance(1);
      assert.deepEqual(await kids(r.keys), [...active].sort(), 'past publishUntil, without any write');
      assert.equal(await r.keys.verificationKey(retired[0]!), undefined);

      assert.equal(await r.store.keys.prune(r.clock.now()), 2);
      assert.deepEqual(await kids(r.keys), [...active].sort(), 'pruned on the same connection');
      assert.deepEqual((await r.store.keys.list()).map((k) => k.kid).sort(), [...active].sort());
    });
  });

  describe('across connections (CLI and server)', () => {
    let server: Ring;
    let cli: Ring;
    before(async () => {
      const file = join(tmp.dir, 'shared.db');
      server = ring(createSqliteStore(file));
      cli = ring(createSqliteStore(file), server.clock);
      await server.keys.init();
      await cli.keys.init();
    });
    after(async () => {
      await server.store.close();
      await cli.store.close();
    });

    it('both connections share the same keys after init', async () => {
      assert.equal((await server.store.keys.list()).length, 2);
      assert.deepEqual(await kids(server.keys), await kids(cli.keys));
    });

    it('a rotation made by another connection is seen at once', async () => {
      const before = await kids(server.keys);
      const fresh = await cli.keys.rotate(600);
      const now = await kids(server.keys);
      for (const k of fresh) assert.ok(now.includes(k.kid), `server publishes ${k.alg} ${k.kid}`);
      for (const kid of before) assert.ok(now.includes(kid), 'and keeps the old keys');
      for (const k of fresh) assert.equal((await server.keys.signingKey(k.alg)).kid, k.kid);
    });

    it('refuses to start with another LATCHKEY_SECRET than the keys were sealed with', async () => {
      const other = new KeyRing(server.store, new Sealer('another-secret-another-secret'), server.clock);
      await assert.rejects(other.init(), /LATCHKEY_SECRET/);
      await assert.rejects(other.signingKey('ES256'));
    });
  });
  describe('an unknown kid on a node whose change notice has not arrived (issue 18)', () => {
    let signer: Ring;
    let lagging: Ring;
    let stale: Store;
    let lists = 0;
    let client: Client;
    before(async () => {
      const file = join(tmp.dir, 'lagging.db');
      signer = ring(createSqliteStore(file));
      await signer.keys.init();
      // The real store, whose change counter stands still: a PostgreSQL node before the NOTIFY comes in.
      stale = createSqliteStore(file);
      const frozen = stale.generation();
      const keys = new Proxy(stale.keys, {
        get(target, prop, receiver) {
          if (prop === 'list')
            return () => {
              lists++;
              return target.list();
            };
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const store = new Proxy(stale, {
        get(target, prop, receiver) {
          if (prop === 'generation') return () => frozen;
          if (prop === 'keys') return keys;
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      lagging = ring(store, signer.clock);
      await lagging.keys.init();
      client = newClient({
        grants: ['client_credentials'],
        createdAt: signer.clock.now(),
        updatedAt: signer.clock.now(),
      });
      await signer.store.clients.create(client);
    });
    after(async () => {
      await signer.store.close();
      await stale.close();
    });

    const issue = (r: Ring) =>
      r.tokens.issue({ client, sub: client.id, userId: null, scope: '', aud: client.id, grantId: null });

    it('a token signed with a key rotated in elsewhere verifies: the unknown kid reloads the keys once', async () => {
      const before = await kids(lagging.keys);
      const fresh = await signer.keys.rotate(600);
      assert.deepEqual(await kids(lagging.keys), before, 'the lagging node has not reloaded on its own');
      const { token } = await issue(signer);
      const kid = decodeProtectedHeader(token).kid!;
      assert.equal(kid, fresh.find((k) => k.alg === 'ES256')?.kid);
      const listed = lists;
      const verified = await lagging.tokens.verify(token);
      assert.ok(verified, 'verifies on the lagging node');
      assert.equal(verified.sub, client.id);
      assert.equal(lists, listed + 1, 'one reload');
      assert.ok((await lagging.keys.verificationKey(kid)) !== undefined);
      assert.equal(lists, listed + 1, 'a known kid reads nothing');
    });

    it('requests that come while that reload runs wait for it: one reload for all', async () => {
      signer.clock.advance(1);
      const fresh = await signer.keys.rotate(600);
      const { token } = await issue(signer);
      assert.equal(decodeProtectedHeader(token).kid, fresh.find((k) => k.alg === 'ES256')?.kid);
      const listed = lists;
      const kid = decodeProtectedHeader(token).kid!;
      const found = await Promise.all(Array.from({ length: 10 }, () => lagging.keys.verificationKey(kid)));
      assert.ok(
        found.every((k) => k !== undefined),
        'all ten found the key',
      );
      assert.equal(lists, listed + 1, 'one reload');
    });

    it('unknown kids reload at most once a second', async () => {
      signer.clock.advance(1);
      const listed = lists;
      for (let i = 0; i < 50; i++)
        assert.equal(await lagging.keys.verificationKey(`made-up-${i}`), undefined);
      assert.equal(lists, listed + 1, '50 unknown kids in one second: one reload');
      signer.clock.advance(0.5);
      assert.equal(await lagging.keys.verificationKey('made-up-again'), undefined);
      assert.equal(lists, listed + 1, 'half a second later: still none');
      signer.clock.advance(0.5);
      assert.equal(await lagging.keys.verificationKey('made-up-again'), undefined);
      assert.equal(lists, listed + 2, 'a second later: one more');
    });

    it('a rotation inside the same second is seen once the second has passed', async () => {
      const fresh = await signer.keys.rotate(600);
      const { token } = await issue(signer);
      assert.equal(await lagging.tokens.verify(token), undefined, 'refused within the second: no reload');
      signer.clock.advance(1);
      assert.ok(await lagging.tokens.verify(token), 'verifies a second later');
      assert.ok(await lagging.keys.verificationKey(fresh[0]!.kid));
    });
  });
  describe('with an activation delay (several nodes on PostgreSQL, issue 18)', () => {
    const DELAY = 20;
    let r: Ring;
    before(async () => {
      r = ring(createSqliteStore(':memory:'), new FakeClock(), DELAY);
    });
    after(() => r.store.close());
    const signing = async (alg: 'ES256' | 'RS256') => (await r.keys.signingKey(alg)).kid;

    it('the delay PostgreSQL uses outlasts the longest a change takes to reach a node (its heartbeat)', () => {
      assert.ok(CHANGE_REACHES_EVERY_NODE_SECONDS * 1000 > HEARTBEAT_MS + HEARTBEAT_TIMEOUT_MS);
    });

    it('the first keys sign at once: there is no older key to keep', async () => {
      await r.keys.init();
      const active = await r.store.keys.list();
      for (const alg of ['ES256', 'RS256'] as const)
        assert.equal(await signing(alg), active.find((k) => k.alg === alg)!.kid);
    });

    it('a rotated-in key is published at once, and signs only once the delay has passed', async () => {
      const old = { ES256: await signing('ES256'), RS256: await signing('RS256') };
      const fresh = await r.keys.rotate(3600);
      const published = await kids(r.keys);
      for (const k of fresh) assert.ok(published.includes(k.kid), 'the new key is in the JWKS at once');
      for (const alg of ['ES256', 'RS256'] as const)
        assert.equal(await signing(alg), old[alg], 'the old one signs');
      r.clock.advance(DELAY - 1);
      assert.equal(await signing('ES256'), old.ES256, 'a second before the delay: still the old one');
      r.clock.advance(1);
      for (const alg of ['ES256', 'RS256'] as const)
        assert.equal(await signing(alg), fresh.find((k) => k.alg === alg)!.kid, `${alg}: the new one`);
      assert.ok((await kids(r.keys)).includes(old.ES256), 'the old key stays published');
    });

    it('two rotations inside the delay: each key signs in turn, never one not yet published for the delay', async () => {
      const first = await signing('ES256');
      const second = (await r.keys.rotate(3600)).find((k) => k.alg === 'ES256')!.kid;
      r.clock.advance(5);
      const third = (await r.keys.rotate(3600)).find((k) => k.alg === 'ES256')!.kid;
      assert.equal(await signing('ES256'), first);
      r.clock.advance(DELAY - 5);
      assert.equal(await signing('ES256'), second, 'the delay after the first rotation');
      r.clock.advance(5);
      assert.equal(await signing('ES256'), third, 'the delay after the second');
    });

    it('a token signed during the delay verifies, and carries the old kid', async () => {
      const client = newClient({
        grants: ['client_credentials'],
        createdAt: r.clock.now(),
        updatedAt: r.clock.now(),
      });
      await r.store.clients.create(client);
      const old = await signing('ES256');
      await r.keys.rotate(3600);
      const { token } = await r.tokens.issue({
        client,
        sub: client.id,
        userId: null,
        scope: '',
        aud: client.id,
        grantId: null,
      });
      assert.equal(decodeProtectedHeader(token).kid, old);
      assert.ok(await r.tokens.verify(token));
    });
  });
});
