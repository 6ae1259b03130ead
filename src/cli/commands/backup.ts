import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DB_PATH } from '../../config.js';
import { Sealer } from '../../crypto/seal.js';
import { backupDatabase, OperationRefused, openStore, restoreDatabase } from '../../store/index.js';
import { type Command, CommandFailed, one } from '../command.js';

/**
 * The database these commands work on, read without `loadConfig`: a backup or restore needs no secret, and
 * must not create one (or a folder) as a side effect.
 */
function databasePath(): string {
  const raw = process.env['LATCHKEY_DB'] || DEFAULT_DB_PATH;
  return raw === ':memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.startsWith('file:')
    ? raw
    : resolve(raw);
}

async function refusedAsFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OperationRefused) throw new CommandFailed(err.code, err.message);
    throw err;
  }
}

/**
 * After a restore: does the secret the server will use open the restored signing keys? A backup put back
 * without the `latchkey.secret` it was made with cannot be served (its keys, TOTP secrets and upstream secrets
 * stay sealed), so say so now rather than at the next start. Best effort: a warning, never a failure.
 */
async function secretWarning(db: string): Promise<string | undefined> {
  const file = resolve(dirname(db), 'latchkey.secret');
  const secret =
    process.env['LATCHKEY_SECRET'] || (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  if (!secret)
    return `there is no ${file}: put the latchkey.secret saved with the backup there before starting latchkey`;
  const store = await openStore({ dbPath: db }, { migrate: false });
  try {
    const sealer = new Sealer(secret);
    for (const key of (await store.keys.list()).filter((k) => k.active)) sealer.open(key.privateSealed);
    return undefined;
  } catch {
    const which = process.env['LATCHKEY_SECRET'] ? 'LATCHKEY_SECRET' : file;
    return `the restored signing keys do not open with ${which}: put the latchkey.secret saved with the backup in its place before starting latchkey`;
  } finally {
    await store.close();
  }
}

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export const backupCommands: Record<string, Command> = {
  backup: {
    usage: 'backup FILE [--force]',
    summary:
      'copy the database to FILE while the server runs (consistent, online); keep latchkey.secret with it',
    options: { force: { type: 'boolean' } },
    async run(v, p, out) {
      const file = one(p, 'FILE to write the backup to');
      const db = databasePath();
      const done = await refusedAsFailure(() => backupDatabase(db, file, { force: v['force'] === true }));
      out.result(
        { file: done.file, bytes: done.bytes, db },
        `backed up ${db} to ${done.file} (${size(done.bytes)}); keep latchkey.secret with it`,
      );
    },
  },
  restore: {
    usage: 'restore FILE',
    summary: 'replace the database with a backup; refused while a server has the database open',
    options: {},
    async run(_v, p, out) {
      const file = one(p, 'backup FILE to restore');
      const db = databasePath();
      const done = await refusedAsFailure(() => restoreDatabase(db, file));
      const warning = await secretWarning(db).catch(() => undefined);
      if (warning) out.warn(warning);
      out.result(
        { db: done.file, bytes: done.bytes, from: resolve(file), previous: done.previous ?? null },
        `restored ${db} from ${resolve(file)} (${size(done.bytes)})` +
          (done.previous ? `; the database it replaced is kept as ${done.previous}` : ''),
      );
    },
  },
};
