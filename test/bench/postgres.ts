// The PostgreSQL side of the bench (issue 18): a cluster from test/helpers/postgres.ts, stopped on cleanup,
// and the CPU time of the whole cluster (postmaster and its backends), read from /proc like the servers'.
import { readdirSync, readFileSync } from 'node:fs';
import { postgresBinDir, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { onCleanup, ticksToMicros } from './procs.js';

export { postgresBinDir };

export interface BenchPostgres extends TestPostgres {
  /** utime+stime of the postmaster and its live children, plus what its exited children used, in µs. */
  cpuMicros(): number;
}

/** Fields after comm in /proc/<pid>/stat (index 0 is field 3, the state). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** The postmaster listening on `port`: its command line has `-p <port>` (pg_ctl passes the options through). */
function findPostmaster(port: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args[0]?.endsWith('/postgres')) continue;
    const at = args.indexOf('-p');
    if (at >= 0 && args[at + 1] === String(port)) return Number(entry);
  }
  throw new Error(`no postmaster found listening on port ${port}`);
}

/** Starts the cluster; it is stopped by `stop()` or, failing that, by the bench's cleanup. */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const pg = await startPostgres();
  const remove = onCleanup(() => pg.stop());
  let postmaster: number;
  try {
    postmaster = findPostmaster(pg.port);
  } catch (err) {
    remove();
    pg.stop();
    throw err;
  }
  return {
    port: pg.port,
    newDatabase: () => pg.newDatabase(),
    stop() {
      remove();
      pg.stop();
    },
    cpuMicros() {
      // Fields 14–17: utime, stime, cutime, cstime (indexes 11–14 here); ppid is field 4 (index 1).
      const own = statFields(postmaster);
      if (!own) return Number.NaN;
      let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const f = statFields(entry);
        if (f && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
      }
      return ticksToMicros(ticks);
    },
  };
}
