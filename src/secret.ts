import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { type Config, ConfigError, writeSecretFile } from './config.js';
import { Sealer } from './crypto/seal.js';
import { shownDatabase } from './store/dialect.js';
import { NoDatabaseError, SecretLockedError } from './store/errors.js';
import { openStore, type SqliteOptions } from './store/index.js';
import type { SecretGuard, Store } from './store/types.js';

/**
 * The secret is never silently replaced (issue 16): a database holding values sealed with a secret opens only
 * with that secret. A missing `latchkey.secret` is generated only beside a database that holds nothing sealed.
 */

const CHECK_LABEL = 'latchkey: the secret this database was sealed with';

/** An HMAC of a fixed label under a key derived from the secret: says "same secret?" and nothing else. */
export function secretCheck(secret: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'latchkey-secret-check-v1', 32));
  return `v1.${createHmac('sha256', key).update(CHECK_LABEL).digest('base64url')}`;
}

/** What a refused secret costs, and the two ways out: said by start-up, every command, and `keys reset`. */
export const SEALED_DATA = "the database's signing keys, TOTP secrets and upstream client secrets";

/** Refused: the database holds sealed values this secret does not open. Exit 1, one line, nothing written. */
export class SecretRefusedError extends ConfigError {
  readonly code = 'secret';
}

/** A read-only command pointed at a database that does not exist. */
export class NoDatabaseConfigError extends ConfigError {
  readonly code = 'no_database';
}

/** The secret as the messages name it: the variable or the file. */
export function secretName(config: Pick<Config, 'secretSource'>): string {
  const source = config.secretSource;
  return source.kind === 'file'
    ? `"${source.path}"`
    : source.kind === 'env'
      ? 'LATCHKEY_SECRET'
      : 'the secret';
}

function refusal(config: Pick<Config, 'secretSource' | 'dbPath'>): string {
  const source = config.secretSource;
  const what =
    source.kind === 'file' && source.created
      ? `${secretName(config)} is missing, but the database "${shownDatabase(config.dbPath)}" holds data sealed with it`
      : `${secretName(config)} is not the secret the database "${shownDatabase(config.dbPath)}" was sealed with`;
  const restore =
    source.kind === 'env'
      ? 'set LATCHKEY_SECRET to the original'
      : `restore the original ${source.kind === 'file' ? source.path : 'secret'} from a backup (or set LATCHKEY_SECRET to it)`;
  const goOn =
    source.kind === 'file' && source.created ? 'start again with a new secret' : 'go on with this one';
  return `${what}: ${SEALED_DATA} cannot be opened without the original. Either ${restore}, or run "latchkey keys reset" to discard the sealed data and ${goOn} (issued tokens, TOTP enrolments, upstream secrets and queued mail are lost).`;
}

function guardFor(
  config: Pick<Config, 'secret' | 'secretSource'>,
  { readOnly = false, allowLocked = false }: GuardedOptions,
): SecretGuard {
  const check = secretCheck(config.secret);
  const sealer = new Sealer(config.secret);
  const source = config.secretSource;
  return {
    check,
    allowLocked,
    // A read-only command writes nothing: no secret file, no check value.
    record: !readOnly,
    matches: (stored) => {
      const a = Buffer.from(stored);
      const b = Buffer.from(check);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    opens: (sealed) => {
      try {
        sealer.open(sealed);
        return true;
      } catch {
        return false;
      }
    },
    accepted: () => {
      if (!readOnly && source.kind === 'file' && source.created) writeSecretFile(source.path, config.secret);
    },
  };
}

export interface GuardedOptions {
  /** A read-only command: no database is created for it. */
  readOnly?: boolean;
  /** `keys reset`: open a database this secret does not open (`store.sealed.locked`). */
  allowLocked?: boolean;
  /** Refuse to create the database (`keys reset`), though the command writes. */
  mustExist?: boolean;
}

/**
 * Opens the configured store behind the secret guard: the CLI and `serve` open it this way; tests may open
 * a bare one. Refusals are one sentence naming the database and the secret's file or variable.
 */
export async function openGuardedStore(
  config: Pick<Config, 'dbPath' | 'secret' | 'secretSource'>,
  options: GuardedOptions = {},
): Promise<Store> {
  const sqlite: SqliteOptions = {
    secret: guardFor(config, options),
    ...(options.readOnly || options.mustExist ? { mustExist: true } : {}),
  };
  try {
    return await openStore(config, sqlite);
  } catch (err) {
    if (err instanceof SecretLockedError) throw new SecretRefusedError(refusal(config));
    if (err instanceof NoDatabaseError)
      throw new NoDatabaseConfigError(
        `no database at "${err.path}": set LATCHKEY_DB to the database file (or run "latchkey migrate" to create one there)`,
      );
    throw err;
  }
}
