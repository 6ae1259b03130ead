/**
 * The compiled server (`dist/latchkey.mjs serve`) as a child process on a loopback port, for tests of what
 * only a real process shows: signals, exit codes, other processes on the same database file.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const BIN = join(packageRoot, 'dist', 'latchkey.mjs');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Builds dist/ once if a test file is run on its own before `npm run build`. */
export function ensureBuilt(): void {
  if (!existsSync(BIN)) execFileSync('npm', ['run', 'build'], { cwd: packageRoot, stdio: 'ignore' });
}

export interface ServedProcess {
  child: ChildProcess;
  url: string;
  /** What the process wrote to stdout and stderr so far. */
  log(): string;
  /** Resolves with the exit code (null if killed by a signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running; for `after` hooks. */
  kill(): Promise<void>;
}

export async function serve(
  env: Record<string, string>,
  options: { uid?: number; gid?: number } = {},
): Promise<ServedProcess> {
  ensureBuilt();
  let output = '';
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: packageRoot,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${env['PORT']}`;
  const served: ServedProcess = {
    child,
    url,
    log: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${output}`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return served;
    await sleep(50);
  }
  await served.kill();
  throw new Error(`the server did not answer /healthz in time: ${output}`);
}
