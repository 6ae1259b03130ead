// `npm run bench`: latchkey (compiled, NODE_ENV=production) side by side with node-oidc-provider 9 and a bare
// Hono ceiling, in the same run, alternating targets round by round. Prints a Markdown table (also written to
// .bench/results.md, raw samples to .bench/results.json) and one met / not met line per target.
//
//   npm run bench                 full run (3 rounds × 4 s windows, 1M-row scale check), about 8–12 min
//   npm run bench -- --quick      smoke run (1 round × 2 s, no scale), about 1–2 min
//   options: --rounds N --duration S --connections N --no-scale --only discovery,token,...
//            --scale-users N --scale-tokens N; BENCH_QUICK=1 works like --quick
//            --id-token-alg ES256|RS256  the ID-token algorithm of the code-flow and password-grant clients
//            --pg / --no-pg  the PostgreSQL row set (token, introspect, refresh, signin on 1 and 2 nodes): on by
//                            default when PostgreSQL is installed; --pg makes a missing PostgreSQL an error
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NotAvailable, postForm, send } from './http.js';
import type { Sample } from './load.js';
import { postgresBinDir, startBenchPostgres } from './postgres.js';
import { cleanupSync, installCleanupHandlers, removeDir, rssMiB, sleep, tempDir } from './procs.js';
import {
  type PostgresResult,
  type Report,
  type Row,
  renderReport,
  type ScaleResult,
  type StartupResult,
} from './report.js';
import {
  allScenarios,
  argon2Bound,
  clientCredentials,
  introspection,
  passwordSignIn,
  type Runner,
  refreshRotation,
  type Scenario,
} from './scenarios.js';
import {
  DISCOVERY,
  LATCHKEY_BINARY,
  LATCHKEY_MAIN,
  type LatchkeyDb,
  latchkeyTarget,
  peerTarget,
  prepareLatchkeyDb,
  preparePeer,
  seedLatchkeyDb,
  spawnLatchkey,
  spawnLatchkeyBinary,
  spawnPeer,
  startCeiling,
  startLatchkey,
  startLatchkeyNodes,
  startPeer,
  type Target,
  waitReady,
} from './targets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'no-scale': { type: 'boolean' },
    only: { type: 'string' },
    'scale-users': { type: 'string' },
    'scale-tokens': { type: 'string' },
    'id-token-alg': { type: 'string' },
    pg: { type: 'boolean' },
    'no-pg': { type: 'boolean' },
  },
  allowPositionals: false,
});
const quick = argv.quick === true || process.env['BENCH_QUICK'] === '1';
const num = (v: string | undefined, d: number) =>
  v !== undefined && Number.isFinite(Number(v)) ? Number(v) : d;
const opts = {
  quick,
  rounds: num(argv.rounds, quick ? 1 : 3),
  durationS: num(argv.duration, quick ? 2 : 4),
  warmupS: quick ? 0.5 : 1,
  connections: num(argv.connections, 16),
  coldSpawns: quick ? 3 : 5,
  scale: !quick && argv['no-scale'] !== true,
  scaleUsers: num(argv['scale-users'], 100_000),
  scaleTokens: num(argv['scale-tokens'], 1_000_000),
  only: argv.only ? new Set(argv.only.split(',')) : undefined,
  /** 'on' (--pg: PostgreSQL must be there), 'off' (--no-pg) or 'auto' (when PostgreSQL is installed). */
  pg: argv['no-pg'] === true ? 'off' : argv.pg === true ? 'on' : 'auto',
};
if (argv.pg === true && argv['no-pg'] === true) {
  process.stderr.write('bench: --pg and --no-pg exclude each other\n');
  process.exit(2);
}
if (opts.pg === 'on' && !postgresBinDir()) {
  process.stderr.write('bench: --pg: PostgreSQL is not installed (apt-get install postgresql)\n');
  process.exit(2);
}

