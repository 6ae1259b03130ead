import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { BIN, fails, type Json, json, run } from './run.js';

/** Issue 16: the secret is never silently replaced. */

const OTHER_SECRET = 'another-secret-entirely-0123456789abcdef';

/** The folder's files and the database's bytes: what "nothing was written" compares. */
function snapshot(dir: string): { files: string[]; db: string } {
  return {
    files: readdirSync(dir).sort(),
    db: createHash('sha256')
      .update(readFileSync(join(dir, 'latchkey.db')))
      .digest('hex'),
  };
}

/** A database with signing keys, a TOTP factor and an upstream provider, sealed with a generated latchkey.secret. */
async function populated(dir: string): Promise<Record<string, string>> {
  const env = { LATCHKEY_DB: join(dir, 'latchkey.db') };
  await json(['user', 'add', '--email', 'ada@example.test', '--password', 'analytical-engine-1843'], env);
  await json(['user', 'mfa-enroll', 'ada@example.test'], env);
  await json(['keys', 'rotate'], env);
  await json(
    ['provider', 'add', '--slug', 'google', '--client-id', 'id', '--client-secret', 'upstream-s'],
    env,
  );
  return env;
}

/** `serve --json` on a free port: resolves with its URL once it listens. */
function serve(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--json'], {
    env: { PATH: process.env['PATH'] ?? '', LATCHKEY_LOG: 'error', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      try {
        resolve({ url: (JSON.parse(out) as { url: string }).url, child });
      } catch {
        // Not the whole document yet.
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** `keys reset` on a terminal (util-linux `script` gives it one): answers the prompt with `answer`. */
function resetOnTerminal(
  env: Record<string, string>,
  answer: string,
): Promise<{ code: number | null; out: string }> {
  const child = spawn('script', ['-qec', `"${process.execPath}" "${BIN}" keys reset`, '/dev/null'], {
    env: { PATH: process.env['PATH'] ?? '', LATCHKEY_LOG: 'error', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let answered = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    if (!answered && out.includes('Type "reset"')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  // A prompt that never comes must not hang the run.
  const timer = setTimeout(() => child.kill(), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

const hasScript = spawnSync('script', ['--version']).status === 0;

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('latchkey.secret is never silently replaced (issue 16)', () => {
  const tmp = tempDir('latchkey-secret-');
  after(() => tmp.cleanup());
  let n = 0;
  const folder = () => {
    const dir = join(tmp.dir, `db-${++n}`);
    return dir;
  };

  it('a deleted latchkey.secret beside a populated database: every command and serve refuse, and nothing is written', async () => {
    const dir = folder();
    const env = await populated(dir);
    const secretFile = join(dir, 'latchkey.secret');
    rmSync(secretFile);
    const before = snapshot(dir);
    for (const args of [
      ['user', 'list'],
      ['keys', 'rotate'],
      ['user', 'add', '--email', 'b@example.test'],
      ['serve'],
    ]) {
      const r = await run(args, { ...env, PORT: '0' });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(
        lines[0]!.startsWith(
          `latchkey: "${secretFile}" is missing, but the database "${env['LATCHKEY_DB']}"`,
        ),
      );
      assert.match(
        lines[0]!,
        /signing keys, TOTP secrets and upstream client secrets cannot be opened without the original/,
      );
      assert.match(lines[0]!, /restore the original .*latchkey\.secret from a backup/);
      assert.match(lines[0]!, /"latchkey keys reset"/);
    }
    assert.equal((await fails(['user', 'list'], env)).error, 'secret');
    assert.deepEqual(snapshot(dir), before, 'no new latchkey.secret, the database unchanged');
  });

  it('a different latchkey.secret, or a different LATCHKEY_SECRET, is refused', async () => {
    const dir = folder();
    const env = await populated(dir);
    const secretFile = join(dir, 'latchkey.secret');
    const original = readFileSync(secretFile, 'utf8');
    writeFileSync(secretFile, `${OTHER_SECRET}\n`);
    const before = snapshot(dir);
    const r = await run(['user', 'list'], env);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^latchkey: ".*latchkey\.secret" is not the secret the database ".*" was sealed with: /,
    );
    const viaEnv = await fails(['user', 'list'], { ...env, LATCHKEY_SECRET: OTHER_SECRET });
    assert.equal(viaEnv.error, 'secret');
    assert.match(viaEnv.message, /^LATCHKEY_SECRET is not the secret .* set LATCHKEY_SECRET to the original/);
    assert.deepEqual(snapshot(dir), before);
    writeFileSync(secretFile, original);
    assert.equal((await json<Json[]>(['user', 'list'], env)).length, 1, 'the original opens it again');
  });

  it('an empty or short latchkey.secret is refused like a short LATCHKEY_SECRET', async () => {
    const dir = folder();
    const env = await populated(dir);
    const secretFile = join(dir, 'latchkey.secret');
    writeFileSync(secretFile, '\n');
    const empty = await fails(['user', 'list'], env);
    assert.equal(empty.error, 'config');
    assert.match(empty.message, /latchkey\.secret is empty: the secret must be at least 32 characters/);
    writeFileSync(secretFile, 'short\n');
    assert.match((await fails(['migrate'], env)).message, /latchkey\.secret is too short/);
  });

  it('a database from before the check value is checked by opening its active signing key, then given one', async () => {
    const dir = folder();
    const env = await populated(dir);
    const store = createSqliteStore(env['LATCHKEY_DB']!);
    store.raw.prepare(`delete from meta`).run();
    await store.close();
    const refused = await fails(['keys', 'list'], { ...env, LATCHKEY_SECRET: OTHER_SECRET });
    assert.equal(refused.error, 'secret');
    await json(['keys', 'rotate'], env);
    const again = createSqliteStore(env['LATCHKEY_DB']!);
    try {
      const row = again.raw.prepare(`select value from meta where key = 'secret_check'`).get() as
        | { value: string }
        | undefined;
      assert.match(row?.value ?? '', /^v1\./, 'recorded on the next writing command');
    } finally {
      await again.close();
    }
  });

  it('beside a database holding nothing sealed, a missing latchkey.secret is simply made', async () => {
    const dir = folder();
    const env = { LATCHKEY_DB: join(dir, 'latchkey.db') };
    await json(['user', 'add', '--email', 'plain@example.test', '--password', 'a-long-passphrase'], env);
    rmSync(join(dir, 'latchkey.secret'));
    await json(['user', 'add', '--email', 'plain2@example.test', '--password', 'a-long-passphrase'], env);
    assert.ok(readdirSync(dir).includes('latchkey.secret'));
  });

  it('keys reset asks for --yes off a terminal, then discards the sealed data; the server starts', async () => {
    const dir = folder();
    const env = await populated(dir);
    rmSync(join(dir, 'latchkey.secret'));
    const before = snapshot(dir);
    const unconfirmed = await fails(['keys', 'reset'], env);
    assert.equal(unconfirmed.error, 'confirmation_required');
    assert.match(unconfirmed.message, /latchkey keys reset --yes/);
    assert.deepEqual(snapshot(dir), before, 'nothing changed without the confirmation');

    const human = await run(['keys', 'reset', '--yes'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /discarded 2 signing keys: tokens they signed no longer verify/);
    assert.match(
      human.stdout,
      /discarded 1 TOTP factors and 10 recovery codes: those users must enrol again/,
    );
    assert.match(human.stdout, /disabled 1 upstream providers: give each its client secret again/);
    assert.match(human.stdout, /dropped 0 queued mails/);
    assert.ok(readdirSync(dir).includes('latchkey.secret'), 'the new secret is kept');

    const [event] = (await json<{ items: Json[] }>(['events', '--limit', '1'], env)).items;
    assert.equal(event?.['type'], 'sealed_data_discarded');
    assert.deepEqual(
      event?.['detail'],
      { signing_keys: 2, totp_factors: 1, recovery_codes: 10, mfa_tokens: 0, providers: 1, queued_mails: 0 },
      'the audit log says what went',
    );
    assert.deepEqual(await json(['keys', 'reset', '--yes'], env), { reset: false });
    const users = await json<Json[]>(['user', 'list'], env);
    assert.deepEqual(
      users.map((u) => u['email']),
      ['ada@example.test'],
      'users stay',
    );
    const [provider] = await json<Json[]>(['provider', 'list'], env);
    assert.equal(provider?.['enabled'], false, 'the provider waits for its secret');

    const { url, child } = await serve(env);
    try {
      const jwks = (await (await fetch(`${url}/jwks`)).json()) as { keys: unknown[] };
      assert.equal(jwks.keys.length, 2, 'new signing keys were made at start');
    } finally {
      assert.equal(await stop(child), 0);
    }
  });

  it('keys reset on a terminal says what stops working and goes on only when "reset" is typed', {
    skip: !hasScript && 'no script(1)',
  }, async () => {
    const dir = folder();
    const env = await populated(dir);
    rmSync(join(dir, 'latchkey.secret'));
    const before = snapshot(dir);
    const no = await resetOnTerminal(env, 'no');
    assert.equal(no.code, 1);
    assert.match(no.out, /every token signed with the old keys/);
    assert.match(no.out, /users' TOTP and their recovery codes: they must enrol again/);
    assert.match(
      no.out,
      /upstream providers: they are disabled until they are given their client secret again/,
    );
    assert.match(no.out, /queued mails are dropped/);
    assert.match(no.out, /keys reset cancelled: nothing was changed/);
    assert.deepEqual(snapshot(dir), before);
    const yes = await resetOnTerminal(env, 'reset');
    assert.equal(yes.code, 0, yes.out);
    assert.match(yes.out, /discarded 2 signing keys/);
    assert.equal((await json<Json[]>(['keys', 'list'], env)).length, 0);
  });
});
