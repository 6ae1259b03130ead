import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { modulePath } from '../paths.js';
import { lowerOwnPriority } from '../worker-source.js';

/**
 * argon2id on dedicated worker threads running at the lowest CPU priority (nice 19).
 *
 * A login storm must not starve the event loop: discovery, token and introspection requests should keep
 * answering at about their quiet latency. Capping argon2 at (cores - 1) did that, but left a core idle
 * whenever the event loop had nothing to do. Here argon2 may use every core, and the kernel gives the
 * event loop the CPU whenever it wants it, because every argon2 thread is niced. libuv's shared thread
 * pool cannot be reniced on its own (its threads are not identifiable), so the work runs on our own
 * threads, with @node-rs/argon2's synchronous API.
 *
 * The workers start on first use and are unreferenced while idle, so a CLI command still exits at once.
 */

type Op = { op: 'hash'; password: string } | { op: 'verify'; stored: string; password: string };
type Reply = { ok: true; value: string | boolean } | { ok: false; message: string };

const WORKER_SOURCE = `${lowerOwnPriority(19)}
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
parentPort.on('message', (job) => {
  try {
    const value = job.op === 'hash'
      ? argon2.hashSync(job.password, workerData.options)
      : argon2.verifySync(job.stored, job.password);
    parentPort.postMessage({ ok: true, value });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String((err && err.message) || err) });
  }
});
`;

interface Job {
  op: Op;
  resolve: (value: string | boolean) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job | undefined;
}

export class Argon2Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];

  constructor(
    private readonly options: object,
    private readonly size = availableParallelism(),
  ) {}

  hash(password: string): Promise<string> {
    return this.run({ op: 'hash', password }) as Promise<string>;
  }

  verify(stored: string, password: string): Promise<boolean> {
    return this.run({ op: 'verify', stored, password }) as Promise<boolean>;
  }

  /** Jobs waiting for a free worker. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Workers running a job now. */
  get busy(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.job) n++;
    return n;
  }

  async close(): Promise<void> {
    const workers = this.slots.splice(0).map((s) => s.worker);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private run(op: Op): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot =
        this.slots.find((s) => !s.job) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.op);
    }
  }

  /** Ends the slot's job; an idle worker does not keep the process alive. */
  private finish(slot: Slot): Job | undefined {
    const job = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    return job;
  }

  private spawn(): Slot {
    const argon2 = modulePath('@node-rs/argon2');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { argon2, options: this.options },
      // Each worker only runs argon2 (its memory is native, outside the heap): a small heap is plenty.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const job = this.finish(slot);
      if (reply.ok) job?.resolve(reply.value);
      else job?.reject(new Error(reply.message));
      this.dispatch();
    });
    const fail = (err: Error) => {
      // A dead worker fails its own job (the caller sees a failed check); a new one takes its place.
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      this.finish(slot)?.reject(err);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`argon2 worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
