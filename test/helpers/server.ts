import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import type { Hono } from 'hono';
import { type ClientInput, createClient } from '../../src/admin/clients.js';
import { createUser, type UserInput } from '../../src/admin/users.js';
import { createApp } from '../../src/app.js';
import { type Clock, FakeClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type Deps } from '../../src/deps.js';
import { jsonLog, type Log } from '../../src/log.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { start } from '../../src/start.js';
import { isPostgresUrl } from '../../src/store/dialect.js';

export { freePort } from './net.js';

import { freePort } from './net.js';
import { startPostgres, type TestPostgres } from './postgres.js';

/**
 * `LATCHKEY_TEST_PG=1`: the helpers open a fresh database on a real PostgreSQL (issue 18) instead of SQLite, to
 * run the HTTP tests against the PostgreSQL store. One server for the test process, started on first use and
 * stopped in the root `after` (and at exit, should a test leave early). A test that names its own `LATCHKEY_DB`
 * (a file) keeps it.
 */
export const onPostgres = process.env['LATCHKEY_TEST_PG'] === '1';

let postgres: Promise<TestPostgres> | undefined;
if (onPostgres) after(async () => (await postgres)?.stop());

/** A new, empty database on the test process's PostgreSQL server. */
async function postgresDatabase(): Promise<string> {
  postgres ??= startPostgres().then((pg) => {
    process.once('exit', () => pg.stop());
    return pg;
  });
  return (await postgres).newDatabase();
}

const databases = new Map<string, Promise<string>>();

/**
 * The database a helper opens: the test's `LATCHKEY_DB` (else `wanted`) on SQLite. Under `LATCHKEY_TEST_PG=1`,
 * `:memory:` is a fresh PostgreSQL database, and a file names one for the process: a test that opens it again (a
 * restart) finds its rows. A test that reads the file itself, or opens it with SQLite, cannot pass there.
 */
async function database(env: Record<string, string>, wanted: string): Promise<string> {
  const given = env['LATCHKEY_DB'] ?? wanted;
  if (!onPostgres || isPostgresUrl(given)) return given;
  if (given === ':memory:') return postgresDatabase();
  const path = resolve(given);
  let url = databases.get(path);
  if (!url) {
    url = postgresDatabase();
    databases.set(path, url);
  }
  return url;
}

export function tempDir(prefix = 'latchkey-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Helpers {
  deps: Deps;
  addClient(input: Partial<ClientInput>): Promise<{ id: string; secret?: string }>;
  addUser(input: Partial<UserInput>): Promise<{ id: string; email: string; password: string }>;
}

function helpers(deps: Deps): Helpers {
  let n = 0;
  return {
    deps,
    async addClient(input) {
      const { client, secret } = await createClient(deps, { name: `Test client ${++n}`, ...input });
      return secret ? { id: client.id, secret } : { id: client.id };
    },
    async addUser(input) {
      const password = input.password ?? `pw-${randomBytes(6).toString('hex')}`;
      const email = input.email ?? `user-${randomBytes(4).toString('hex')}@example.test`;
      const user = await createUser(deps, { ...input, email, password });
      return { id: user.id, email: user.email, password };
    },
  };
}

export interface TestServer extends Helpers {
  url: string;
  issuer: string;
  server: RunningServer;
  dbPath: string;
  close(): Promise<void>;
}

/** The real server on a loopback port with a temp database (silent, real clock unless `options` say otherwise). */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { log?: Log; clock?: Clock } = {},
): Promise<TestServer> {
  const { dir, cleanup } = tempDir();
  const port = await freePort();
  const dbPath = join(dir, 'latchkey.db');
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    ...env,
    LATCHKEY_DB: await database(env, dbPath),
  });
  const server = await startServer(config, {
    log: options.log ?? jsonLog('silent'),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    ...helpers(server.deps),
    url: server.url,
    issuer: config.issuer,
    server,
    dbPath,
    async close() {
      await server.close();
      cleanup();
    },
  };
}

export interface TestApp extends Helpers {
  app: Hono;
  clock: FakeClock;
  issuer: string;
  /** `app.request` with the issuer's origin. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The app in process (`app.request`), an in-memory database and a clock the test moves. */
export async function testApp(env: Record<string, string> = {}): Promise<TestApp> {
  const clock = new FakeClock();
  const config = loadConfig({
    ISSUER: 'http://localhost:3000',
    LATCHKEY_SECRET: 'test-secret-test-secret-test-secret',
    ...env,
    LATCHKEY_DB: await database(env, ':memory:'),
  });
  const deps = await buildDeps(config, { clock, log: jsonLog('silent') });
  await start(deps);
  const app = createApp(deps);
  return {
    ...helpers(deps),
    app,
    clock,
    issuer: config.issuer,
    request: async (path, init) => app.request(new URL(path, config.issuer).toString(), init),
    close: () => deps.store.close(),
  };
}

/** `application/x-www-form-urlencoded` POST init. */
export function form(body: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  };
}

export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}
