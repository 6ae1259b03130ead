import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** The real bin, compiled (`npm test` builds first: see "pretest"). */
export const BIN = join(packageRoot, 'dist', 'latchkey.mjs');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export type Json = Record<string, unknown>;

/** `as`: run as another user (a root test run drops to `nobody` so that file modes bind). */
export function run(
  args: string[],
  env: Record<string, string>,
  as: { uid: number; gid: number } | undefined = undefined,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env['PATH'] ?? '', LATCHKEY_LOG: 'error', ...env }, timeout: 30_000, ...as },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs with --json, expects success and exactly one JSON document on stdout. */
export async function json<T = Json>(args: string[], env: Record<string, string>): Promise<T> {
  const r = await run([...args, '--json'], env);
  assert.equal(r.code, 0, `latchkey ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs with --json, expects failure: a non-zero exit, nothing on stdout, a JSON error on stderr. */
export async function fails(
  args: string[],
  env: Record<string, string>,
  code = 1,
): Promise<{ error: string; message: string }> {
  const r = await run([...args, '--json'], env);
  assert.equal(r.code, code, `latchkey ${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
  assert.equal(r.stdout, '');
  const err = JSON.parse(r.stderr) as { error: string; message: string };
  assert.equal(typeof err.message, 'string');
  return err;
}
