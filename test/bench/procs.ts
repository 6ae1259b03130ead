// Child processes, temp dirs and /proc readings for the bench. Every server is spawned directly (no shell,
// no npm), bound to 127.0.0.1, tracked by PID and killed by PID on exit, SIGINT or a crash.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Map<number, ChildProcess>();
const dirs = new Set<string>();
/** Synchronous stops of things that are not a tracked child (the PostgreSQL cluster), run after the kills. */
const hooks = new Set<() => void>();

/** Run `stop` on cleanup (exit, signal, crash) unless the returned function removes it first. */
export function onCleanup(stop: () => void): () => void {
  hooks.add(stop);
  return () => hooks.delete(stop);
}

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux's USER_HZ is 100.
}

/** Track a child this module did not spawn, so cleanup kills it too. */
export function trackChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Kill what is still running and remove the temp dirs; synchronous so it works from 'exit'. */
export function cleanupSync(): void {
  for (const [pid, child] of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    live.delete(pid);
  }
  for (const stop of hooks) {
    try {
      stop();
    } catch {
      // best effort on the way out
    }
  }
  hooks.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
      cleanupSync();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err.stack ?? String(err)}\n`);
    cleanupSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
    cleanupSync();
    process.exit(1);
  });
}

export { freePort } from '../helpers/net.js';

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  url: string;
  logFile: string;
  /** When the spawn call returned (performance.now() ms). */
  spawnedAt: number;
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/**
 * `node <args>` (or `<opts.command> <args>`) with `env` added to a minimal environment, stdout+stderr to a log
 * file (no pipe for the bench to drain while it measures).
 */
export function spawnNode(
  name: string,
  args: string[],
  opts: { env: Record<string, string>; port: number; logDir: string; cwd?: string; command?: string },
): Proc {
  const logFile = join(opts.logDir, `${name.replace(/[^a-z0-9-]+/gi, '_')}-${opts.port}.log`);
  const fd = openSync(logFile, 'a');
  const baseEnv: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'UV_THREADPOOL_SIZE']) {
    const v = process.env[k];
    if (v !== undefined) baseEnv[k] = v;
  }
  const child = spawn(opts.command ?? process.execPath, args, {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...baseEnv, HOST: '127.0.0.1', PORT: String(opts.port), ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  const spawnedAt = performance.now();
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  const pid = child.pid;
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
  const logTail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  return {
    name,
    pid,
    child,
    url: `http://127.0.0.1:${opts.port}`,
    logFile,
    spawnedAt,
    logTail,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(pid);
      resolve();
    });
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Clock ticks (as /proc counts CPU time) to microseconds. */
export const ticksToMicros = (ticks: number) => (ticks * 1e6) / clkTck;

/** utime + stime of a process (all its threads), or of one thread with `tid`, in microseconds. */
export function cpuMicros(pid: number, tid?: number): number {
  const stat = readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    'utf8',
  );
  // Field 2 (comm) may hold spaces: split after its closing parenthesis. Fields 14 and 15 are then 11, 12.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  return (ticks * 1e6) / clkTck;
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Run `node <args>` to completion (the latchkey CLI), returning stdout; throws with stderr on failure. */
export function runNodeSync(args: string[], env: Record<string, string>, timeoutMs = 30 * 60_000): string {
  try {
    return execFileSync(process.execPath, args, {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`node ${args.join(' ')}: ${(e.stderr || e.message).trim().slice(0, 2000)}`);
  }
}

/** Async variant (spawn, so the event loop stays free, e.g. for the million-row seed), tracked like servers. */
export function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) live.set(child.pid, child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (child.pid !== undefined) live.delete(child.pid);
      resolve({ stdout, stderr, code });
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
