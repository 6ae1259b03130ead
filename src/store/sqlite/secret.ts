import type Database from 'better-sqlite3';
import type { SealedDiscarded, SecretGuard } from '../types.js';

/**
 * The guard over `LATCHKEY_SECRET` (issue 16), run on the raw connection before migrations, so a refusal
 * leaves the file as it was. Raw SQL: the tables may predate the current schema, or not exist yet.
 */

const hasTable = (raw: Database.Database, name: string): boolean =>
  raw.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(name) !== undefined;

function storedCheck(raw: Database.Database): string | undefined {
  if (!hasTable(raw, 'meta')) return undefined;
  const row = raw.prepare(`select value from meta where key = 'secret_check'`).get() as
    | { value: string }
    | undefined;
  return row?.value;
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

function sealedSample(raw: Database.Database): string | undefined {
  for (const [table, sql] of SAMPLES) {
    if (!hasTable(raw, table)) continue;
    const row = raw.prepare(sql).get() as { v: string } | undefined;
    if (row?.v) return row.v;
  }
  return undefined;
}

/**
 * Whether the guard's secret is the one the database's sealed data was sealed with: by the stored check value,
 * else (a database from before the check) by opening one sealed value. A database holding nothing sealed is
 * anyone's.
 */
export function secretOpens(raw: Database.Database, guard: SecretGuard): boolean {
  const sample = sealedSample(raw);
  if (sample === undefined) return true;
  const check = storedCheck(raw);
  return check !== undefined ? guard.matches(check) : guard.opens(sample);
}

/** Records the check value of a secret that opens the database (or of the one a reset starts with). */
export function writeSecretCheck(raw: Database.Database, check: string, now: number): void {
  raw
    .prepare(
      `insert into meta (key, value, updated_at) values ('secret_check', ?, ?)
       on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(check, now);
}

/**
 * The check value is due once something is sealed (a fresh database stays untouched until then): none yet, or
 * the one of a secret that sealed nothing before this one.
 */
export function checkDue(raw: Database.Database, check: string): boolean {
  return storedCheck(raw) !== check && sealedSample(raw) !== undefined;
}

/**
 * `latchkey keys reset`: everything sealed with the lost secret goes, in one transaction, and the new secret's
 * check value is recorded. Signing keys (new ones are made at the next start), TOTP factors and the recovery
 * codes keyed with the old secret, pending MFA tokens, queued mail; upstream providers keep their settings but
 * lose their client secret and are disabled until it is given again.
 */
export function discardSealed(
  raw: Database.Database,
  check: string,
  now: number,
  audit: (discarded: SealedDiscarded) => void,
): SealedDiscarded {
  return raw.transaction((): SealedDiscarded => {
    const count = (sql: string) => raw.prepare(sql).run().changes;
    const result: SealedDiscarded = {
      signingKeys: count(`delete from signing_keys`),
      totpFactors: count(`delete from totp_factors`),
      recoveryCodes: count(`delete from recovery_codes`),
      mfaTokens: count(`delete from mfa_tokens`),
      providers: count(`update providers set client_secret_sealed = '', enabled = 0, updated_at = ${now}`),
      queuedMails: count(`delete from mail_outbox where sent_at is null and failed_at is null`),
    };
    count(`update mail_outbox set body_sealed = '' where body_sealed <> ''`);
    writeSecretCheck(raw, check, now);
    audit(result);
    return result;
  })();
}
