import assert from 'node:assert/strict';
import { timingSafeEqual } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Sealer } from '../../src/crypto/seal.js';
import { secretCheck } from '../../src/secret.js';
import { SecretLockedError } from '../../src/store/errors.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { SecretGuard } from '../../src/store/types.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * The secret guard of issue 16 at the store level, on a real PostgreSQL (issue 18): the twin of what
 * `createSqliteStore` does on open (test/cli/secret.test.ts drives it through the CLI on SQLite).
 */
let server: Promise<TestPostgres> | undefined;
after(async () => (await server)?.stop());

async function newDatabase(): Promise<string> {
  server ??= startPostgres();
  return (await server).newDatabase();
}

const SECRET = 'the-original-secret-0123456789abcdef';
const OTHER = 'another-secret-entirely-0123456789abcdef';
const NOW = 1_800_000_000;

/** A guard like `openGuardedStore`'s, counting `accepted()` calls. */
function guard(secret: string, over: Partial<SecretGuard> = {}): SecretGuard & { acceptedCalls: number } {
  const check = secretCheck(secret);
  const sealer = new Sealer(secret);
  const g = {
    check,
    record: true,
    acceptedCalls: 0,
    matches: (stored: string) => {
      const a = Buffer.from(stored);
      const b = Buffer.from(check);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    opens: (sealed: string) => {
      try {
        sealer.open(sealed);
        return true;
      } catch {
        return false;
      }
    },
    accepted: () => {
      g.acceptedCalls++;
    },
    ...over,
  };
  return g;
}

const storedCheck = async (store: PostgresStore) =>
  (await store.cx.pool.query<{ value: string }>(`select value from meta where key = 'secret_check'`)).rows[0]
    ?.value;

/** Every row of the tables the guard and `discard` touch, to show a refusal wrote nothing. */
async function snapshot(url: string): Promise<unknown> {
  const store = await createPostgresStore(url, { listen: false, migrate: false });
  try {
    const out: Record<string, unknown> = {};
    for (const table of [
      'meta',
      'signing_keys',
      'providers',
      'mail_outbox',
      'events',
      '__drizzle_migrations',
    ])
      out[table] = (
        await store.cx.pool.query(
          `select * from ${table === '__drizzle_migrations' ? 'drizzle.' : ''}${table}`,
        )
      ).rows;
    return out;
  } finally {
    await store.close();
  }
}

/** A database holding values sealed with `SECRET`: a signing key, an upstream provider, a queued and a sent mail. */
async function sealedDatabase(): Promise<string> {
  const url = await newDatabase();
  const g = guard(SECRET);
  const store = await createPostgresStore(url, { listen: false, secret: g });
  try {
    assert.equal(g.acceptedCalls, 1);
    assert.equal(await storedCheck(store), undefined, 'nothing sealed yet: no check value');
    const sealer = new Sealer(SECRET);
    await store.cx.pool.query(
      `insert into signing_keys (kid, alg, public_jwk, private_sealed, created_at, active)
       values ('k1', 'ES256', '{}'::jsonb, $1, $2, true)`,
      [sealer.seal('private key'), NOW],
    );
    await store.cx.pool.query(
      `insert into providers (slug, name, kind, issuer, client_id, client_secret_sealed, created_at, updated_at)
       values ('up', 'Upstream', 'oidc', 'https://up.example', 'id', $1, $2, $2)`,
      [sealer.seal('upstream secret'), NOW],
    );
    await store.mailOutbox.enqueue(
      { recipient: 'a@example.test', subject: 's', bodySealed: sealer.seal('a') },
      NOW,
    );
    const sent = await store.mailOutbox.enqueue(
      { recipient: 'b@example.test', subject: 's', bodySealed: sealer.seal('b') },
      NOW,
    );
    await store.cx.pool.query('update mail_outbox set sent_at = $1 where id = $2', [NOW, sent]);
  } finally {
    await store.close();
  }
  return url;
}

describe('store: the secret guard on PostgreSQL', () => {
  it('records the check value of the secret that opens the sealed data, once something is sealed', async () => {
    const url = await sealedDatabase();
    const store = await createPostgresStore(url, { listen: false, secret: guard(SECRET) });
    try {
      assert.equal(store.sealed.locked, false);
      assert.equal(await storedCheck(store), secretCheck(SECRET));
    } finally {
      await store.close();
    }
    const readOnly = await newDatabase().then(async (fresh) => {
      const seeded = await createPostgresStore(fresh, { listen: false });
      await seeded.mailOutbox.enqueue(
        { recipient: 'c@example.test', subject: 's', bodySealed: new Sealer(SECRET).seal('c') },
        NOW,
      );
      await seeded.close();
      return createPostgresStore(fresh, { listen: false, secret: guard(SECRET, { record: false }) });
    });
    try {
      assert.equal(await storedCheck(readOnly), undefined, 'a read-only command records nothing');
    } finally {
      await readOnly.close();
    }
  });

  it('refuses another secret (SecretLockedError) before writing anything, by the check value or a sealed value', async () => {
    const url = await sealedDatabase();
    await (await createPostgresStore(url, { listen: false, secret: guard(SECRET) })).close();
    const before = await snapshot(url);
    const other = guard(OTHER);
    await assert.rejects(createPostgresStore(url, { listen: false, secret: other }), SecretLockedError);
    assert.equal(other.acceptedCalls, 0, 'not accepted');
    assert.deepEqual(await snapshot(url), before, 'nothing written');

    // A database from before the check value: a sealed value decides.
    const older = await sealedDatabase();
    const olderBefore = await snapshot(older);
    await assert.rejects(
      createPostgresStore(older, { listen: false, secret: guard(OTHER) }),
      SecretLockedError,
    );
    assert.deepEqual(await snapshot(older), olderBefore, 'nothing written');
    const right = await createPostgresStore(older, { listen: false, secret: guard(SECRET) });
    await right.close();
  });

  it('a database holding nothing sealed opens with any secret, and stays without a check value', async () => {
    const url = await newDatabase();
    await (await createPostgresStore(url, { listen: false, secret: guard(SECRET) })).close();
    const store = await createPostgresStore(url, { listen: false, secret: guard(OTHER) });
    try {
      assert.equal(store.sealed.locked, false);
      assert.equal(await storedCheck(store), undefined);
    } finally {
      await store.close();
    }
  });

  it('keys reset: opens locked with allowLocked, writes nothing until discard, then discards the sealed data', async () => {
    const url = await sealedDatabase();
    await (await createPostgresStore(url, { listen: false, secret: guard(SECRET) })).close();
    const before = await snapshot(url);
    const reset = guard(OTHER, { allowLocked: true });
    const store = await createPostgresStore(url, { listen: false, secret: reset });
    try {
      assert.equal(store.sealed.locked, true);
      assert.equal(reset.acceptedCalls, 0);
      assert.deepEqual(await snapshot(url), before, 'nothing written while locked');
      const generation = store.generation();
      const discarded = await store.sealed.discard({
        at: NOW + 5,
        type: 'sealed_data_discarded',
        userId: null,
        clientId: null,
        ip: null,
        detail: { by: 'test' },
      });
      assert.deepEqual(discarded, {
        signingKeys: 1,
        totpFactors: 0,
        recoveryCodes: 0,
        mfaTokens: 0,
        providers: 1,
        queuedMails: 1,
      });
      assert.equal(store.sealed.locked, false);
      assert.equal(reset.acceptedCalls, 1);
      assert.notEqual(store.generation(), generation, 'keys and providers changed: other nodes are told');
      assert.equal(await storedCheck(store), secretCheck(OTHER));
      const { rows: providers } = await store.cx.pool.query(
        'select enabled, client_secret_sealed from providers',
      );
      assert.deepEqual(providers, [{ enabled: false, client_secret_sealed: '' }]);
      const { rows: mails } = await store.cx.pool.query('select body_sealed, sent_at from mail_outbox');
      assert.deepEqual(
        mails,
        [{ body_sealed: '', sent_at: String(NOW) }],
        'the queued mail gone, the sent one erased',
      );
      const { rows: events } = await store.cx.pool.query('select type, at, detail from events');
      assert.deepEqual(events, [
        {
          type: 'sealed_data_discarded',
          at: String(NOW + 5),
          detail: {
            by: 'test',
            signing_keys: 1,
            totp_factors: 0,
            recovery_codes: 0,
            mfa_tokens: 0,
            providers: 1,
            queued_mails: 1,
          },
        },
      ]);
    } finally {
      await store.close();
    }
    // The new secret opens it now; once it has sealed something, the old one is refused.
    const next = await createPostgresStore(url, { listen: false, secret: guard(OTHER) });
    await next.mailOutbox.enqueue(
      { recipient: 'd@example.test', subject: 's', bodySealed: new Sealer(OTHER).seal('d') },
      NOW,
    );
    await next.close();
    await assert.rejects(
      createPostgresStore(url, { listen: false, secret: guard(SECRET) }),
      SecretLockedError,
    );
  });
});
