import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Argon2Pool } from '../../src/crypto/argon2-pool.js';

const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** The nice value of each thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('argon2 worker pool', () => {
  const pool = new Argon2Pool(OPTIONS, 2);
  after(() => pool.close());

  it('hashes and verifies on its workers', async () => {
    const hash = await pool.hash('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await pool.verify(hash, 'correct horse battery staple'), true);
    assert.equal(await pool.verify(hash, 'wrong horse battery staple'), false);
  });

  it('queues more jobs than workers and answers each with its own result', async () => {
    const hash = await pool.hash('right password');
    const guesses = Array.from({ length: 9 }, (_, i) => (i % 3 === 0 ? 'right password' : `guess ${i}`));
    const results = await Promise.all(guesses.map((g) => pool.verify(hash, g)));
    assert.deepEqual(
      results,
      guesses.map((g) => g === 'right password'),
    );
    assert.equal(pool.waiting, 0);
  });

  it('fails a job with a bad stored value, and the worker goes on', async () => {
    await assert.rejects(pool.verify('not-an-argon2-hash', 'x'));
    const hash = await pool.hash('still working');
    assert.equal(await pool.verify(hash, 'still working'), true);
  });

  it('runs its workers at the lowest CPU priority, so the event loop wins the CPU (Linux)', async (t) => {
    if (process.platform !== 'linux') return t.skip('thread priorities are read from /proc');
    await pool.verify(await pool.hash('warm up'), 'warm up');
    const niced = threadNiceness().filter((n) => n === 19).length;
    assert.ok(niced >= 1, `expected a thread at nice 19, saw ${threadNiceness().join(',')}`);
    const main = readFileSync('/proc/self/stat', 'utf8');
    assert.equal(
      Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16]),
      0,
      'the main thread keeps nice 0',
    );
  });

  it('starts new workers after close()', async () => {
    await pool.close();
    const hash = await pool.hash('after close');
    assert.equal(await pool.verify(hash, 'after close'), true);
  });

  it('does not keep a process alive once its jobs are done (a CLI command exits at once)', () => {
    const module = fileURLToPath(new URL('../../src/crypto/argon2-pool.ts', import.meta.url));
    const script = `
      const { Argon2Pool } = await import(${JSON.stringify(module)});
      const pool = new Argon2Pool(${JSON.stringify(OPTIONS)}, 2);
      const hash = await pool.hash('exit test');
      console.log(await pool.verify(hash, 'exit test'));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-pool-'));
    const file = join(dir, 'exit.mts');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(run.signal, null, `timed out: the process did not exit (${run.stderr})`);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'true');
  });
});