const started = performance.now();
function log(msg: string): void {
  const s = Math.round((performance.now() - started) / 1000);
  process.stderr.write(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}\n`,
  );
}

const short = (s: Sample) =>
  `${s.opsPerSec.toFixed(s.opsPerSec < 100 ? 1 : 0)} ops/s, p99 ${s.p99Ms.toFixed(1)} ms, ${Math.round(
    s.cpuUsPerOp,
  )} CPU µs/op${s.failed ? `, ${s.failed} failed` : ''}`;

function ensureBuilt(): void {
  if (!existsSync(LATCHKEY_MAIN)) {
    log(`${LATCHKEY_MAIN} missing: npm run build`);
    execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (!existsSync(LATCHKEY_BINARY) && (!opts.only || opts.only.has('startup'))) {
    log(`${LATCHKEY_BINARY} missing: npm run build:binary`);
    execFileSync('npm', ['run', 'build:binary'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

// --- start-up ------------------------------------------------------------------------------------------------

/** A few requests of each kind, as a server sees right after it starts. */
async function touch(t: Target): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await send(t.base + t.paths.discovery);
    await send(t.base + t.paths.jwks);
  }
  if (!t.cc) return;
  for (let i = 0; i < 5; i++) {
    const tok = await postForm(t.base + t.paths.token, { grant_type: 'client_credentials' }, t.cc);
    const token = tok.json['access_token'];
    if (typeof token === 'string') await postForm(t.base + t.paths.introspect, { token }, t.cc);
  }
}

async function measureStartup(
  logDir: string,
  peerSetup: ReturnType<typeof preparePeer>,
): Promise<StartupResult[]> {
  const db = prepareLatchkeyDb('latchkey-cold-');
  const kinds = [
    {
      label: 'latchkey',
      spawn: async () => {
        const proc = await spawnLatchkey('latchkey-cold', db, logDir);
        return { proc, target: async () => latchkeyTarget('latchkey', proc, db) };
      },
    },
    {
      label: 'latchkey (binary)',
      spawn: async () => {
        const proc = await spawnLatchkeyBinary('latchkey-binary-cold', db, logDir);
        return { proc, target: async () => latchkeyTarget('latchkey (binary)', proc, db) };
      },
    },
    {
      label: 'oidc-provider',
      spawn: async () => {
        const proc = await spawnPeer('peer-cold', peerSetup, logDir);
        return { proc, target: () => peerTarget('oidc-provider', proc, peerSetup) };
      },
    },
  ];
  const results: StartupResult[] = kinds.map((k) => ({ label: k.label, coldMs: [], idleRssMiB: [] }));
  // Spawn 0 of each is not counted: it warms the file cache (node_modules, dist) for both alike.
  for (let i = 0; i <= opts.coldSpawns; i++) {
    const order = i % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const result = results.find((r) => r.label === kind.label)!;
      if (result.error) continue;
      const { proc, target } = await kind.spawn();
      try {
        const coldMs = await waitReady(proc, DISCOVERY);
        await touch(await target());
        await sleep(1000);
        const rss = rssMiB(proc.pid);
        if (i > 0) {
          result.coldMs.push(coldMs);
          result.idleRssMiB.push(rss);
        }
      } catch (err) {
        result.error = (err as Error).message;
        log(`start-up ${kind.label}: ${result.error}`);
      } finally {
        await proc.stop();
      }
    }
  }
  removeDir(db.dir);
  for (const r of results)
    if (r.coldMs.length)
      log(
        `start-up ${r.label}: cold ${r.coldMs.map((v) => v.toFixed(0)).join('/')} ms, idle RSS ${r.idleRssMiB.map((v) => v.toFixed(0)).join('/')} MiB`,
      );
  return results;
}

// --- rounds ----------------------------------------------------------------------------------------------------

interface Slot {
  row: Row;
  runner?: Runner;
  /** Warm-up windows are this many times longer (a multi-node target: each node warms up as long as one). */
  warmupScale?: number;
}

async function prepareSlots(scenarios: Scenario[], targets: Target[]): Promise<Slot[]> {
  const slots: Slot[] = [];
  for (const scenario of scenarios) {
    for (const target of targets.filter((t) => scenario.on.includes(t.kind))) {
      const row: Row = {
        scenario: scenario.key,
        title: scenario.title,
        unit: scenario.unit,
        target: target.label,
        kind: target.kind,
        cell: { samples: [] },
        ...(scenario.notes?.[target.kind] ? { note: scenario.notes[target.kind]! } : {}),
      };
      try {
        const runner = await scenario.prepare(target);
        slots.push({ row, runner, ...(target.nodes?.length ? { warmupScale: target.nodes.length } : {}) });
      } catch (err) {
        const msg = (err as Error).message;
        const note = target.setupNotes.length ? ` (${target.setupNotes.join('; ')})` : '';
        row.cell =
          err instanceof NotAvailable
            ? { skip: `endpoint not available: ${msg}${note}` }
            : { fail: msg + note };
        log(`${scenario.key} on ${target.label}: ${'skip' in row.cell ? row.cell.skip : `FAILED ${msg}`}`);
        slots.push({ row });
      }
    }
  }
  return slots;
}

async function runSlot(slot: Slot, durationS: number, record: boolean, round: string): Promise<void> {
  if (!slot.runner) return;
  try {
    const sample = await slot.runner.run({ durationS, connections: opts.connections });
    if (record) {
      (slot.row.cell as { samples: Sample[] }).samples.push(sample);
      log(`${round} ${slot.row.scenario} ${slot.row.target}: ${short(sample)}`);
    }
  } catch (err) {
    const msg = (err as Error).message;
    slot.row.cell = err instanceof NotAvailable ? { skip: `endpoint not available: ${msg}` } : { fail: msg };
    delete slot.runner;
    log(`${round} ${slot.row.scenario} ${slot.row.target}: FAILED ${msg}`);
  }
}

/** Warm-up, then `rounds` rounds; in each, a scenario's targets run back to back, the order rotating per round. */
async function runRounds(slots: Slot[], label: string): Promise<void> {
  for (const slot of slots)
    await runSlot(slot, opts.warmupS * (slot.warmupScale ?? 1), false, `${label} warm-up`);
  const scenarios = [...new Set(slots.map((s) => s.row.scenario))];
  for (let round = 0; round < opts.rounds; round++) {
    for (const key of scenarios) {
      const group = slots.filter((s) => s.row.scenario === key);
      const shift = round % group.length;
      for (const slot of [...group.slice(shift), ...group.slice(0, shift)]) {
        await runSlot(slot, opts.durationS, true, `${label} round ${round + 1}/${opts.rounds}`);
      }
    }
  }
}

const countLabel = (n: number) =>
  n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);

// --- scale -----------------------------------------------------------------------------------------------------

async function runScale(logDir: string): Promise<ScaleResult> {
  const base = { users: opts.scaleUsers, tokens: opts.scaleTokens };
  const emptyDb = prepareLatchkeyDb('latchkey-empty-');
  const seededDb = prepareLatchkeyDb('latchkey-seeded-');
  log(`scale: seeding ${opts.scaleUsers} users and ${opts.scaleTokens} tokens`);
  const seedSeconds = await seedLatchkeyDb(seededDb, opts.scaleUsers, opts.scaleTokens);
  const dbMiB = statSync(seededDb.dbPath).size / 2 ** 20;
  log(`scale: seeded in ${seedSeconds.toFixed(0)} s (${dbMiB.toFixed(0)} MiB)`);
  const empty = await startLatchkey('latchkey (empty db)', emptyDb, logDir);
  const seeded = await startLatchkey(`latchkey (${countLabel(opts.scaleTokens)} tokens)`, seededDb, logDir);
  try {
    const scenarios = [clientCredentials, introspection, refreshRotation];
    const slots = await prepareSlots(scenarios, [empty, seeded]);
    for (const slot of slots) if (slot.row.target === seeded.label) slot.row.kind = 'seeded';
    await runRounds(slots, 'scale');
    return { ...base, seedSeconds, dbMiB, rows: slots.map((s) => s.row) };
  } finally {
    await empty.proc.stop();
    await seeded.proc.stop();
    removeDir(emptyDb.dir);
    removeDir(seededDb.dir);
  }
}

// --- PostgreSQL ------------------------------------------------------------------------------------------------

const PG_SCENARIOS = [clientCredentials, introspection, refreshRotation, passwordSignIn];

/**
 * Issue 18's row set: token, introspection, refresh and sign-in on latchkey over PostgreSQL, one node and two
 * nodes on one database, with a fresh SQLite latchkey in the same rounds as the baseline.
 */
async function runPostgres(logDir: string): Promise<PostgresResult> {
  const scenarios = PG_SCENARIOS.filter((s) => !opts.only || opts.only.has(s.key));
  if (!scenarios.length)
    return { rows: [], skipped: `none of ${PG_SCENARIOS.map((s) => s.key).join(',')} in --only` };
  log('postgres: starting a PostgreSQL cluster');
  const pg = await startBenchPostgres();
  const dbs: LatchkeyDb[] = [];
  const targets: Target[] = [];
  try {
    const sqliteDb = prepareLatchkeyDb('latchkey-pg-baseline-', argv['id-token-alg']);
    dbs.push(sqliteDb);
    targets.push(await startLatchkey('latchkey (SQLite)', sqliteDb, logDir));
    for (const n of [1, 2]) {
      const db = prepareLatchkeyDb(`latchkey-pg${n}-`, argv['id-token-alg'], pg.newDatabase());
      dbs.push(db);
      const label = `latchkey (postgres, ${n} node${n > 1 ? 's' : ''})`;
      targets.push(await startLatchkeyNodes(label, db, logDir, n, () => pg.cpuMicros()));
    }
    log(`postgres: cluster on 127.0.0.1:${pg.port}; ${targets.map((t) => t.label).join(', ')}`);
    const slots = await prepareSlots(scenarios, targets);
    await runRounds(slots, 'postgres');
    return { rows: slots.map((s) => s.row) };
  } finally {
    await Promise.all(targets.flatMap((t) => (t.nodes ?? [t.proc]).map((p) => p.stop())));
    pg.stop();
    for (const db of dbs) removeDir(db.dir);
  }
}

// --- main --------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  installCleanupHandlers();
  ensureBuilt();
  const root = tempDir('latchkey-bench-');
  const cpu = cpus();
  const header = [
    `# latchkey bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average at start ${loadavg()[0]!.toFixed(2)}. ` +
      `${opts.rounds} round(s) × ${opts.durationS} s windows, ${opts.connections} connections (autocannon) or concurrent flows, ` +
      `targets alternating within each round. Servers: latchkey \`node ${LATCHKEY_MAIN} serve\` (NODE_ENV=production, ` +
      'LATCHKEY_THROTTLE=off, fresh SQLite file); oidc-provider 9 (in-memory adapter, `test/bench/peer-oidc-provider.js`); ' +
      "bare Hono ceiling serving latchkey's discovery and JWKS bytes (`test/bench/ceiling-hono.ts`).",
  ];
  log(`bench: ${JSON.stringify({ ...opts, only: opts.only ? [...opts.only] : undefined })}`);

  const peerSetup = preparePeer(root);
  const startup = opts.only && !opts.only.has('startup') ? [] : await measureStartup(root, peerSetup);

  log('starting latchkey, oidc-provider and the Hono ceiling');
  const lkDb = prepareLatchkeyDb(undefined, argv['id-token-alg']);
  const latchkey = await startLatchkey('latchkey', lkDb, root);
  const peer = await startPeer('oidc-provider', peerSetup, root);
  const docs = {
    [DISCOVERY]: (await send(latchkey.base + DISCOVERY)).body,
    '/jwks': (await send(latchkey.base + '/jwks')).body,
  };
  const ceiling = await startCeiling('Hono ceiling', docs, root);

  const scenarios = allScenarios.filter((s) => !opts.only || opts.only.has(s.key));
  const slots = await prepareSlots(scenarios, [latchkey, peer, ceiling]);
  // The argon2 bound sits in the sign-in group, so it alternates with latchkey's sign-ins.
  if (scenarios.includes(passwordSignIn)) {
    const at = slots.findLastIndex((s) => s.row.scenario === passwordSignIn.key);
    slots.splice(at + 1, 0, {
      row: {
        scenario: passwordSignIn.key,
        title: passwordSignIn.title,
        unit: passwordSignIn.unit,
        target: 'argon2id bound (in-process verifies/s)',
        kind: 'bound',
        cell: { samples: [] },
      },
      runner: await argon2Bound(),
    });
  }
  await runRounds(slots, 'main');
  await Promise.all([latchkey.proc.stop(), peer.proc.stop(), ceiling.proc.stop()]);
  const lkLog = latchkey.proc.logTail(5);
  removeDir(lkDb.dir);

  let postgres: PostgresResult | undefined;
  if (opts.pg === 'off') postgres = { rows: [], skipped: 'not run (--no-pg)' };
  else if (!postgresBinDir())
    postgres = { rows: [], skipped: 'PostgreSQL is not installed (apt-get install postgresql; then --pg)' };
  else {
    try {
      postgres = await runPostgres(root);
    } catch (err) {
      log(`postgres: FAILED ${(err as Error).message}`);
      postgres = { rows: [], skipped: `failed: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  let scale: ScaleResult | undefined;
  if (opts.scale) {
    try {
      scale = await runScale(root);
    } catch (err) {
      log(`scale: FAILED ${(err as Error).message}`);
      scale = { users: opts.scaleUsers, tokens: opts.scaleTokens, rows: [], skipped: (err as Error).message };
    }
  } else {
    scale = {
      users: opts.scaleUsers,
      tokens: opts.scaleTokens,
      rows: [],
      skipped: quick ? 'not run with --quick' : 'not run (--no-scale)',
    };
  }

  header.push(
    '',
    `Load average at the end: ${loadavg()[0]!.toFixed(2)} (anything else running on the machine shows up here).`,
  );
  const report: Report = { header, rows: slots.map((s) => s.row), startup, scale, postgres };
  const markdown = renderReport(report);
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'results.md'), markdown + '\n');
  writeFileSync(
    join('.bench', 'results.json'),
    JSON.stringify({ opts: { ...opts, only: opts.only ? [...opts.only] : null }, report }, null, 2) + '\n',
  );
  process.stdout.write(markdown + '\n');
  const failed = [...report.rows, ...(postgres?.rows ?? [])].filter((r) => 'fail' in r.cell);
  if (failed.length) {
    log(`${failed.length} scenario(s) failed; latchkey log tail:\n${lkLog}`);
  }
  log(`done in ${Math.round((performance.now() - started) / 1000)} s; written to .bench/results.md`);
  removeDir(root);
}

main().then(
  () => {
    cleanupSync();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    cleanupSync();
    process.exit(1);
  },
);
