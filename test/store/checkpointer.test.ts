import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startCheckpointer } from '../../src/store/sqlite/checkpointer.js';
import { openSqlite } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';

const tmp = tempDir('latchkey-checkpoint-');
after(() => tmp.cleanup());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const PAGE = 4096;

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

describe('background WAL checkpoints', () => {
  it('start only under write load, keep the WAL small off the event loop, and hand back on stop', async () => {
    const path = join(tmp.dir, 'wal.db');
    const db = openSqlite(path);
    db.exec('create table t (id integer primary key, v blob not null)');
    const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true }) as number;
    // The WAL-index header in the -shm file (sqlite/src/wal.c): mxFrame at byte 16, nBackfill at byte 96.
    const wal = () => {
      const shm = readFileSync(`${path}-shm`);
      return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) };
    };
    const checkpointer = startCheckpointer(db, path, {
      watchMs: 10,
      intervalMs: 10,
      startAtBytes: 256 * 1024,
    });

    await sleep(100);
    assert.equal(checkpointer.running, false, 'an idle database does not start the worker');
    assert.equal(autocheckpoint(), 1000);

    const insert = db.prepare('insert into t (v) values (?)');
    const blob = Buffer.alloc(PAGE - 200, 7);
    let inserted = 0;
    const write = (pages: number) => {
      for (let i = 0; i < pages; i++) insert.run(blob);
      inserted += pages;
    };
    while (!checkpointer.running) {
      write(20);
      await sleep(5);
    }
    assert.equal(autocheckpoint(), 10_000, 'the main connection keeps only a safety net');
    // ~24 MiB of page writes in small transactions (6,000 frames): while they go on, the worker copies
    // frames into the database file, and the WAL never reaches the main connection's 10,000-frame line.
    await sleep(300);
    for (let batch = 0; batch < 60; batch++) {
      write(100);
      assert.ok(wal().frames < 10_000, `${wal().frames} frames in the WAL`);
      await sleep(5);
    }
    // Once writes pause, the worker catches up with every frame; the next commit then rewinds the WAL,
    // so the main connection never copied a page itself.
    await until('the worker has copied every frame', () => wal().frames === wal().backfilled);
    write(1);
    assert.ok(wal().frames < 10, `the WAL was rewound: ${wal().frames} frames`);

    await checkpointer.stop();
    assert.equal(checkpointer.running, false);
    assert.equal(autocheckpoint(), 1000, 'SQLite checkpoints on its own again');
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(db.prepare('select count(*) as n from t').get(), { n: inserted });
    db.close();
  });

  it('falls back to SQLite’s own checkpoints when the worker fails', async () => {
    const path = join(tmp.dir, 'main.db');
    const db = openSqlite(path);
    db.exec('create table t (id integer primary key)');
    // The worker opens its path with fileMustExist: give it a WAL to see but no database to open.
    const missing = join(tmp.dir, 'missing.db');
    writeFileSync(`${missing}-wal`, Buffer.alloc(1024));
    const messages: string[] = [];
    const checkpointer = startCheckpointer(db, missing, {
      watchMs: 10,
      startAtBytes: 0,
      onError: (m) => messages.push(m),
    });
    await until('the worker reports its failure', () => messages.length > 0);
    await until('the worker is gone', () => !checkpointer.running);
    assert.match(messages[0]!, /missing\.db|not exist|unable to open/i);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await checkpointer.stop();
    db.close();
  });
});
