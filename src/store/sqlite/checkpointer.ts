import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { modulePath } from '../../paths.js';
import { lowerOwnPriority } from '../../worker-source.js';

/**
 * WAL checkpoints off the event loop.
 *
 * better-sqlite3 is synchronous, so SQLite's automatic checkpoint (every 1,000 WAL pages, run by whichever
 * commit crosses the line) copies megabytes of pages into the database file while every request waits.
 * Under write load that is a stall every second or two; on a large file the copies are random writes and
 * the stalls grow. Here a worker thread with its own connection runs PASSIVE checkpoints, which never
 * block readers or writers, and the main connection's automatic checkpoint is raised to a safety net that
 * only fires if the worker falls far behind or dies.
 *
 * The worker costs a V8 isolate (about 15 MiB), so it starts only once the WAL shows real write load; an
 * idle server never starts it.
 */

const WORKER_SOURCE = `${lowerOwnPriority(10)}
const { parentPort, workerData } = require('node:worker_threads');
let db;
try {
  db = new (require(workerData.driver))(workerData.path, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch (err) {
  parentPort.postMessage(String((err && err.message) || err));
  process.exit(1);
}
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String((err && err.message) || err));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The WAL size at which the worker starts: a few hundred pages written since start-up. */
const START_AT_BYTES = 2 * 1024 * 1024;
/** While the worker runs, the main connection checkpoints only past this many pages (~40 MiB). */
const SAFETY_NET_PAGES = 10_000;
const DEFAULT_PAGES = 1_000;

export interface CheckpointerOptions {
  intervalMs?: number;
  /** How often to look at the WAL's size before the worker has started. */
  watchMs?: number;
  startAtBytes?: number;
  onError?: (message: string) => void;
}

export function startCheckpointer(
  sqlite: Database.Database,
  path: string,
  options: CheckpointerOptions = {},
): { stop: () => Promise<void>; readonly running: boolean } {
  let worker: Worker | undefined;
  let stopped = false;

  const start = () => {
    const driver = modulePath('better-sqlite3');
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, intervalMs: options.intervalMs ?? 100 },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
    });
    w.unref();
    w.on('message', (message: string) => options.onError?.(message));
    const fallBack = () => {
      // Without the worker, SQLite's own automatic checkpoint takes over again.
      if (worker !== w) return;
      worker = undefined;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`);
    };
    w.on('error', (err) => {
      options.onError?.(String((err as Error | undefined)?.message ?? err));
      fallBack();
    });
    w.on('exit', fallBack);
    worker = w;
    sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  };

  const walFile = `${path}-wal`;
  const threshold = options.startAtBytes ?? START_AT_BYTES;
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(walFile).size;
    } catch {
      return;
    }
    if (size < threshold || stopped) return;
    clearInterval(watch);
    start();
  }, options.watchMs ?? 1_000);
  watch.unref();

  return {
    get running() {
      return worker !== undefined;
    },
    stop: async () => {
      stopped = true;
      clearInterval(watch);
      const w = worker;
      worker = undefined;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.ref(); // until it has exited: the caller awaits it
      w.postMessage('stop');
      const late = setTimeout(() => void w.terminate(), 2_000);
      late.unref();
      await exited;
      clearTimeout(late);
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_PAGES}`);
    },
  };
}
