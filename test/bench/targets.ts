// The servers under test: latchkey (compiled), the oidc-provider peer and the bare Hono ceiling, each in its
// own process on a free loopback port with its own temp state.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Credentials } from './http.js';
import { send } from './http.js';
import { freePort, type Proc, runNode, runNodeSync, sleep, spawnNode, tempDir } from './procs.js';

export const REDIRECT_URI = 'http://127.0.0.1:9/cb';
export const LATCHKEY_MAIN = 'dist/latchkey.mjs';
/** The single binary (`npm run build:binary`). */
export const LATCHKEY_BINARY = `dist/latchkey-${process.platform}-${process.arch}`;
export const DISCOVERY = '/.well-known/openid-configuration';

export interface ClientCreds {
  id: string;
  secret: string;
}

export interface Target {
  /** Short name used in tables. */
  label: string;
  /** `postgres`: latchkey on PostgreSQL, one node or several (issue 18). */
  kind: 'latchkey' | 'peer' | 'ceiling' | 'postgres';
  /** The (first) server process; `base` is its URL. */
  proc: Proc;
  base: string;
  /** Every node of a multi-node target (the first is `proc`): load is split between them, CPU summed. */
  nodes?: Proc[];
  /** The database server's CPU time in µs (the PostgreSQL cluster), read around each window. */
  dbCpu?: () => number;
  paths: {
    discovery: string;
    jwks: string;
    token: string;
    introspect: string;
    authorize: string;
    userinfo: string;
  };
  /** client_credentials (and introspection of its own tokens). */
  cc?: ClientCreds;
  /** authorization_code + refresh_token, redirect URI REDIRECT_URI. */
  web?: ClientCreds;
  /** password + refresh_token, first party (latchkey only). */
  app?: ClientCreds;
  /** Why a client could not be created (shown when its scenarios are skipped). */
  setupNotes: string[];
  user?: Credentials;
  /** Scope asked for user tokens, and extra authorization parameters. */
  userScope: string;
  authorizeExtra: Record<string, string>;
}

export async function waitReady(proc: Proc, path: string, timeoutMs = 30_000): Promise<number> {
  const url = proc.url + path;
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.logTail()}`,
      );
    }
    try {
      const res = await send(url, { headers: { connection: 'close' } });
      if (res.status === 200) return performance.now() - proc.spawnedAt;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  throw new Error(`${proc.name} did not answer ${path} within ${timeoutMs} ms:\n${proc.logTail()}`);
}

// --- latchkey ----------------------------------------------------------------------------------------------

export interface LatchkeyDb {
  dir: string;
  dbPath: string;
  env: Record<string, string>;
  cc: ClientCreds;
  web?: ClientCreds;
  app?: ClientCreds;
  user: Credentials;
  notes: string[];
}

function cli(env: Record<string, string>, args: string[]): Record<string, unknown> {
  return JSON.parse(runNodeSync([LATCHKEY_MAIN, ...args, '--json'], env)) as Record<string, unknown>;
}

const creds = (out: Record<string, unknown>): ClientCreds => ({
  id: String(out['client_id']),
  secret: String(out['client_secret']),
});

/**
 * A fresh database with the bench clients and user, all made through the CLI (as an operator would).
 * @param idTokenAlg the ID-token algorithm of the code-flow and password-grant clients (latchkey's default if unset).
 * @param dbUrl a `postgres://` URL of an empty database instead of a SQLite file in the temp dir.
 */
