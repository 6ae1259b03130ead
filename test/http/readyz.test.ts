/**
 * `/readyz` (issue 16, SPEC §3): 200 only when the database takes writes and the signing keys open; else 503
 * with the reason. `/healthz` stays the liveness check. Each unready state is a real one: a connection SQLite
 * holds read-only, a secret that does not open the keys, and (the compiled server, as an unprivileged user)
 * a database file and folder made read-only under the running server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createApp } from '../../src/app.js';
import { buildDeps } from '../../src/deps.js';
import { jsonLog } from '../../src/log.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { BIN, ensureBuilt, type ServedProcess, serve } from '../helpers/served.js';
import { basic, form, freePort, startTestServer } from '../helpers/server.js';

async function readyz(url: string): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(new URL('/readyz', url));
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
}

describe('/readyz', () => {
  it('200 normally; 503 "database is read-only" while SQLite holds the connection read-only, and writes answer 503, not 500', async () => {
    const t = await startTestServer();
    try {
      assert.deepEqual(await readyz(t.url), { status: 200, body: { status: 'ok' } });
      const client = await t.addClient({ grants: ['client_credentials'], tokenFormat: 'opaque' });
      const raw = (t.server.deps.store as SqliteStore).raw;
      raw.pragma('query_only = ON');
      assert.deepEqual(await readyz(t.url), {
        status: 503,
        body: { status: 'unavailable', reason: 'database is read-only' },
      });
      assert.equal((await fetch(new URL('/healthz', t.url))).status, 200, 'alive all the same');
      // An opaque access token is a row: the write is refused, and the client is told to come back.
      const res = await fetch(
        new URL('/token', t.url),
        form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
      );
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: string }).error, 'temporarily_unavailable');
      raw.pragma('query_only = OFF');
      assert.equal((await readyz(t.url)).status, 200);
    } finally {
      await t.close();
    }
  });

  it('503 "signing keys are not loaded" when the secret does not open the keys', async () => {
    const t = await startTestServer();
    try {
      const other = await buildDeps(
        { ...t.server.deps.config, secret: randomBytes(32).toString('base64url') },
        { store: t.server.deps.store, log: jsonLog('silent') },
      );
      const res = await createApp(other).request(new URL('/readyz', t.issuer).toString());
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'unavailable', reason: 'signing keys are not loaded' });
    } finally {
      await t.close();
    }
  });
});

// Root writes whatever the mode bits say: the server runs as an unprivileged user for the mode to count.
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
/** Whether `nobody` can run the built CLI here (a checkout under a private home folder, say, it cannot). */
function nobodyCanRun(): boolean {
  ensureBuilt();
  try {
    execFileSync(process.execPath, [BIN, '--help'], {
      uid: NOBODY,
      gid: NOBODY,
      stdio: 'ignore',
      timeout: 20_000,
    });
    return true;
  } catch {
    return false;
  }
}
const skip =
  asRoot && !nobodyCanRun() ? 'running as root, and user nobody cannot run dist/latchkey.mjs' : false;

describe('/readyz of the compiled server when its database is made read-only under it', {
  timeout: 60_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-readyz-'));
  let served: ServedProcess | undefined;
  after(async () => {
    await served?.kill();
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('503 with the reason while the file, then the folder, is read-only; 200 once writable again; then a clean exit', {
    skip,
  }, async () => {
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    const port = await freePort();
    const dbPath = join(dir, 'latchkey.db');
    served = await serve(
      {
        PORT: String(port),
        ISSUER: `http://127.0.0.1:${port}`,
        LATCHKEY_DB: dbPath,
        LATCHKEY_SECRET: randomBytes(24).toString('base64url'),
      },
      asRoot ? { uid: NOBODY, gid: NOBODY } : {},
    );
    assert.deepEqual(await readyz(served.url), { status: 200, body: { status: 'ok' } });

    chmodSync(dbPath, 0o400);
    assert.deepEqual(await readyz(served.url), {
      status: 503,
      body: { status: 'unavailable', reason: 'database is read-only' },
    });
    chmodSync(dbPath, 0o600);
    assert.equal((await readyz(served.url)).status, 200);

    chmodSync(dir, 0o500);
    assert.deepEqual(await readyz(served.url), {
      status: 503,
      body: { status: 'unavailable', reason: "database's folder is read-only" },
    });
    chmodSync(dir, 0o700);
    assert.equal((await readyz(served.url)).status, 200);

    served.child.kill('SIGTERM');
    assert.equal((await served.exited).code, 0, served.log());
  });
});
