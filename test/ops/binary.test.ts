import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/server.js';
import { cli, type Installed, serveAndCheck, setUp, stop } from './served.js';

/**
 * The single binary, as a self-hoster gets it: built by `npm run build:binary` here (about 5 s: a bundle, a
 * blob and a copy of `node`, so the test always runs the code it is testing), copied alone into an empty
 * folder and run with an empty environment whose PATH has no `node`, no `node_modules` above it.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const name = `latchkey-${process.platform}-${process.arch}`;
const { dir, cleanup } = tempDir('latchkey-binary-');
const binary = join(dir, name);
const bin = join(dir, 'bin');
const children: ChildProcess[] = [];

/** HOME is the temp folder (the cache folder goes under it); PATH holds only a shell and `ls`. */
const app: Installed = { command: binary, cwd: dir, env: { HOME: dir, PATH: bin } };

before(() => {
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-binary.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  copyFileSync(join(root, 'dist', name), binary);
  mkdirSync(bin);
  for (const tool of ['sh', 'ls']) symlinkSync(join('/bin', tool), join(bin, tool));
});

after(async () => {
  await Promise.all(children.map(stop));
  cleanup();
});

test('the folder holds nothing but the binary, and neither PATH nor a parent folder offers node', () => {
  assert.deepEqual(readdirSync(dir).sort(), ['bin', name]);
  for (const folder of app.env['PATH']!.split(':'))
    assert.ok(!existsSync(join(folder, 'node')), `node in ${folder}`);
  for (let up = dir; ; up = dirname(up)) {
    assert.ok(!existsSync(join(up, 'node_modules')), `node_modules in ${up}`);
    if (dirname(up) === up) break;
  }
  const which = spawnSync('sh', ['-c', 'command -v node'], { env: app.env, encoding: 'utf8' });
  assert.notEqual(which.status, 0, `node found: ${which.stdout}`);
});

let client: { client_id: string; client_secret: string };

test('the CLI works: scope add, client add, user add (argon2 on its worker thread), user list', () => {
  client = setUp(app);
  // The default database and secret, beside where it ran.
  assert.ok(existsSync(join(dir, 'data', 'latchkey.db')));
});

test('the other commands, and the dependencies loaded only when needed (yaml, nodemailer, otplib)', () => {
  for (const args of [['migrate'], ['keys', 'rotate'], ['keys', 'list'], ['client', 'list'], ['events']]) {
    const res = cli(app, args);
    assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
  }
  const mfa = cli(app, ['user', 'mfa-enroll', 'ada@example.com']);
  assert.equal(mfa.code, 0, mfa.stderr);
  assert.match(mfa.stdout, /otpauth:\/\/totp\//);

  writeFileSync(join(dir, 'bad.yaml'), 'scopes: [unclosed\n');
  const config = cli({ ...app, env: { ...app.env, LATCHKEY_CONFIG: join(dir, 'bad.yaml') } }, [
    'scope',
    'list',
  ]);
  assert.equal(config.code, 1);
  assert.match(config.stderr, /bad\.yaml: is not valid YAML \(line 2/);
  rmSync(join(dir, 'bad.yaml'));

  const smtp = { LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:1', LATCHKEY_MAIL_FROM: 'id@example.com' };
  const mail = cli({ ...app, env: { ...app.env, ...smtp } }, ['mail', 'test', 'x@example.com']);
  assert.equal(mail.code, 1);
  assert.match(
    mail.stderr,
    /mail not sent to x@example\.com via smtp:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/,
  );
});

test('the native addons and migrations are written once to a private cache folder', () => {
  const cache = join(dir, '.cache', 'latchkey');
  const [id, ...more] = readdirSync(cache);
  assert.ok(id && more.length === 0, `one build folder in ${cache}`);
  const folder = join(cache, id);
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  const files = readdirSync(folder).sort();
  for (const file of ['argon2.node', 'better-sqlite3.cjs', 'better_sqlite3.node', 'db']) {
    assert.ok(files.includes(file), `${file} in ${files.join(', ')}`);
  }
  // The driver the checkpoint worker requires (a plain require(), as in the worker) opens a database.
  const Database = createRequire(folder)(join(folder, 'better-sqlite3.cjs'));
  const db = new Database(':memory:');
  assert.deepEqual(db.prepare('select 1 as one').get(), { one: 1 });
  db.close();
});

test('serve answers discovery, a client-credentials token and the page assets', async () => {
  await serveAndCheck(app, client, (child) => children.push(child));
});