export function prepareLatchkeyDb(
  prefix = 'latchkey-bench-',
  idTokenAlg?: string,
  dbUrl?: string,
): LatchkeyDb {
  const algArgs = idTokenAlg ? ['--id-token-alg', idTokenAlg] : [];
  const dir = tempDir(prefix);
  const dbPath = dbUrl ?? join(dir, 'latchkey.db');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LATCHKEY_DB: dbPath,
    LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    LATCHKEY_THROTTLE: 'off',
    ...(process.env['BENCH_LOG'] ? { LATCHKEY_LOG_LEVEL: process.env['BENCH_LOG'] } : {}),
  };
  const notes: string[] = [];
  const cc = creds(cli(env, ['client', 'add', '--name', 'bench', '--grant', 'client_credentials']));
  let web: ClientCreds | undefined;
  let app: ClientCreds | undefined;
  try {
    web = creds(
      cli(env, [
        'client',
        'add',
        '--name',
        'bench-web',
        '--redirect-uri',
        REDIRECT_URI,
        '--grant',
        'authorization_code',
        '--grant',
        'refresh_token',
        ...algArgs,
      ]),
    );
  } catch (err) {
    notes.push(`code-flow client: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    app = creds(
      cli(env, [
        'client',
        'add',
        '--name',
        'bench-app',
        '--grant',
        'password',
        '--grant',
        'refresh_token',
        '--first-party',
        ...algArgs,
      ]),
    );
  } catch (err) {
    notes.push(`password-grant client: ${(err as Error).message.split('\n')[0]}`);
  }
  const user = { username: 'bench@bench.test', password: `Bench-${randomBytes(9).toString('base64url')}-pw` };
  cli(env, ['user', 'add', '--email', user.username, '--password', user.password, '--name', 'Bench User']);
  return { dir, dbPath, env, cc, ...(web ? { web } : {}), ...(app ? { app } : {}), user, notes };
}

/** `latchkey seed` into an existing database; returns seconds taken. */
export async function seedLatchkeyDb(db: LatchkeyDb, users: number, tokens: number): Promise<number> {
  const t0 = performance.now();
  const res = await runNode(
    [LATCHKEY_MAIN, 'seed', '--users', String(users), '--tokens', String(tokens), '--json'],
    db.env,
  );
  if (res.code !== 0) throw new Error(`latchkey seed failed (${res.code}): ${res.stderr.slice(0, 2000)}`);
  return (performance.now() - t0) / 1000;
}

/** @param issuer the ISSUER when not the process's own URL (the nodes of one deployment share one). */
export async function spawnLatchkey(
  label: string,
  db: LatchkeyDb,
  logDir: string,
  issuer?: string,
): Promise<Proc> {
  const port = await freePort();
  return spawnNode(label, [LATCHKEY_MAIN, 'serve'], {
    port,
    logDir,
    env: { ...db.env, ISSUER: issuer ?? `http://127.0.0.1:${port}` },
  });
}

/** The single binary serving the same database (its native addons in a cache folder under `db.dir`). */
export async function spawnLatchkeyBinary(label: string, db: LatchkeyDb, logDir: string): Promise<Proc> {
  const port = await freePort();
  return spawnNode(label, ['serve'], {
    command: LATCHKEY_BINARY,
    port,
    logDir,
    env: { ...db.env, ISSUER: `http://127.0.0.1:${port}`, XDG_CACHE_HOME: join(db.dir, 'cache') },
  });
}

export function latchkeyTarget(label: string, proc: Proc, db: LatchkeyDb): Target {
  return {
    label,
    kind: 'latchkey',
    proc,
    base: proc.url,
    // SPEC §3 paths: the plug-in endpoints are probed (404 = not available yet) rather than read from
    // discovery, which only lists what is mounted.
    paths: {
      discovery: DISCOVERY,
      jwks: '/jwks',
      token: '/token',
      introspect: '/introspect',
      authorize: '/authorize',
      userinfo: '/userinfo',
    },
    cc: db.cc,
    ...(db.web ? { web: db.web } : {}),
    ...(db.app ? { app: db.app } : {}),
    setupNotes: db.notes,
    user: db.user,
    userScope: 'openid profile email offline_access',
    authorizeExtra: {},
  };
}

export async function startLatchkey(label: string, db: LatchkeyDb, logDir: string): Promise<Target> {
  const proc = await spawnLatchkey(label, db, logDir);
  await waitReady(proc, DISCOVERY);
  return latchkeyTarget(label, proc, db);
}

/**
 * `n` latchkey processes on one PostgreSQL database, as a `postgres` target whose load is split between the
 * nodes. Like N nodes behind a load balancer they share LATCHKEY_SECRET and the issuer (the first node's URL
 * stands for the balancer's), so a token issued by one is accepted by the others; the sign-in pages redirect
 * by path, so a browser stays on the node it started on.
 */
