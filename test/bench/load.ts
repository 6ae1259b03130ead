// Load drivers. Every window reads the server's CPU time (/proc/<pid>/stat, all threads) before and after, so
// the figures that matter on a noisy machine are CPU µs per operation and ratios from the same run.

import { spawn } from 'node:child_process';
import type { Agent } from 'node:http';
import autocannon, { type RequestSpec } from 'autocannon';
import { keepAliveAgent, NotAvailable } from './http.js';
import { cpuMicros, rssMiB, sleep, trackChild } from './procs.js';

export interface Sample {
  /** Operations that ended as expected (2xx, or a whole flow). */
  ok: number;
  failed: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (user + system, all threads) per successful operation. */
  cpuUsPerOp: number;
  /** Of which the main thread (the event loop): the rest ran on the thread pool (argon2, crypto) or in GC threads. */
  loopUsPerOp: number;
  /** Server RSS after the window, MiB (summed over the nodes of a multi-node target). */
  rssMiB: number;
  /** Database server CPU (the whole PostgreSQL cluster) per successful operation, when the target has one. */
  dbCpuUsPerOp?: number;
  /** Share of a core the load generator (this process) used: near 100% means the client was the limit. */
  genCpuPct: number;
  firstError?: string;
  /** Extra figures a scenario records (e.g. probe latencies). */
  extra?: Record<string, number>;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  return v.length ? percentile(v, 50) : Number.NaN;
}

/**
 * Where the CPU time is read: a server PID, the PIDs of several nodes (summed) with optionally a reader of the
 * database server's CPU microseconds, or this process for in-process work (the argon2 bound).
 */
export type CpuSource = { pid: number } | { pids: number[]; db?: () => number } | 'self';

const pidsOf = (src: CpuSource): number[] =>
  src === 'self' ? [process.pid] : 'pids' in src ? src.pids : [src.pid];
const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);
const readCpu = (src: CpuSource) => sum(pidsOf(src).map((pid) => cpuMicros(pid)));
const readLoopCpu = (src: CpuSource) => sum(pidsOf(src).map((pid) => cpuMicros(pid, pid)));
const readRss = (src: CpuSource) => sum(pidsOf(src).map((pid) => rssMiB(pid)));
const readDbCpu = (src: CpuSource) => (src !== 'self' && 'db' in src && src.db ? src.db() : undefined);
const dbPerOp = (db0: number | undefined, db1: number | undefined, ok: number) =>
  db0 !== undefined && db1 !== undefined ? { dbCpuUsPerOp: ok ? (db1 - db0) / ok : Number.NaN } : {};

function window() {
  const self0 = cpuMicros(process.pid);
  const t0 = performance.now();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, genCpuPct: ((cpuMicros(process.pid) - self0) / 1e6 / seconds) * 100 };
  };
}

export interface HttpLoad {
  /** Several URLs (the nodes of a multi-node target): one autocannon each, the connections split between them. */
  url: string | string[];
  connections: number;
  durationS: number;
  /** One request, or a sequence with hooks (autocannon `requests`). */
  requests: RequestSpec[];
  /** 2xx by default. */
  expect?: (status: number) => boolean;
}

