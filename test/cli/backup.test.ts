/**
 * `latchkey backup` and `latchkey restore` (issue 16) against the compiled server.
 *
 * A backup taken while the server issues tokens (each one a row: opaque tokens) opens, passes
 * `PRAGMA integrity_check`, and holds every client and user that existed when it started. A restore is refused
 * (exit 1, one line) while the server has the database open, and once it is stopped puts the backup's data
 * back: what was added after the backup is gone, and a restarted server issues tokens from it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type ServedProcess, serve } from '../helpers/served.js';
import { basic, form, freePort, tempDir } from '../helpers/server.js';
import { json, run } from './run.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const WORKERS = 4;
const MAX_REQUESTS = 4_000;

function ids(dbPath: string, table: 'users' | 'clients'): Set<string> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return new Set((db.prepare(`select id from ${table}`).all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
}

/** One line on stderr, nothing on stdout, exit 1. */
function assertOneLineFailure(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('latchkey backup and restore', { timeout: 180_000 }, () => {
  const { dir, cleanup } = tempDir('latchkey-backup-');
  const dbPath = join(dir, 'data', 'latchkey.db');
  const backupFile = join(dir, 'backup.db');
  let port = 0;
  let env: Record<string, string> = {};
  let served: ServedProcess | undefined;
  let client = { id: '', secret: '' };
  let usersAtBackup = new Set<string>();
  let clientsAtBackup = new Set<string>();
  after(async () => {
    await served?.kill();
    cleanup();
  });

  const token = (c: { id: string; secret: string }) =>
    fetch(
      new URL('/token', `http://127.0.0.1:${port}`),
      form({ grant_type: 'client_credentials' }, { authorization: basic(c.id, c.secret) }),
    );

  it('refuses to back up a database that does not exist, and creates nothing', async () => {
    const r = await run(['backup', backupFile], { LATCHKEY_DB: dbPath });
    assertOneLineFailure(r, /there is no database at .*latchkey\.db/);
    assert.ok(!existsSync(dbPath) && !existsSync(join(dir, 'data')) && !existsSync(backupFile));
  });

  it('backs up while the server issues tokens: the copy is sound and holds every client and user', async (t) => {
    port = await freePort();
    env = {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      LATCHKEY_DB: dbPath,
      LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
      LATCHKEY_THROTTLE: 'off',
    };
    const added = await json(
      ['client', 'add', '--name', 'load', '--grant', 'client_credentials', '--token-format', 'opaque'],
      env,
    );
    client = { id: added['client_id'] as string, secret: added['client_secret'] as string };
    await json(['seed', '--users', '300', '--tokens', '2000'], env);
    served = await serve(env);

    let sent = 0;
    let ok = 0;
    let stop = false;
    const statuses = new Set<number>();
    const worker = async () => {
      while (!stop && sent < MAX_REQUESTS) {
        sent++;
        const res = await token(client);
        statuses.add(res.status);
        if (res.status === 200) ok++;
        await res.body?.cancel();
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, worker));
    while (ok < 50 && sent < MAX_REQUESTS) await sleep(10);
    usersAtBackup = ids(dbPath, 'users');
    clientsAtBackup = ids(dbPath, 'clients');
    const okBefore = ok;
    const r = await run(['backup', backupFile], env);
    const okDuring = ok - okBefore;
    stop = true;
    await load;

    t.diagnostic(`${okDuring} tokens issued while the backup ran`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(
      r.stdout,
      /^backed up .*latchkey\.db to .*backup\.db \(\d+(\.\d)? [KM]iB\); keep latchkey\.secret/,
    );
    assert.deepEqual([...statuses], [200], 'the load was all tokens');
    assert.ok(okDuring > 0 || sent >= MAX_REQUESTS, 'tokens were issued while the backup ran');

    assert.ok(!existsSync(`${backupFile}-wal`), 'the backup is one file');
    const copy = new Database(backupFile, { readonly: true, fileMustExist: true });
    try {
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      const users = new Set(
        (copy.prepare('select id from users').all() as { id: string }[]).map((u) => u.id),
      );
      const clients = new Set(
        (copy.prepare('select id from clients').all() as { id: string }[]).map((c) => c.id),
      );
      assert.ok(usersAtBackup.size >= 300);
      for (const id of usersAtBackup) assert.ok(users.has(id), `user ${id} is in the backup`);
      for (const id of clientsAtBackup) assert.ok(clients.has(id), `client ${id} is in the backup`);
    } finally {
      copy.close();
    }
  });

  it('never overwrites a file without --force', async () => {
    assertOneLineFailure(await run(['backup', backupFile], env), /backup\.db exists: pass --force/);
    const again = await run(['backup', backupFile, '--force'], env);
    assert.equal(again.code, 0, again.stderr);
  });

  it('refuses to restore while the server has the database open (exit 1, one line), changing nothing', async () => {
    const late = await json(['user', 'add', '--email', 'after-backup@example.test'], env);
    const r = await run(['restore', backupFile], env);
    assertOneLineFailure(
      r,
      /latchkey\.db is open in another process \(a running latchkey\?\): stop it, then restore/,
    );
    assert.ok(ids(dbPath, 'users').has(late['id'] as string));
    assert.equal((await token(client)).status, 200, 'the server serves on');
  });

  it('refuses a file that is not a latchkey database', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some words to fill a page or two\n'.repeat(100));
    assertOneLineFailure(await run(['restore', text], env), /notes\.txt is not a SQLite database/);
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('create table things (id text)');
    db.close();
    assertOneLineFailure(await run(['restore', other], env), /other\.db is not a latchkey database/);
    assertOneLineFailure(await run(['restore', join(dir, 'missing.db')], env), /there is no file at/);
  });

  it('restores once the server is stopped: the backup`s data is back, and a restarted server issues tokens', async () => {
    served?.child.kill('SIGTERM');
    assert.equal((await served?.exited)?.code, 0);
    served = undefined;

    // Restored under another secret: done, with a warning that the keys will not open.
    const wrong = await run(['restore', backupFile], {
      ...env,
      LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    });
    assert.equal(wrong.code, 0, wrong.stderr);
    assert.match(
      wrong.stderr,
      /^latchkey: warning: the restored signing keys do not open with LATCHKEY_SECRET/,
    );
    assert.equal(wrong.stderr.trim().split('\n').length, 1);

    const r = await run(['restore', backupFile], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'the secret opens the restored keys: no warning');
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(
      r.stdout,
      /^restored .*latchkey\.db from .*backup\.db .*; the database it replaced is kept as /,
    );
    assert.ok(!existsSync(`${dbPath}-wal`) && !existsSync(`${dbPath}-shm`), 'no stale WAL beside it');

    const users = ids(dbPath, 'users');
    assert.deepEqual(
      [...usersAtBackup].filter((id) => !users.has(id)),
      [],
      'every user of the backup is back',
    );
    const list = await json<{ email: string }[]>(['user', 'list'], env);
    assert.ok(
      !list.some((u) => u.email === 'after-backup@example.test'),
      'what came after the backup is gone',
    );

    served = await serve(env);
    const res = await token(client);
    assert.equal(res.status, 200, await res.text());
    served.child.kill('SIGTERM');
    assert.equal((await served.exited).code, 0);
    served = undefined;
  });

  it('restores over a database file that is not a database any more', async () => {
    writeFileSync(dbPath, 'overwritten by mistake\n');
    const r = await run(['restore', backupFile], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(ids(dbPath, 'users').size >= 300);
  });
});
