import { writeSync } from 'node:fs';

/** A line waits at most FLUSH_MS, or until the buffer is full. */
const BUFFER_BYTES = 64 * 1024;
const FLUSH_MS = 50;
/** Bytes held while the descriptor refuses writes (a full pipe): beyond this, new lines are counted and dropped. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const RETRY_MS = 20;

/**
 * Log lines to a file descriptor (stderr), written together: each line is encoded at once into one reusable
 * buffer, which is written when full or FLUSH_MS after its first line. A request line thus costs its bytes
 * copied, and a busy server makes one `write(2)` for hundreds of lines; no line is kept as a string, so none
 * outlives the young generation (queued strings were copied by every scavenge and promoted: ~3 µs a line).
 *
 * Synchronous writes like Node's own stderr for files and pipes: lines are never reordered, and what is
 * buffered when the process exits (a `process.exit`, the end of a CLI command, a crash's last line) is written
 * then; a SIGKILL loses at most FLUSH_MS of lines. A full pipe (`EAGAIN`) keeps the bytes for a retry, up to
 * MAX_BACKLOG_BYTES; past that new lines are dropped and counted (a warning line says how many), never held
 * without bound. A closed one (`EPIPE`) drops them.
 *
 * Why not pino's own destination (sonic-boom): it measures the byte length of its growing buffer on every
 * write, and writing per turn of the event loop cost ~3 µs a request on the server's event loop.
 */
export class LineWriter {
  #buf = Buffer.allocUnsafe(BUFFER_BYTES);
  #len = 0;
  /** What a full pipe refused, oldest first. */
  #backlog: Buffer[] = [];
  #backlogBytes = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly fd: number) {
    process.once('exit', () => this.flushSync());
  }

  write(line: string): boolean {
    // Three bytes a UTF-16 unit at most: a line that might not fit goes after what is buffered.
    if (line.length * 3 > BUFFER_BYTES - this.#len) {
      this.#flush();
      if (line.length * 3 > BUFFER_BYTES) {
        this.#send(Buffer.from(line));
        return true;
      }
    }
    this.#len += this.#buf.write(line, this.#len);
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS).unref();
    return true;
  }

  /** Everything buffered, now (the process is exiting): a full pipe is retried for up to a second. */
  flushSync(): void {
    const until = Date.now() + 1000;
    while (this.#backlog.length && Date.now() < until) this.#retry();
    this.#flush();
    while (this.#backlog.length && Date.now() < until) this.#retry();
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#len === 0) return;
    // Copied only when a write leaves some behind; the buffer is reused at once.
    const data = this.#buf.subarray(0, this.#len);
    this.#len = 0;
    this.#send(data);
  }

  /** Writes `data` after any backlog; what the descriptor refuses is copied into the backlog. */
  #send(data: Buffer): void {
    // While a retry is pending the pipe was full a moment ago: queue behind it rather than try again now.
    if (this.#backlog.length) {
      this.#keep(data);
      return;
    }
    const rest = this.#writeAll(data);
    if (rest) {
      this.#keep(rest);
      this.#scheduleRetry();
    }
  }

  #keep(data: Buffer): void {
    if (this.#backlogBytes + data.length > MAX_BACKLOG_BYTES) {
      this.#dropped += countLines(data);
      return;
    }
    this.#backlog.push(Buffer.from(data));
    this.#backlogBytes += data.length;
  }

  /** One retry timer at a time, however long the pipe stays full. */
  #scheduleRetry(): void {
    this.#retryTimer ??= setTimeout(() => {
      this.#retryTimer = undefined;
      this.#retry();
    }, RETRY_MS).unref();
  }

  #retry(): void {
    while (this.#backlog.length) {
      const head = this.#backlog[0] as Buffer;
      const rest = this.#writeAll(head);
      if (rest) {
        this.#backlog[0] = rest;
        this.#backlogBytes -= head.length - rest.length;
        this.#scheduleRetry();
        return;
      }
      this.#backlog.shift();
      this.#backlogBytes -= head.length;
    }
    if (this.#dropped) {
      const warning = Buffer.from(
        `{"level":"warn","time":"${new Date().toISOString()}","dropped":${this.#dropped},"msg":"log lines dropped: the log output was not being read"}\n`,
      );
      this.#dropped = 0;
      const rest = this.#writeAll(warning);
      if (rest) {
        // Past the cap on purpose: it is one short line, and it says what was lost.
        this.#backlog.push(Buffer.from(rest));
        this.#backlogBytes += rest.length;
        this.#scheduleRetry();
      }
    }
  }

  /** What is left of `data` when the descriptor would block; undefined when all of it was written (or lost). */
  #writeAll(data: Buffer): Buffer | undefined {
    let rest = data;
    while (rest.length) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return rest;
        return undefined; // EPIPE, EBADF: nobody reads this log any more; the lines are gone either way
      }
    }
    return undefined;
  }
}

const writers = new Map<number, LineWriter>();

/** The one writer of a file descriptor in this process: every log of the process shares it, in order. */
export function lineWriterFor(fd: number): LineWriter {
  let writer = writers.get(fd);
  if (!writer) {
    writer = new LineWriter(fd);
    writers.set(fd, writer);
  }
  return writer;
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
