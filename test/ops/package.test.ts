import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/server.js';
import { type Installed, serveAndCheck, setUp, stop } from './served.js';

/**
 * `npm pack`, then `npm install <tarball>` into an empty folder, then the installed `latchkey` bin run from
 * another empty folder: what `npm install -g latchkey` / `npx latchkey` give once published.
 *
 * The install takes the dependencies from npm's cache (`--prefer-offline`: the registry only for what the
 * cache lacks) and skips install scripts: the one that matters, better-sqlite3's, downloads a prebuilt addon
 * from GitHub or compiles SQLite for a minute or two. The same version's addon, already built in this
 * checkout's node_modules, is copied in instead; everything else (resolution, the tarball's files, the bin
 * link, @node-rs/argon2's prebuilt platform package) is the real install.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { dir, cleanup } = tempDir('latchkey-package-');
const children: ChildProcess[] = [];
const appDir = join(dir, 'app');
const workDir = join(dir, 'work');
let files: string[] = [];

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

const app: Installed = {
  command: join(appDir, 'node_modules', '.bin', 'latchkey'),
  cwd: workDir,
  // `node` for the bin's `#!/usr/bin/env node`; nothing else of this checkout.
  env: { HOME: dir, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
};

before(() => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path).sort();
  mkdirSync(appDir);
  mkdirSync(workDir);
  writeFileSync(join(appDir, 'package.json'), '{ "private": true }\n');
  npm(
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      join(dir, packed[0]!.filename),
    ],
    appDir,
  );
  const version = (path: string) =>
    (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string }).version;
  const ours = join(root, 'node_modules', 'better-sqlite3');
  const theirs = join(appDir, 'node_modules', 'better-sqlite3');
  assert.equal(version(theirs), version(ours), 'the installed better-sqlite3 is the version built here');
  mkdirSync(join(theirs, 'build', 'Release'), { recursive: true });
  copyFileSync(
    join(ours, 'build', 'Release', 'better_sqlite3.node'),
    join(theirs, 'build', 'Release', 'better_sqlite3.node'),
  );
});

after(async () => {
  await Promise.all(children.map(stop));
  cleanup();
});

test('the tarball holds what the server reads at run time, and no build output or sources besides', () => {
  for (const file of [
    'package.json',
    'README.md',
    'dist/latchkey.mjs',
    'db/migrations/sqlite/0000_init.sql',
    'db/migrations/sqlite/meta/_journal.json',
    'views/styles.css',
    'views/show-password.js',
    'views/copy-secret.js',
    'docs/latchkey.service',
  ]) {
    assert.ok(files.includes(file), `${file} in the tarball`);
  }
  const journal = JSON.parse(readFileSync(join(root, 'db/migrations/sqlite/meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  for (const { tag } of journal.entries) assert.ok(files.includes(`db/migrations/sqlite/${tag}.sql`), tag);
  const unwanted = files.filter((f) =>
    /^(src|test|scripts)\/|^dist\/(sea|latchkey-)|_snapshot\.json$/.test(f),
  );
  assert.deepEqual(unwanted, []);
});

let client: { client_id: string; client_secret: string };

test('the installed bin works from an empty folder: scope add, client add, user add, user list', () => {
  assert.ok(existsSync(app.command), 'npm linked the latchkey bin');
  assert.ok(!existsSync(join(appDir, 'node_modules', 'latchkey', 'src')));
  client = setUp(app);
  assert.ok(existsSync(join(workDir, 'data', 'latchkey.db')));
});

test('the installed bin serves discovery, a client-credentials token and the page assets', async () => {
  await serveAndCheck(app, client, (child) => children.push(child));
});