/** autocannon for a fixed duration; latencies recorded per response (float ms, not autocannon's integer histogram). */
export async function measureHttp(cpu: CpuSource, load: HttpLoad): Promise<Sample> {
  const expect = load.expect ?? ((s: number) => s >= 200 && s < 300);
  const lat: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const requests = load.requests.map((r) => {
    const inner = r.onResponse;
    return {
      ...r,
      onResponse(
        status: number,
        body: string,
        ctx: Record<string, unknown>,
        headers: Record<string, string | string[]>,
      ) {
        if (!expect(status) && firstError === undefined) firstError = `${status} ${body.slice(0, 200)}`;
        inner?.(status, body, ctx, headers);
      },
    } satisfies RequestSpec;
  });
  const urls = typeof load.url === 'string' ? [load.url] : load.url;
  const cpu0 = readCpu(cpu);
  const loop0 = readLoopCpu(cpu);
  const db0 = readDbCpu(cpu);
  const done = window();
  const results = await Promise.all(
    urls.map((url, i) => {
      // The connections split as evenly as they go; the first nodes take the remainder.
      const connections = Math.max(
        1,
        Math.floor(load.connections / urls.length) + (i < load.connections % urls.length ? 1 : 0),
      );
      const instance = autocannon({ url, connections, duration: load.durationS, requests, timeout: 20 });
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (expect(status)) {
          ok++;
          lat.push(ms);
        } else failed++;
      });
      return instance;
    }),
  );
  const { genCpuPct } = done();
  const cpuUs = readCpu(cpu) - cpu0;
  const loopUs = readLoopCpu(cpu) - loop0;
  const db1 = readDbCpu(cpu);
  const seconds = Math.max(...results.map((r) => r.duration || load.durationS));
  const errors = sum(results.map((r) => r.errors));
  const timeouts = sum(results.map((r) => r.timeouts));
  if (errors && firstError === undefined) firstError = `${errors} connection errors`;
  return {
    ok,
    failed: failed + errors + timeouts,
    seconds,
    opsPerSec: ok / seconds,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    cpuUsPerOp: ok ? cpuUs / ok : Number.NaN,
    loopUsPerOp: ok ? loopUs / ok : Number.NaN,
    rssMiB: readRss(cpu),
    ...dbPerOp(db0, db1, ok),
    genCpuPct,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

export interface FlowLoad {
  concurrency: number;
  durationS: number;
  /** One operation (a whole flow); throws on failure. `worker` is 0..concurrency-1. */
  op: (worker: number, agent: Agent) => Promise<void>;
  /** Runs alongside the window (e.g. a latency probe); awaited before returning. */
  during?: (stop: Promise<void>) => Promise<Record<string, number>>;
}

/** A closed loop of `concurrency` workers running whole flows until the window closes. */
export async function measureFlows(cpu: CpuSource, load: FlowLoad): Promise<Sample> {
  const agent = keepAliveAgent(load.concurrency);
  const lat: number[] = [];
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let notAvailable: NotAvailable | undefined;
  const cpu0 = readCpu(cpu);
  const loop0 = readLoopCpu(cpu);
  const db0 = readDbCpu(cpu);
  const done = window();
  const deadline = performance.now() + load.durationS * 1000;
  let release!: () => void;
  const stop = new Promise<void>((r) => {
    release = r;
  });
  const during = load.during?.(stop);
  const worker = async (w: number) => {
    while (performance.now() < deadline && !notAvailable) {
      const t = performance.now();
      try {
        await load.op(w, agent);
        lat.push(performance.now() - t);
        ok++;
      } catch (err) {
        if (err instanceof NotAvailable) notAvailable = err;
        failed++;
        firstError ??= (err as Error).message;
        if (failed > 20 && ok === 0) break;
        await sleep(5);
      }
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, (_, w) => worker(w)));
  const { seconds, genCpuPct } = done();
  const cpuUs = readCpu(cpu) - cpu0;
  const loopUs = readLoopCpu(cpu) - loop0;
  const db1 = readDbCpu(cpu);
  release();
  const extra = during ? await during : undefined;
  agent.destroy();
  if (notAvailable) throw notAvailable;
  return {
    ok,
    failed,
    seconds,
    opsPerSec: ok / seconds,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    cpuUsPerOp: ok ? cpuUs / ok : Number.NaN,
    loopUsPerOp: ok ? loopUs / ok : Number.NaN,
    rssMiB: readRss(cpu),
    ...dbPerOp(db0, db1, ok),
    genCpuPct,
    ...(firstError !== undefined ? { firstError } : {}),
    ...(extra ? { extra } : {}),
  };
}

// The probe runs in its own process, so the load generator's busy event loop (HTML parsing, autocannon) does
// not show up as server latency. Plain JavaScript for `node -e`; prints the latencies when sent SIGTERM.
const PROBE_SOURCE = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(process.env.PROBE_URL);
const interval = Number(process.env.PROBE_INTERVAL_MS);
const out = [];
let stopped = false;
process.on('SIGTERM', () => { stopped = true; });
const once = () => new Promise((resolve) => {
  const t = process.hrtime.bigint();
  const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t) / 1e6 : -1));
  });
  req.on('error', () => resolve(-1));
});
(async () => {
  process.stderr.write('ready\\n');
  while (!stopped) {
    const ms = await once();
    if (ms >= 0) out.push(ms);
    await new Promise((r) => setTimeout(r, Math.max(0, interval - Math.max(ms, 0))));
  }
  process.stdout.write(JSON.stringify(out));
  agent.destroy();
})();
`;

export interface Probe {
  /** Stop and return each latency in ms (hrtime precision). */
  stop(): Promise<number[]>;
}

/** One GET every `intervalMs` on its own keep-alive connection, from a separate process, until stopped. */
export async function startProbe(url: string, intervalMs: number): Promise<Probe> {
  const child = spawn(process.execPath, ['-e', PROBE_SOURCE], {
    env: { PATH: process.env['PATH'] ?? '', PROBE_URL: url, PROBE_INTERVAL_MS: String(intervalMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.once('data', () => resolve());
    child.once('error', reject);
    child.once('close', () => reject(new Error('probe exited before it started')));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      try {
        return JSON.parse(stdout) as number[];
      } catch {
        return [];
      }
    },
  };
}

/** The probe for a fixed time. */
export async function probeFor(url: string, intervalMs: number, durationMs: number): Promise<number[]> {
  const probe = await startProbe(url, intervalMs);
  await sleep(durationMs);
  return probe.stop();
}
