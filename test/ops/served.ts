import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '../helpers/net.js';

/** How a self-hoster runs latchkey: a command (the binary, or the installed `latchkey` bin) and its env. */
export interface Installed {
  command: string;
  cwd: string;
  env: Record<string, string>;
}

export function cli(app: Installed, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(app.command, args, { cwd: app.cwd, env: app.env, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** `scope add`, `client add` (client credentials) and `user add` + `user list` through the CLI. */
export function setUp(app: Installed): { client_id: string; client_secret: string } {
  const scope = cli(app, ['scope', 'add', 'api:read', '--description', 'Read']);
  assert.equal(scope.code, 0, scope.stderr);
  const added = cli(app, [
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
  const user = cli(app, [
    'user',
    'add',
    '--email',
    'ada@example.com',
    '--password',
    'analytical engine 1843',
  ]);
  assert.equal(user.code, 0, user.stderr);
  const list = cli(app, ['user', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /ada@example\.com .* true\s*$/m);
  return JSON.parse(added.stdout);
}

/** Stops what `serve` started: SIGTERM, then SIGKILL after 5 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(late);
}

/**
 * `serve` on a free loopback port answers discovery, a client-credentials token, the page assets and the
 * sign-in page; `started` receives the process at once so the caller's `after` can stop it on failure.
 */
export async function serveAndCheck(
  app: Installed,
  client: { client_id: string; client_secret: string },
  started: (child: ChildProcess) => void,
): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(app.command, ['serve'], {
    cwd: app.cwd,
    env: { ...app.env, HOST: '127.0.0.1', PORT: String(port), ISSUER: base },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  try {
    let discovery: Response | undefined;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      discovery = await fetch(`${base}/.well-known/openid-configuration`).catch(() => undefined);
      if (discovery) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(discovery, `no answer from ${app.command} serve: ${stderr}`);
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
  } finally {
    await stop(child);
  }
}
