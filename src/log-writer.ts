import { writeSync } from 'node:fs';

/** Lines held while the file descriptor refuses writes (a full pipe): beyond this, new lines are counted and dropped. */
const MAX_QUEUED_CHARS = 8 * 1024 * 1024;
const RETRY_MS = 20;
/** A line waits at most this long, or until this much is queued. */
const FLUSH_MS = 50;
const FLUSH_CHARS = 64 * 1024;

/**
 * Log lines to a file descriptor (stderr), written together once per turn of the event loop: a request line
 * costs a string in an array, and a busy server makes one `write(2)` for many lines. Synchronous like Node's
 * own stderr for files and pipes, so a line is never reordered, and what is queued when the process exits is
 * written then. A pipe that is full (`EAGAIN`) keeps the lines for a retry; past MAX_QUEUED_CHARS they are
 * dropped and counted, never held without bound; a closed one (`EPIPE`) drops them.
 *
 * Why not pino's own destination (sonic-boom): it measures the byte length of its growing buffer on every
 * write, ~4 µs a request line on the server's event loop; this costs ~1 µs.
 */
export class LineWriter {
  #queue: string[] = [];
  #chars = 0;
  #dropped = 0;
  #scheduled = false;
  #waiting = false;

  constructor(private readonly fd: number) {
    process.once('exit', () => this.flushSync());
  }

  write(line: string): boolean {
    if (this.#chars + line.length > MAX_QUEUED_CHARS) {
      this.#dropped++;
      return false;
    }
    this.#queue.push(line);
    this.#chars += line.length;
    if (this.#chars >= FLUSH_CHARS && !this.#waiting) this.#drain(false);
    else if (!this.#scheduled && !this.#waiting) {
      this.#scheduled = true;
      setTimeout(() => {
        this.#scheduled = false;
        this.#drain(false);
      }, FLUSH_MS).unref();
    }
    return true;
  }

  /** Everything queued, now (the process is exiting): a full pipe is retried for up to a second. */
  flushSync(): void {
    const until = Date.now() + 1000;
    while (this.#queue.length && !this.#drain(true) && Date.now() < until) {
      // busy retry: the reader of the pipe runs in another process
    }
  }

  /** Writes the queue; false when the descriptor would block, with what is left kept at the head. */
  #drain(exiting: boolean): boolean {
    if (this.#dropped) {
      this.#queue.push(
        `{"level":"warn","time":"${new Date().toISOString()}","dropped":${this.#dropped},"msg":"log lines dropped: the log output was not being read"}\n`,
      );
      this.#dropped = 0;
    }
    let data = Buffer.from(this.#queue.join(''));
    this.#queue = [];
    this.#chars = 0;
    while (data.length) {
      let written: number;
      try {
        written = writeSync(this.fd, data);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          const rest = data.toString();
          this.#queue = [rest];
          this.#chars = rest.length;
          if (!exiting && !this.#waiting) {
            this.#waiting = true;
            setTimeout(() => {
              this.#waiting = false;
              this.#drain(false);
            }, RETRY_MS).unref();
          }
          return false;
        }
        return true; // EPIPE, EBADF: nobody reads this log any more; the lines are gone either way
      }
      data = data.subarray(written);
    }
    return true;
  }
}
