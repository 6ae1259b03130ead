import { and, isNull, ne, sql } from 'drizzle-orm';
import type pg from 'pg';
import * as s from '../../../db/schema.postgres.js';
import { SecretLockedError } from '../errors.js';
import type { NewAuditEvent, SealedDiscarded, SealedStore, SecretGuard } from '../types.js';
import { migratePostgres, type PgTx, type PostgresContext, sqlState } from './open.js';
import { changed, writeEvent } from './shared.js';

/**
 * The guard over `LATCHKEY_SECRET` (issues 16 and 18), the twin of `../sqlite/secret.ts` and of the guard steps of
 * `createSqliteStore`: run on the pool before migrations, so a refusal leaves the database as it was. Raw SQL until
 * the database is migrated: the tables may predate the current schema, or not exist yet.
 */

/** Resolved through the `search_path`, as the store's unqualified table names are. */
async function hasTable(pool: pg.Pool, name: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
    name,
  ]);
  return rows[0]?.found === true;
}

async function storedCheck(pool: pg.Pool): Promise<string | undefined> {
  if (!(await hasTable(pool, 'meta'))) return undefined;
  const { rows } = await pool.query<{ value: string }>(`select value from meta where key = 'secret_check'`);
  return rows[0]?.value;
}

/** One value sealed with the secret, if the database holds any: the active signing key first. */
const SAMPLES: [table: string, sql: string][] = [
  [
    'signing_keys',
    `select private_sealed as v from signing_keys order by active desc, created_at desc limit 1`,
  ],
  ['totp_factors', `select secret_sealed as v from totp_factors where secret_sealed <> '' limit 1`],
  ['providers', `select client_secret_sealed as v from providers where client_secret_sealed <> '' limit 1`],
  ['mail_outbox', `select body_sealed as v from mail_outbox where body_sealed <> '' limit 1`],
];

async function sealedSample(pool: pg.Pool): Promise<string | undefined> {
  for (const [table, query] of SAMPLES) {
    if (!(await hasTable(pool, table))) continue;
    const { rows } = await pool.query<{ v: string }>(query);
    if (rows[0]?.v) return rows[0].v;
  }
  return undefined;
}

/**
 * Whether the guard's secret is the one the database's sealed data was sealed with: by the stored check value,
 * else (a database from before the check) by opening one sealed value. A database holding nothing sealed is
 * anyone's.
 */
export async function secretOpens(pool: pg.Pool, guard: SecretGuard): Promise<boolean> {
  const sample = await sealedSample(pool);
  if (sample === undefined) return true;
  const check = await storedCheck(pool);
  return check !== undefined ? guard.matches(check) : guard.opens(sample);
}

const upsertCheck = (check: string, now: number) =>
  sql`insert into ${s.meta} (key, value, updated_at) values ('secret_check', ${check}, ${now})
      on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`;

/**
 * The check value is due once something is sealed (a fresh database stays untouched until then): none yet, or
 * the one of a secret that sealed nothing before this one.
 */
export async function checkDue(pool: pg.Pool, check: string): Promise<boolean> {
  return (await storedCheck(pool)) !== check && (await sealedSample(pool)) !== undefined;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Records the check value of a secret that opens the database. A read-only database (a standby, or
 * `default_transaction_read_only`: SQLSTATE 25006) still serves reads: the check value is then written another
 * time. Two nodes recording at once write the same value (`on conflict do update`).
 */
async function recordCheck(cx: PostgresContext, check: string): Promise<void> {
  try {
    await cx.db.execute(upsertCheck(check, nowSeconds()));
  } catch (err) {
    if (sqlState(err) !== '25006') throw err;
  }
}

/**
 * `latchkey keys reset`: everything sealed with the lost secret goes, in one transaction, and the new secret's
 * check value is recorded. Signing keys (new ones are made at the next start), TOTP factors and the recovery
 * codes keyed with the old secret, pending MFA tokens, queued mail; upstream providers keep their settings but
 * lose their client secret and are disabled until it is given again. Keys and providers changed: every node's
 * caches are told (`notifyChange`).
 */
async function discardSealed(
  tx: PgTx,
  cx: PostgresContext,
  check: string,
  event: NewAuditEvent,
): Promise<SealedDiscarded> {
  const now = event.at;
  const result: SealedDiscarded = {
    signingKeys: changed(await tx.delete(s.signingKeys)),
    totpFactors: changed(await tx.delete(s.totpFactors)),
    recoveryCodes: changed(await tx.delete(s.recoveryCodes)),
    mfaTokens: changed(await tx.delete(s.mfaTokens)),
    providers: changed(
      await tx.update(s.providers).set({ clientSecretSealed: '', enabled: false, updatedAt: now }),
    ),
    queuedMails: changed(
      await tx.delete(s.mailOutbox).where(and(isNull(s.mailOutbox.sentAt), isNull(s.mailOutbox.failedAt))),
    ),
  };
  await tx.update(s.mailOutbox).set({ bodySealed: '' }).where(ne(s.mailOutbox.bodySealed, ''));
  await tx.execute(upsertCheck(check, now));
  await writeEvent(tx, {
    ...event,
    detail: {
      ...event.detail,
      signing_keys: result.signingKeys,
      totp_factors: result.totpFactors,
      recovery_codes: result.recoveryCodes,
      mfa_tokens: result.mfaTokens,
      providers: result.providers,
      queued_mails: result.queuedMails,
    },
  });
  await cx.notifyChange(tx);
  return result;
}

/**
 * Checks the secret before anything is written: a secret that does not open the sealed values throws
 * `SecretLockedError`, unless `allowLocked` (`keys reset` before its confirmation: then nothing is written until
 * `sealed.discard()`). Accepted, the database is migrated (under the advisory lock) and the check value recorded
 * when due.
 */
export async function openSealed(
  cx: PostgresContext,
  guard: SecretGuard | undefined,
  options: { migrate: boolean },
): Promise<SealedStore> {
  const locked = guard ? !(await secretOpens(cx.pool, guard)) : false;
  if (locked && !guard?.allowLocked) throw new SecretLockedError();
  if (!locked) {
    guard?.accepted();
    if (options.migrate) await migratePostgres(cx.pool);
  }
  if (guard?.record && !locked && options.migrate && (await checkDue(cx.pool, guard.check)))
    await recordCheck(cx, guard.check);
  let isLocked = locked;
  return {
    get locked() {
      return isLocked;
    },
    async discard(event) {
      if (!guard) throw new Error('opened without the secret guard');
      guard.accepted();
      await migratePostgres(cx.pool);
      const discarded = await cx.tx((tx) => discardSealed(tx, cx, guard.check, event));
      isLocked = false;
      return discarded;
    },
  };
}
