/**
 * Crash safety: the compiled server is killed with SIGKILL in the middle of a token and refresh load,
 * then restarted on the same SQLite file, several times over.
 *
 * After every kill: `PRAGMA integrity_check` is ok; no refresh family forked (each grant holds exactly
 * one unrotated refresh token, every rotated one has exactly one successor) and none was revoked.
 * After every restart: every access token a client received is still active at /introspect, and the
 * latest refresh token of every chain still works (once) — what a client was told was issued, was written.
 *
 * Reproduce a failure with the printed seed: `CRASH_SEED=<n> node --import tsx --test test/robustness/crash.test.ts`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent as HttpAgent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { basic, freePort, tempDir } from '../helpers/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'latchkey.mjs');
const SEED = Number(process.env['CRASH_SEED'] ?? 0x5eed);
const CYCLES = 3;
const LOOPS_PER_CLIENT = 3;

/** mulberry32: a small deterministic PRNG, so the kill times follow the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How the store keys a refresh token (src/crypto/hash.ts). */
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Client {
  id: string;
  secret: string;
  format: 'jwt' | 'opaque';
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
}

/** One refresh chain as the client sees it: the tokens it received, in order. */
interface Chain {
  client: Client;
  tokens: string[];
}

interface HttpResult {
  status: number;
  body: string;
}

