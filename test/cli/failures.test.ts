import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { tempDir } from '../helpers/server.js';
import { fails, json, run } from './run.js';

/** Issue 16: the CLI fails like a tool: one line naming the path or setting and what to do, exit 1. */

const SECRET = 'failures-test-secret-0123456789abcdef';
const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
/** Root ignores file modes: the permission cases run as `nobody` then. */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
const oneLine = (stderr: string) => {
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  return lines[0]!;
};

describe('the CLI fails like a tool (issue 16)', () => {
  const tmp = tempDir('latchkey-failures-');
  const env = { LATCHKEY_DB: join(tmp.dir, 'latchkey.db'), LATCHKEY_SECRET: SECRET };
  before(async () => {
    chmodSync(tmp.dir, 0o755);
    await json(['migrate'], env);
  });
  after(() => tmp.cleanup());

  it('--version prints the package version', async () => {
    const r = await run(['--version'], env);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `latchkey ${version}\n`);
    assert.deepEqual(await json(['--version'], env), { version });
  });

  it('<group> --help explains that group: every command of it with its flags', async () => {
    const r = await run(['user', '--help'], env);
    assert.equal(r.code, 0, r.stderr);
    for (const cmd of [
      'user add',
      'user update',
      'user list',
      'user remove',
      'user set-password',
      'user mfa-enroll',
    ])
      assert.ok(r.stdout.includes(`latchkey ${cmd}`), cmd);
    assert.ok(r.stdout.includes('--email E'));
    assert.equal(r.stdout.includes('latchkey client add'), false, 'only the group');
    const keys = await run(['keys', '--help'], env);
    assert.match(keys.stdout, /latchkey keys reset \[--yes\]/);
    const bare = await run(['client'], env);
    assert.equal(bare.code, 2, 'a group alone is an incomplete command line');
    assert.match(bare.stdout, /latchkey client add/);
  });

  it('an unknown command or flag says "did you mean …"', async () => {
    const cases: [string[], string][] = [
      [
        ['user', 'lsit'],
        'latchkey: unknown command "user lsit"; did you mean "user list"? (see latchkey user --help)',
      ],
      [['evnets'], 'latchkey: unknown command "evnets"; did you mean "events"? (see latchkey --help)'],
      [
        ['--verison'],
        'latchkey: unknown option "--verison"; did you mean "--version"? (see latchkey --help)',
      ],
      [['frobnicate'], 'latchkey: unknown command "frobnicate" (see latchkey --help)'],
    ];
    for (const [args, line] of cases) {
      const r = await run(args, env);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(oneLine(r.stderr), line);
    }
    const flag = await run(['user', 'add', '--emial', 'a@example.test'], env);
    assert.equal(flag.code, 2);
    assert.match(
      flag.stderr,
      /^latchkey: unknown option "--emial" for "latchkey user add"; did you mean "--email"\?\n/,
    );
    assert.equal((await fails(['client', 'list', '--qurey', 'x'], env, 2)).error, 'usage');
  });

  describe('serve', () => {
    let busy: Server;
    let port: number;
    before(async () => {
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      port = (busy.address() as { port: number }).port;
    });
    after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

    it('a port in use', async () => {
      const r = await run(['serve'], { ...env, PORT: String(port) });
      assert.equal(r.code, 1);
      assert.equal(
        oneLine(r.stderr),
        `latchkey: cannot listen on 127.0.0.1:${port}: the port is in use by another process; stop it, or set PORT to a free port`,
      );
      assert.equal((await fails(['serve'], { ...env, PORT: String(port) })).error, 'system');
    });

    it('a HOST that does not resolve', async () => {
      const r = await run(['serve'], { ...env, PORT: '0', HOST: 'no-such-host.invalid' });
      assert.equal(r.code, 1);
      assert.equal(
        oneLine(r.stderr),
        'latchkey: cannot resolve HOST "no-such-host.invalid": set HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for all)',
      );
    });
  });

  it('an unwritable folder', async () => {
    const folder = join(tmp.dir, 'locked');
    mkdirSync(folder, { mode: 0o555 });
    chmodSync(folder, 0o555);
    const db = join(folder, 'latchkey.db');
    const r = await run(['migrate'], { ...env, LATCHKEY_DB: db }, asUser);
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr),
      `latchkey: cannot open "${db}": permission denied; make the folder "${folder}" writable for the user latchkey runs as, or set LATCHKEY_DB to another place`,
    );
  });

  it('a read-only database', async () => {
    const folder = join(tmp.dir, 'read-only');
    mkdirSync(folder, { mode: 0o755 });
    const db = join(folder, 'latchkey.db');
    await json(['migrate'], { ...env, LATCHKEY_DB: db });
    chmodSync(db, 0o444);
    const r = await run(['user', 'add', '--email', 'ro@example.test'], { ...env, LATCHKEY_DB: db }, asUser);
    assert.equal(r.code, 1);
    assert.match(
      oneLine(r.stderr),
      new RegExp(
        `^latchkey: cannot write the database "${db}": it is read-only \\(.*\\); make the file and its folder \\(which holds its -wal and -shm files\\) writable for the user latchkey runs as$`,
      ),
    );
  });

  it('a parent path that is a file', async () => {
    const r = await run(['migrate'], { ...env, LATCHKEY_DB: join(env.LATCHKEY_DB, 'sub', 'latchkey.db') });
    assert.equal(r.code, 1);
    assert.equal(
      oneLine(r.stderr),
      `latchkey: cannot create the folder "${join(env.LATCHKEY_DB, 'sub')}": "${env.LATCHKEY_DB}" is a file, not a folder; set LATCHKEY_DB to another place, or move the file away`,
    );
  });

  it('with LATCHKEY_LOG_LEVEL=debug the same line comes first, then the stack', async () => {
    const r = await run(['migrate'], {
      ...env,
      LATCHKEY_DB: join(env.LATCHKEY_DB, 'x.db'),
      LATCHKEY_LOG_LEVEL: 'debug',
    });
    assert.equal(r.code, 1);
    const [line, ...stack] = r.stderr.split('\n').filter(Boolean);
    assert.match(line!, /^latchkey: cannot create the folder /);
    assert.ok(stack.some((l) => l.startsWith('    at ')));
  });
});
