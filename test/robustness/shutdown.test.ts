/**
 * Graceful shutdown of the compiled server (issue 16): SIGTERM in the middle of a burst of client-credentials
 * token requests, with one request whose body is still arriving. Every request that got an answer got a 200
 * or a clean JSON error (never a 500), the slow one is finished, the process exits 0 within the drain bound,
 * the WAL was folded into the file, and the database passes `PRAGMA integrity_check`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { Agent as HttpAgent, request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DRAIN_MS } from '../../src/server.js';
import { json } from '../cli/run.js';
import { type ServedProcess, serve } from '../helpers/served.js';
import { basic, freePort, tempDir } from '../helpers/server.js';

const WORKERS = 8;
const MAX_REQUESTS = 3_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: string;
}

function tokenRequest(
  port: number,
  agent: HttpAgent,
  client: { id: string; secret: string },
  slow?: { resume: Promise<void>; sent?: () => void },
): Promise<Answer> {
  const body = 'grant_type=client_credentials';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
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
        res.on('data', (d: string) => {
          data += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    if (!slow) {
      req.end(body);
      return;
    }
    req.write(body.slice(0, 10), () => slow.sent?.());
    void slow.resume.then(() => req.end(body.slice(10)));
  });
}

/** An answer is a token or a clean OAuth error in JSON: never a 500, never a page or a stack trace. */
function assertClean(answer: Answer): void {
  assert.notEqual(answer.status, 500, answer.body);
  const parsed = JSON.parse(answer.body) as { access_token?: unknown; error?: unknown };
  if (answer.status === 200) assert.equal(typeof parsed.access_token, 'string', answer.body);
  else assert.equal(typeof parsed.error, 'string', `${answer.status} ${answer.body}`);
}

describe('graceful shutdown of latchkey serve', { timeout: 120_000 }, () => {
  const { dir, cleanup } = tempDir('latchkey-shutdown-');
  let served: ServedProcess | undefined;
  after(async () => {
    await served?.kill();
    cleanup();
  });

  it('SIGTERM during a token burst: clean answers only, the slow request finished, exit 0, an intact database', async (t) => {
    const port = await freePort();
    const dbPath = join(dir, 'term.db');
    const env = {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      LATCHKEY_DB: dbPath,
      LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
      LATCHKEY_THROTTLE: 'off',
    };
    const added = await json(['client', 'add', '--name', 'burst', '--grant', 'client_credentials'], env);
    const client = { id: added['client_id'] as string, secret: added['client_secret'] as string };
    served = await serve(env);

    let resume!: () => void;
    const slow = tokenRequest(port, new HttpAgent(), client, {
      resume: new Promise<void>((r) => {
        resume = r;
      }),
    });
    const answers: Answer[] = [];
    const failures: string[] = [];
    let sent = 0;
    const agent = new HttpAgent({ keepAlive: true, maxSockets: WORKERS });
    const worker = async () => {
      while (sent < MAX_REQUESTS) {
        sent++;
        try {
          answers.push(await tokenRequest(port, agent, client));
        } catch (err) {
          // Refused or reset once shutdown began: no answer, which is allowed. The worker stops.
          failures.push((err as NodeJS.ErrnoException).code ?? String(err));
          return;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: WORKERS }, worker));
    const warm = Date.now() + 15_000;
    while (answers.length < 100 && Date.now() < warm && sent < MAX_REQUESTS) await sleep(10);
    assert.ok(answers.length > 0, `no answer before SIGTERM: ${served.log()}`);

    const signalledAt = Date.now();
    served.child.kill('SIGTERM');
    await sleep(200);
    resume();
    const slowAnswer = await slow;
    await workers;
    agent.destroy();
    const { code, signal } = await served.exited;
    const tookMs = Date.now() - signalledAt;

    const statuses = [...new Set(answers.map((a) => a.status))].join(',');
    t.diagnostic(
      `${answers.length} answered (${statuses}), ${failures.length} cut (${[...new Set(failures)].join(',')}), exit after ${tookMs} ms`,
    );
    assert.equal(signal, null, served.log());
    assert.equal(code, 0, served.log());
    assert.ok(tookMs < DRAIN_MS + 2_000, `took ${tookMs} ms to exit`);
    assert.equal(slowAnswer.status, 200, `the request in flight at SIGTERM is finished: ${slowAnswer.body}`);
    assertClean(slowAnswer);
    for (const answer of answers) assertClean(answer);
    assert.ok(
      answers.some((a) => a.status === 200),
      'tokens were issued during the burst',
    );
    assert.match(served.log(), /latchkey stopped/);
    assert.ok(
      failures.every((f) => /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/.test(f)),
      failures.join(', '),
    );

    // The WAL was checkpointed into the file (TRUNCATE), and the file alone is a sound database.
    assert.ok(!existsSync(`${dbPath}-wal`) || statSync(`${dbPath}-wal`).size === 0, 'no WAL left behind');
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });

  it('SIGINT (Ctrl-C) on an idle server: exit 0', async () => {
    const port = await freePort();
    served = await serve({
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      LATCHKEY_DB: join(dir, 'int.db'),
      LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    });
    served.child.kill('SIGINT');
    const { code } = await served.exited;
    assert.equal(code, 0, served.log());
    assert.match(served.log(), /"signal":"SIGINT"/);
  });

  it('a second Ctrl-C while a request holds the drain: exit 1 at once', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      LATCHKEY_DB: join(dir, 'twice.db'),
      LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
    };
    const added = await json(['client', 'add', '--name', 'slow', '--grant', 'client_credentials'], env);
    served = await serve(env);
    // A request whose body never ends keeps the drain waiting (up to DRAIN_MS).
    let sent = () => {};
    const written = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const held = tokenRequest(
      port,
      new HttpAgent(),
      { id: added['client_id'] as string, secret: added['client_secret'] as string },
      { resume: new Promise<void>(() => {}), sent },
    ).catch(() => undefined);
    await written; // its headers and the first bytes are on the wire: the server has them at its next turn
    await sleep(200);
    served.child.kill('SIGINT');
    await sleep(300);
    assert.equal(served.child.exitCode, null, 'still draining after the first Ctrl-C');
    served.child.kill('SIGINT');
    const { code } = await served.exited;
    assert.equal(code, 1, served.log());
    assert.match(served.log(), /a second Ctrl-C/);
    await held;
  });
});
