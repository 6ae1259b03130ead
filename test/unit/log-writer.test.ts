import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jsonLog, requestLine } from '../../src/log.js';
import { LineWriter } from '../../src/log-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-log-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WRITER = fileURLToPath(new URL('../../src/log-writer.ts', import.meta.url));
const LOG = fileURLToPath(new URL('../../src/log.ts', import.meta.url));

/**
 * Runs a script in a child process whose stdout is a pipe this test reads, after `pauseMs` of not reading:
 * counted from the spawn, or, with `from`, from when the child writes that to its stderr (its start-up, tsx
 * included, takes its own time on a loaded machine).
 */
function child(
  script: string,
  pauseMs = 0,
  from?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    const read = () =>
      setTimeout(() => {
        proc.stdout.on('data', (d: Buffer) => out.push(d));
        proc.stdout.resume();
      }, pauseMs);
    let waiting = from !== undefined;
    proc.stderr.on('data', (d) => {
      stderr += d;
      if (waiting && stderr.includes(from!)) {
        waiting = false;
        read();
      }
    });
    proc.stdout.pause();
    if (!waiting) read();
    proc.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr }));
  });
}

describe('the log writer', () => {
  it('writes lines in order, together, within the flush interval', async () => {
    const file = join(dir, 'a.log');
    const fd = openSync(file, 'w');
    try {
      const w = new LineWriter(fd);
      for (let i = 0; i < 100; i++) w.write(`line ${i}\n`);
      assert.equal(readFileSync(file, 'utf8'), '', 'nothing written per line');
      await sleep(150);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.deepEqual(
        lines,
        Array.from({ length: 100 }, (_, i) => `line ${i}`),
      );
      // A burst past the buffer's 64 KiB goes out at once, not a flush interval later.
      const before = readFileSync(file, 'utf8').length;
      const big = `${'x'.repeat(1000)}\n`;
      for (let i = 0; i < 100; i++) w.write(big);
      const during = readFileSync(file, 'utf8').length;
      assert.ok(
        during - before >= 60 * big.length,
        `written while buffered past 64 KiB (${during - before})`,
      );
      assert.equal((during - before) % big.length, 0, 'whole lines only');
      w.flushSync();
      assert.equal(readFileSync(file, 'utf8').length, before + 100 * big.length);
      // One line longer than the buffer is written on its own, after what was buffered before it.
      w.write('short\n');
      w.write(`${'y'.repeat(100_000)}\n`);
      w.flushSync();
      assert.ok(readFileSync(file, 'utf8').endsWith(`short\n${'y'.repeat(100_000)}\n`));
    } finally {
      closeSync(fd);
    }
  });

  it('writes every queued line when the process exits at once, and waits for a slow reader of its pipe', async () => {
    // 20 000 lines (~1.3 MB, far past a pipe's 64 KiB) then process.exit: the parent does not read for 500 ms.
    const r = await child(
      `const { LineWriter } = await import(${JSON.stringify(WRITER)});
       const w = new LineWriter(1);
       for (let i = 0; i < 20000; i++) w.write(JSON.stringify({ i, pad: 'p'.repeat(40) }) + '\\n');
       process.exit(0);`,
      500,
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 20000);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { i: number }).i),
      Array.from({ length: 20000 }, (_, i) => i),
    );
  });

  it('holds what a full pipe refuses with one retry timer, and writes it all once the reader is back', async () => {
    // The parent reads nothing for 1.5 s while the child logs ~4 MB in bursts to a non-blocking stdout (a
    // net.Socket on fd 1 makes it so): writes fail with EAGAIN and the backlog grows. A retry timer per flush
    // would multiply (thousands of refused writes a second, growing); one timer at a time retries every 20 ms.
    const r = await child(
      `import fs from 'node:fs';
       import { syncBuiltinESMExports } from 'node:module';
       import net from 'node:net';
       const original = fs.writeSync;
       let refused = 0;
       fs.writeSync = (...args) => {
         try { return original(...args); } catch (err) { if (err.code === 'EAGAIN') refused++; throw err; }
       };
       syncBuiltinESMExports();
       const { lineWriterFor } = await import(${JSON.stringify(WRITER)});
       new net.Socket({ fd: 1, readable: false, writable: true });
       const w = lineWriterFor(1);
       let n = 0;
       const pad = 'p'.repeat(90);
       process.stderr.write('writing\\n');
       const timer = setInterval(() => { for (let i = 0; i < 200; i++) w.write(JSON.stringify({ n: n++, pad }) + '\\n'); }, 5);
       setTimeout(() => {
         clearInterval(timer);
         process.stderr.write('refused ' + refused + ' lines ' + n + '\\n');
       }, 1000);`,
      1500,
      'writing',
    );
    assert.equal(r.code, 0, r.stderr);
    const [, refused, lines] = /refused (\d+) lines (\d+)/.exec(r.stderr) ?? [];
    assert.ok(Number(refused) > 0, `the pipe was full (${r.stderr.trim()})`);
    assert.ok(Number(refused) <= 100, `one retry every 20 ms, not one per flush (${r.stderr.trim()})`);
    const got = r.stdout.trimEnd().split('\n');
    assert.equal(got.length, Number(lines), 'every line, none dropped under the 8 MiB cap');
    assert.deepEqual(
      got.map((line) => (JSON.parse(line) as { n: number }).n),
      Array.from({ length: Number(lines) }, (_, i) => i),
    );
  });

  it('the request line and pino lines share one stream, in order, each a JSON object', async () => {
    const r = await child(
      `const { jsonLog } = await import(${JSON.stringify(LOG)});
       const log = jsonLog('info');
       log.info('first', { n: 1 });
       log.request({ request_id: 'r1', method: 'GET', route: '/userinfo', status: 200, duration_ms: 1.5, client_id: 'we"ird\\\\id', user_id: 'u1' });
       log.warn('last', { password: 'hunter2' });`,
    );
    assert.equal(r.code, 0, r.stderr);
    // stderr: the server's log stream (SPEC says stdout; see the README).
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => l['msg']),
      ['first', 'request', 'last'],
    );
    assert.equal(lines[1]!['client_id'], 'we"ird\\id');
    assert.equal(lines[1]!['level'], 'info');
    assert.match(String(lines[1]!['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(lines[2]!['password'], '[redacted]');
  });

  it('requestLine has the fields pino would write, and omits unknown client and user', () => {
    const line = JSON.parse(
      requestLine({ request_id: 'abc', method: 'POST', route: '/token', status: 400, duration_ms: 0.25 }),
    ) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), [
      'level',
      'time',
      'request_id',
      'method',
      'route',
      'status',
      'duration_ms',
      'msg',
    ]);
    assert.equal(line['status'], 400);
    assert.equal(line['duration_ms'], 0.25);
    assert.equal(jsonLog('warn').request !== undefined, true);
  });
});