describe('crash safety: SIGKILL under token load, restart on the same file', { timeout: 240_000 }, () => {
  const { dir, cleanup } = tempDir('latchkey-crash-');
  const dbPath = join(dir, 'latchkey.db');
  const secret = randomBytes(24).toString('base64url');
  const random = prng(SEED);
  let port = 0;
  let issuer = '';
  let server: ChildProcess | undefined;
  let serverLog = '';
  let agent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  const clients: Client[] = [];
  const user = { email: 'crash@example.test', password: 'crash-test-password-1' };

  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: issuer,
    LATCHKEY_DB: dbPath,
    LATCHKEY_SECRET: secret,
    LATCHKEY_THROTTLE: 'off',
    NODE_ENV: 'production',
  });

  const cli = (...args: string[]): Record<string, unknown> =>
    JSON.parse(
      execFileSync(process.execPath, [MAIN, ...args, '--json'], { env: env(), encoding: 'utf8' }),
    ) as Record<string, unknown>;

  function post(path: string, form: Record<string, string>, client: Client): Promise<HttpResult> {
    const body = new URLSearchParams(form).toString();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            authorization: basic(client.id, client.secret),
          },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            data += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  }

  async function startServer(): Promise<void> {
    serverLog = '';
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      cwd: ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      serverLog = (serverLog + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    server = child;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${serverLog}`);
      const ok = await fetch(`${issuer}/healthz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await sleep(50);
    }
    throw new Error(`the server did not answer /healthz in time: ${serverLog}`);
  }

  async function kill(): Promise<void> {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    server = undefined;
    agent.destroy();
    agent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  }

  before(async () => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    assert.ok(existsSync(MAIN), `${MAIN} is missing and could not be built`);
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    // A long reuse grace: a refresh whose response was lost in the kill is retried after the restart,
    // which must answer the successor that was written (SPEC §3), however slow the machine.
    for (const format of ['jwt', 'opaque'] as const) {
      const out = cli(
        'client',
        'add',
        '--name',
        `crash-${format}`,
        '--grant',
        'client_credentials',
        '--grant',
        'refresh_token',
        '--grant',
        'password',
        '--first-party',
        '--token-format',
        format,
        '--refresh-reuse-grace',
        '120',
      );
      clients.push({ id: out['client_id'] as string, secret: out['client_secret'] as string, format });
    }
    cli('user', 'add', '--email', user.email, '--password', user.password);
    await startServer();
  });

  after(async () => {
    await kill();
    agent.destroy();
    cleanup();
  });

  it(`keeps every issued token and never forks a refresh family across ${CYCLES} kills (seed ${SEED})`, async (t) => {
    const accessTokens: { token: string; client: Client }[] = [];
    const chains: Chain[] = [];
    let answered = 0;
    let lostResponses = 0;

    /** Runs until the server dies: password sign-in, then rotations of that chain; or client credentials. */
    const loop = async (
      client: Client,
      kind: 'refresh' | 'cc',
      existing: Chain | undefined,
      stop: { dead: boolean },
    ) => {
      let chain = existing;
      while (!stop.dead) {
        let res: HttpResult;
        const form: Record<string, string> =
          kind === 'cc'
            ? { grant_type: 'client_credentials' }
            : chain
              ? { grant_type: 'refresh_token', refresh_token: chain.tokens.at(-1)! }
              : {
                  grant_type: 'password',
                  username: user.email,
                  password: user.password,
                  scope: 'openid offline_access',
                };
        try {
          res = await post('/token', form, client);
        } catch {
          return; // the server is gone: this request may or may not have been written
        }
        assert.equal(res.status, 200, `${form['grant_type']} before the kill: ${res.status} ${res.body}`);
        answered++;
        const body = JSON.parse(res.body) as TokenResponse;
        accessTokens.push({ token: body.access_token, client });
        if (kind === 'refresh') {
          assert.ok(body.refresh_token, 'a refresh token');
          if (!chain) {
            chain = { client, tokens: [] };
            chains.push(chain);
          }
          chain.tokens.push(body.refresh_token);
        }
      }
    };

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // 1. Load, then SIGKILL at a random moment.
      const stop = { dead: false };
      const known = [...chains];
      const loops: Promise<void>[] = [];
      for (const client of clients) {
        for (let i = 0; i < LOOPS_PER_CLIENT; i++) {
          const carry = known.filter((c) => c.client === client)[i];
          loops.push(loop(client, 'refresh', carry, stop));
        }
        loops.push(loop(client, 'cc', undefined, stop));
      }
      const answeredBefore = answered;
      const killAfterMs = 300 + Math.floor(random() * 1200);
      // Under load from the first answer on, and with a refresh family written (a password grant hashes: a fresh
      // process on a loaded machine may take a while for either), then the kill at a random moment.
      const underLoad = () => answered > answeredBefore && chains.length > 0;
      const loaded = Date.now() + 20_000;
      while (!underLoad() && Date.now() < loaded) await sleep(10);
      const wasUnderLoad = underLoad();
      await sleep(killAfterMs);
      await kill();
      stop.dead = true;
      await Promise.all(loops);
      assert.ok(
        wasUnderLoad,
        `cycle ${cycle}: no answer, or no refresh family, within 20 s of the load starting`,
      );

      // 2. The file after the crash, before anything repairs it.
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `cycle ${cycle}: integrity_check`);
        assert.equal(
          (db.pragma('foreign_key_check') as unknown[]).length,
          0,
          `cycle ${cycle}: foreign_key_check`,
        );
        const families = db
          .prepare(
            'select grant_id as grantId, count(*) as n, sum(rotated_at is not null) as rotated from refresh_tokens group by grant_id',
          )
          .all() as { grantId: string; n: number; rotated: number }[];
        assert.ok(families.length > 0, 'refresh families were written');
        for (const f of families) {
          assert.equal(
            f.n,
            f.rotated + 1,
            `cycle ${cycle}: family ${f.grantId} forked or lost its head (${f.n} rows, ${f.rotated} rotated)`,
          );
        }
        const revoked = db.prepare('select count(*) as n from grants where revoked_at is not null').get() as {
          n: number;
        };
        assert.equal(
          revoked.n,
          0,
          `cycle ${cycle}: a family was revoked (refresh reuse) although no client reused a token`,
        );
        // Every refresh token a client received was written.
        const find = db.prepare('select rotated_at as rotatedAt from refresh_tokens where hash = ?');
        for (const chain of chains) {
          for (const token of chain.tokens) {
            const row = find.get(sha256(token)) as { rotatedAt: number | null } | undefined;
            assert.ok(row, `cycle ${cycle}: a refresh token the client received is not in the database`);
            // A rotation written but never answered: the retry after the restart must get its successor.
            if (token === chain.tokens.at(-1) && row.rotatedAt !== null) lostResponses++;
          }
        }
      } finally {
        db.close();
      }

      // 3. Restart on the same file, and check what the clients hold.
      await startServer();
      const inactive: string[] = [];
      const queue = [...accessTokens];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let next = queue.pop(); next; next = queue.pop()) {
            const res = await post('/introspect', { token: next.token }, next.client);
            assert.equal(res.status, 200, res.body);
            if (!(JSON.parse(res.body) as { active: boolean }).active)
              inactive.push(`${next.client.format}:${next.token.slice(0, 24)}…`);
          }
        }),
      );
      assert.deepEqual(
        inactive,
        [],
        `cycle ${cycle}: ${inactive.length} of ${accessTokens.length} access tokens are no longer active`,
      );

      for (const chain of chains) {
        const latest = chain.tokens.at(-1)!;
        const res = await post(
          '/token',
          { grant_type: 'refresh_token', refresh_token: latest },
          chain.client,
        );
        assert.equal(
          res.status,
          200,
          `cycle ${cycle}: the latest refresh token of a chain no longer works: ${res.body}`,
        );
        const body = JSON.parse(res.body) as TokenResponse;
        assert.ok(body.refresh_token && body.refresh_token !== latest);
        accessTokens.push({ token: body.access_token, client: chain.client });
        chain.tokens.push(body.refresh_token);
      }
    }
    t.diagnostic(
      `${answered} token answers before the kills, ${accessTokens.length} access tokens, ${chains.length} chains, ` +
        `${chains.reduce((n, c) => n + c.tokens.length, 0)} refresh tokens, ${lostResponses} rotations written but not answered`,
    );
    assert.ok(chains.length >= clients.length, `only ${chains.length} refresh chains were started`);
    assert.ok(accessTokens.length > 50, `only ${accessTokens.length} access tokens were issued`);
  });
});