export async function startLatchkeyNodes(
  label: string,
  db: LatchkeyDb,
  logDir: string,
  n: number,
  dbCpu: () => number,
): Promise<Target> {
  const nodes: Proc[] = [];
  try {
    // One after the other: the first runs the migrations (the others would wait on the advisory lock anyway).
    for (let i = 0; i < n; i++) {
      const proc = await spawnLatchkey(`${label} node ${i + 1}`, db, logDir, nodes[0]?.url);
      nodes.push(proc);
      await waitReady(proc, DISCOVERY);
    }
  } catch (err) {
    await Promise.all(nodes.map((p) => p.stop()));
    throw err;
  }
  return { ...latchkeyTarget(label, nodes[0]!, db), kind: 'postgres', nodes, dbCpu };
}

// --- the peer ----------------------------------------------------------------------------------------------

export interface PeerSetup {
  configFile: string;
  client: ClientCreds;
}

/** Keys are made here, once, so the peer's start-up is not charged for RSA key generation. */
export function preparePeer(dir: string): PeerSetup {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const client = { id: 'bench', secret: randomBytes(32).toString('base64url') };
  const configFile = join(dir, 'peer-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      client_id: client.id,
      client_secret: client.secret,
      redirect_uri: REDIRECT_URI,
      // ES256 first: the default signing key, like latchkey's; RS256 too, as latchkey's JWKS has both.
      jwks: {
        keys: [
          { ...ec, kid: 'es256-1', alg: 'ES256', use: 'sig' },
          { ...rsa, kid: 'rs256-1', alg: 'RS256', use: 'sig' },
        ],
      },
      cookie_keys: [randomBytes(32).toString('base64url')],
    }),
  );
  return { configFile, client };
}

export async function spawnPeer(label: string, setup: PeerSetup, logDir: string): Promise<Proc> {
  const port = await freePort();
  return spawnNode(label, ['test/bench/peer-oidc-provider.js'], {
    port,
    logDir,
    env: { NODE_ENV: 'production', ISSUER: `http://127.0.0.1:${port}`, PEER_CONFIG: setup.configFile },
  });
}

export async function peerTarget(label: string, proc: Proc, setup: PeerSetup): Promise<Target> {
  const meta = JSON.parse((await send(proc.url + DISCOVERY)).body) as Record<string, string>;
  const path = (k: string, fallback: string) => (meta[k] ? new URL(meta[k]).pathname : fallback);
  return {
    label,
    kind: 'peer',
    proc,
    base: proc.url,
    paths: {
      discovery: DISCOVERY,
      jwks: path('jwks_uri', '/jwks'),
      token: path('token_endpoint', '/token'),
      introspect: path('introspection_endpoint', '/token/introspection'),
      authorize: path('authorization_endpoint', '/auth'),
      userinfo: path('userinfo_endpoint', '/me'),
    },
    cc: setup.client,
    web: setup.client,
    setupNotes: [],
    // Its dev interactions accept any login and password.
    user: { username: 'bench-user', password: 'any' },
    userScope: 'openid profile email offline_access',
    // oidc-provider drops offline_access (no refresh token) unless consent is prompted for.
    authorizeExtra: { prompt: 'consent' },
  };
}

export async function startPeer(label: string, setup: PeerSetup, logDir: string): Promise<Target> {
  const proc = await spawnPeer(label, setup, logDir);
  await waitReady(proc, DISCOVERY);
  return peerTarget(label, proc, setup);
}

// --- the ceiling -------------------------------------------------------------------------------------------

/** A bare Hono app serving `docs` ({ path: body }) as static JSON. */
export async function startCeiling(
  label: string,
  docs: Record<string, string>,
  dir: string,
): Promise<Target> {
  const docsFile = join(dir, 'ceiling-docs.json');
  writeFileSync(docsFile, JSON.stringify(docs));
  const port = await freePort();
  const proc = spawnNode(label, ['--import', 'tsx', 'test/bench/ceiling-hono.ts'], {
    port,
    logDir: dir,
    env: { NODE_ENV: 'production', CEILING_DOCS: docsFile },
  });
  const first = Object.keys(docs)[0]!;
  await waitReady(proc, first);
  return {
    label,
    kind: 'ceiling',
    proc,
    base: proc.url,
    paths: {
      discovery: DISCOVERY,
      jwks: '/jwks',
      token: '',
      introspect: '',
      authorize: '',
      userinfo: '',
    },
    setupNotes: [],
    userScope: '',
    authorizeExtra: {},
  };
}
