import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from '../helpers/server.js';

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
const env = (extra: Record<string, string> = {}) => ({ HOME: dir, PATH: bin, ...extra });

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(binary, args, { cwd: dir, env: env(), encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

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
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(late);
  }
  cleanup();
});

test('the folder holds nothing but the binary, and neither PATH nor a parent folder offers node', () => {
  assert.deepEqual(readdirSync(dir).sort(), ['bin', name]);
  for (const folder of env().PATH.split(':'))
    assert.ok(!existsSync(join(folder, 'node')), `node in ${folder}`);
  for (let up = dir; ; up = dirname(up)) {
    assert.ok(!existsSync(join(up, 'node_modules')), `node_modules in ${up}`);
    if (dirname(up) === up) break;
  }
  const which = spawnSync('sh', ['-c', 'command -v node'], { env: env(), encoding: 'utf8' });
  assert.notEqual(which.status, 0, `node found: ${which.stdout}`);
});

let client: { client_id: string; client_secret: string };

test('the CLI works: scope add, client add, user add (argon2 on its worker thread), user list', () => {
  const scope = run(['scope', 'add', 'api:read', '--description', 'Read']);
  assert.equal(scope.code, 0, scope.stderr);
  const added = run([
    'client',
    'add',
    '--name',
    'Job',
    '--grant',
    'client_credentials',
    '--scope',
    'api:read',
    '--json',
  ]);
  assert.equal(added.code, 0, added.stderr);
  client = JSON.parse(added.stdout);
  const user = run(['user', 'add', '--email', 'ada@example.com', '--password', 'analytical engine 1843']);
  assert.equal(user.code, 0, user.stderr);
  const list = run(['user', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /ada@example\.com .* true\s*$/m);
  // The default database and secret, beside where it ran.
  assert.ok(existsSync(join(dir, 'data', 'latchkey.db')));
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
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['serve'], {
    cwd: dir,
    env: env({ HOST: '127.0.0.1', PORT: String(port), ISSUER: base }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });

  let discovery: Response | undefined;
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    discovery = await fetch(`${base}/.well-known/openid-configuration`).catch(() => undefined);
    if (discovery) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(discovery, `no answer from the binary: ${stderr}`);
  assert.equal(discovery.status, 200);
  assert.equal(((await discovery.json()) as { issuer: string }).issuer, base);

  const token = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=api%3Aread',
  });
  const body = (await token.json()) as { access_token?: string; scope?: string };
  assert.equal(token.status, 200, JSON.stringify(body));
  assert.equal(body.scope, 'api:read');
  assert.match(body.access_token ?? '', /^ey/);

  const css = await fetch(`${base}/assets/latchkey.css`);
  assert.equal(css.status, 200);
  assert.match(await css.text(), /\S/);
  const script = await fetch(`${base}/assets/show-password.js`);
  assert.equal(script.status, 200);
  assert.match(await script.text(), /password/);
  const login = await fetch(`${base}/login`);
  assert.ok(login.status < 500, `GET /login: ${login.status}`);
});
