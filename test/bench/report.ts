// Results → Markdown: the table, start-up, scale, the sign-in bound, and one line per target.
import { median, type Sample } from './load.js';

export type Cell = { samples: Sample[] } | { skip: string } | { fail: string };

export interface Row {
  scenario: string;
  title: string;
  unit: string;
  target: string;
  kind: 'latchkey' | 'peer' | 'ceiling' | 'bound' | 'seeded' | 'postgres';
  cell: Cell;
  /** Said in the notes column whatever the outcome. */
  note?: string;
}

export interface StartupResult {
  label: string;
  coldMs: number[];
  idleRssMiB: number[];
  error?: string;
}

export interface ScaleResult {
  seedSeconds?: number;
  users: number;
  tokens: number;
  dbMiB?: number;
  rows: Row[];
  skipped?: string;
}

/** The PostgreSQL row set (issue 18): a SQLite baseline and latchkey on PostgreSQL, 1 and 2 nodes, same rounds. */
export interface PostgresResult {
  rows: Row[];
  /** Why it did not run (not installed, --no-pg, nothing selected by --only, a start-up failure). */
  skipped?: string;
}

export interface Report {
  header: string[];
  rows: Row[];
  startup: StartupResult[];
  scale?: ScaleResult;
  postgres?: PostgresResult;
}

const has = (c: Cell | undefined): c is { samples: Sample[] } =>
  !!c && 'samples' in c && c.samples.length > 0;

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1000 && digits === 0) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

const ms = (n: number) => (!Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(1));

export interface Agg {
  ops: number;
  p50: number;
  p99: number;
  cpu: number;
  loop: number;
  rss: number;
  failed: number;
  ok: number;
  gen: number;
  /** PostgreSQL CPU µs/op (NaN when the target has no database server). */
  db: number;
  firstError?: string;
}

export function aggregate(samples: Sample[]): Agg {
  const firstError = samples.find((s) => s.firstError)?.firstError;
  return {
    ops: median(samples.map((s) => s.opsPerSec)),
    p50: median(samples.map((s) => s.p50Ms)),
    p99: median(samples.map((s) => s.p99Ms)),
    cpu: median(samples.map((s) => s.cpuUsPerOp)),
    loop: median(samples.map((s) => s.loopUsPerOp)),
    rss: median(samples.map((s) => s.rssMiB)),
    failed: samples.reduce((a, s) => a + s.failed, 0),
    ok: samples.reduce((a, s) => a + s.ok, 0),
    gen: median(samples.map((s) => s.genCpuPct)),
    db: median(samples.map((s) => s.dbCpuUsPerOp ?? Number.NaN)),
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/** Median of the per-round ratios f(a)/f(b): both measured in the same round, so shared noise cancels. */
export function pairedRatio(a: Sample[], b: Sample[], f: (s: Sample) => number): number {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(f(a[i]!) / f(b[i]!));
  return median(ratios);
}

const x = (r: number) => (Number.isFinite(r) ? `×${r.toFixed(2)}` : '–');

function find(rows: Row[], scenario: string, kind: Row['kind']): Row | undefined {
  return rows.find((r) => r.scenario === scenario && r.kind === kind);
}

function cellNote(cell: Cell, agg?: Agg, note?: string, kind?: Row['kind']): string {
  if ('skip' in cell) return `skipped: ${cell.skip}`;
  if ('fail' in cell) return `failed: ${cell.fail}`;
  const notes: string[] = note ? [note] : [];
  if (agg && agg.failed > 0) {
    const share = (agg.failed / (agg.failed + agg.ok)) * 100;
    notes.push(
      `${agg.failed} failed (${share.toFixed(share < 1 ? 2 : 0)}%)${agg.firstError ? `: ${agg.firstError}` : ''}`,
    );
  }
  if (agg && agg.gen > 90 && kind !== 'bound')
    notes.push(`load generator at ${agg.gen.toFixed(0)}% of a core (client-bound)`);
  return notes.join('; ').replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 240);
}

function mainTable(rows: Row[]): string[] {
  const out = [
    '| scenario | server | ops/s | p50 ms | p99 ms | server CPU µs/op | of which event loop | RSS MiB | vs oidc-provider (ops/s, CPU/op) | vs ceiling (ops/s) | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
  ];
  for (const row of rows) {
    const unit = row.unit === 'req' ? '' : ` (per ${row.unit})`;
    if (!has(row.cell)) {
      out.push(`| ${row.title}${unit} | ${row.target} | – | – | – | – | – | – | | | ${cellNote(row.cell)} |`);
      continue;
    }
    const a = aggregate(row.cell.samples);
    const peer = find(rows, row.scenario, 'peer');
    const ceiling = find(rows, row.scenario, 'ceiling');
    const vsPeer =
      row.kind === 'latchkey' && peer && has(peer.cell)
        ? `${x(pairedRatio(row.cell.samples, peer.cell.samples, (s) => s.opsPerSec))}, ${x(
            pairedRatio(row.cell.samples, peer.cell.samples, (s) => s.cpuUsPerOp),
          )}`
        : '';
    const vsCeiling =
      row.kind !== 'ceiling' && ceiling && has(ceiling.cell)
        ? x(pairedRatio(row.cell.samples, ceiling.cell.samples, (s) => s.opsPerSec))
        : '';
    out.push(
      `| ${row.title}${unit} | ${row.target} | ${fmt(a.ops, a.ops < 100 ? 1 : 0)} | ${ms(a.p50)} | ${ms(a.p99)} | ${fmt(
        a.cpu,
      )} | ${row.kind === 'bound' ? '–' : fmt(a.loop)} | ${row.kind === 'bound' ? '–' : fmt(a.rss, 1)} | ${vsPeer} | ${vsCeiling} | ${cellNote(row.cell, a, row.note, row.kind)} |`,
    );
  }
  return out;
}

/** latchkey's CPU plus the database server's, per operation (SQLite runs inside latchkey: its own alone). */
const totalCpu = (s: Sample) => s.cpuUsPerOp + (s.dbCpuUsPerOp ?? 0);

function postgresTable(rows: Row[]): string[] {
  const out = [
    '| scenario | server | ops/s | p50 ms | p99 ms | latchkey CPU µs/op (all nodes) | of which event loop | PostgreSQL CPU µs/op | RSS MiB (all nodes) | vs SQLite (ops/s, total CPU/op) | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of rows) {
    const unit = row.unit === 'req' ? '' : ` (per ${row.unit})`;
    if (!has(row.cell)) {
      out.push(
        `| ${row.title}${unit} | ${row.target} | – | – | – | – | – | – | – | | ${cellNote(row.cell)} |`,
      );
      continue;
    }
    const a = aggregate(row.cell.samples);
    const sqlite = find(rows, row.scenario, 'latchkey');
    const vsSqlite =
      row.kind === 'postgres' && sqlite && has(sqlite.cell)
        ? `${x(pairedRatio(row.cell.samples, sqlite.cell.samples, (s) => s.opsPerSec))}, ${x(
            pairedRatio(row.cell.samples, sqlite.cell.samples, totalCpu),
          )}`
        : '';
    out.push(
      `| ${row.title}${unit} | ${row.target} | ${fmt(a.ops, a.ops < 100 ? 1 : 0)} | ${ms(a.p50)} | ${ms(a.p99)} | ${fmt(
        a.cpu,
      )} | ${fmt(a.loop)} | ${row.kind === 'postgres' ? fmt(a.db) : '–'} | ${fmt(a.rss, 1)} | ${vsSqlite} | ${cellNote(row.cell, a, row.note, row.kind)} |`,
    );
  }
  return out;
}

// --- targets -------------------------------------------------------------------------------------------------

type Verdict = { ok: boolean; text: string } | { skip: string };

function line(name: string, v: Verdict): string {
  if ('skip' in v) return `- ${name}: skipped: ${v.skip}`;
  return v.ok ? `- ${name}: met (${v.text})` : `- ${name}: not met: ${v.text}`;
}

function why(rows: Row[], scenario: string, kind: Row['kind']): string | undefined {
  const r = find(rows, scenario, kind);
  if (!r) return `no ${kind} row for ${scenario}`;
  if ('skip' in r.cell) return `${r.target}: ${r.cell.skip}`;
  if ('fail' in r.cell) return `${r.target} failed: ${r.cell.fail}`;
  if (!has(r.cell)) return `${r.target}: no samples`;
  return undefined;
}

/** `num` (latchkey by default) against `den`: the paired ratio and both medians. */
function compare(
  rows: Row[],
  scenario: string,
  den: Row['kind'],
  f: (s: Sample) => number,
  check: (ratio: number, a: number, b: number) => Verdict,
  num: Row['kind'] = 'latchkey',
): Verdict {
  const missing = why(rows, scenario, num) ?? why(rows, scenario, den);
  if (missing) return { skip: missing };
  const a = find(rows, scenario, num)!.cell as { samples: Sample[] };
  const b = find(rows, scenario, den)!.cell as { samples: Sample[] };
  return check(pairedRatio(a.samples, b.samples, f), median(a.samples.map(f)), median(b.samples.map(f)));
}

const countTokens = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toLocaleString('en-US')}M` : n.toLocaleString('en-US');

export function targetLines(report: Report): string[] {
  const { rows, startup, scale } = report;
  const lines: string[] = [];
  lines.push(
    line(
      'token endpoint CPU ≤ 0.5 × oidc-provider',
      compare(
        rows,
        'token',
        'peer',
        (s) => s.cpuUsPerOp,
        (r, a, b) => ({
          ok: r <= 0.5,
          text: `${fmt(a)} vs ${fmt(b)} CPU µs/request, ×${r.toFixed(2)} (target ≤ ×0.50)`,
        }),
      ),
    ),
  );
  for (const [key, name] of [
    ['discovery', 'discovery'],
    ['jwks', 'JWKS'],
  ] as const) {
    lines.push(
      line(
        `${name} ≥ 0.5 × Hono ceiling req/s`,
        compare(
          rows,
          key,
          'ceiling',
          (s) => s.opsPerSec,
          (r, a, b) => ({
            ok: r >= 0.5,
            text: `${fmt(a)} vs ${fmt(b)} req/s, ×${r.toFixed(2)} (target ≥ ×0.50)`,
          }),
        ),
      ),
    );
  }
  lines.push(
    line(
      'introspection ≥ 1.5 × oidc-provider req/s',
      compare(
        rows,
        'introspect',
        'peer',
        (s) => s.opsPerSec,
        (r, a, b) => ({
          ok: r >= 1.5,
          text: `${fmt(a)} vs ${fmt(b)} req/s, ×${r.toFixed(2)} (target ≥ ×1.50)`,
        }),
      ),
    ),
  );
  const lk = startup.find((s) => s.label === 'latchkey');
  const peer = startup.find((s) => s.label === 'oidc-provider');
  if (lk && peer && lk.coldMs.length && peer.coldMs.length) {
    const a = median(lk.coldMs);
    const b = median(peer.coldMs);
    lines.push(
      line('cold start ≤ 0.6 × oidc-provider', {
        ok: a <= 0.6 * b,
        text: `${a.toFixed(0)} vs ${b.toFixed(0)} ms, ×${(a / b).toFixed(2)} (target ≤ ×0.60)`,
      }),
    );
    const ra = median(lk.idleRssMiB);
    const rb = median(peer.idleRssMiB);
    lines.push(
      line('idle RSS < oidc-provider', {
        ok: ra < rb,
        text: `${ra.toFixed(1)} vs ${rb.toFixed(1)} MiB, ×${(ra / rb).toFixed(2)} (target < ×1.00)`,
      }),
    );
  } else {
    const err = lk?.error ?? peer?.error ?? 'not measured';
    lines.push(line('cold start ≤ 0.6 × oidc-provider', { skip: err }));
    lines.push(line('idle RSS < oidc-provider', { skip: err }));
  }
  lines.push(
    line(
      'password sign-in ≥ 0.8 × argon2 bound',
      compare(
        rows,
        'signin',
        'bound',
        (s) => s.opsPerSec,
        (r, a, b) => ({
          ok: r >= 0.8,
          text: `${fmt(a, 1)} sign-ins/s vs ${fmt(b, 1)} verifies/s, ×${r.toFixed(2)} (target ≥ ×0.80)`,
        }),
      ),
    ),
  );
  const signin = find(rows, 'signin', 'latchkey');
  if (signin && has(signin.cell)) {
    const quiet = median(signin.cell.samples.map((s) => s.extra?.['quietP99'] ?? Number.NaN));
    const storm = median(signin.cell.samples.map((s) => s.extra?.['stormP99'] ?? Number.NaN));
    lines.push(
      line('discovery p99 during a login storm ≤ 5 × quiet p99', {
        ok: storm <= 5 * quiet,
        text: `${storm.toFixed(2)} vs ${quiet.toFixed(2)} ms, ×${(storm / quiet).toFixed(2)} (target ≤ ×5.00)`,
      }),
    );
  } else {
    lines.push(
      line('discovery p99 during a login storm ≤ 5 × quiet p99', {
        skip: why(rows, 'signin', 'latchkey') ?? 'not measured',
      }),
    );
  }
  const rows_ = scale ? `${countTokens(scale.tokens)} tokens` : 'the seeded database';
  const scaleNames: [string, string][] = [
    ['token', 'client_credentials token'],
    ['introspect', 'introspection'],
    ['refresh', 'refresh rotation'],
  ];
  for (const [key, name] of scaleNames) {
    const title = `scale: ${name} with ${rows_} ≥ 0.9 × empty`;
    if (!scale || scale.skipped) {
      lines.push(line(title, { skip: scale?.skipped ?? 'not run' }));
      continue;
    }
    lines.push(
      line(
        title,
        compare(
          scale.rows,
          key,
          'latchkey',
          (s) => s.opsPerSec,
          (r, a, b) => ({
            ok: r >= 0.9,
            text: `${fmt(a)} seeded vs ${fmt(b)} empty req/s, ×${r.toFixed(2)} (target ≥ ×0.90)`,
          }),
          'seeded',
        ),
      ),
    );
  }
  return lines;
}

// --- the document --------------------------------------------------------------------------------------------

export function renderReport(report: Report): string {
  const out: string[] = [...report.header, '', '## Throughput and server cost (median of rounds)', ''];
  out.push(...mainTable(report.rows));
  out.push(
    '',
    'ops/s: completed operations per second (an operation is one request unless the scenario says otherwise).',
    'Server CPU µs/op: user+system CPU of the server process (all threads) over the window ÷ completed operations;',
    '"of which event loop": the main thread alone (the rest is thread pool: argon2, libuv; and V8 GC helpers).',
    'Ratios are medians of per-round ratios (targets measured in the same round).',
  );

  out.push(
    '',
    '## Start-up',
    '',
    '| server | cold start ms (spawn → first 200 on discovery) | idle RSS MiB | spawns |',
  );
  out.push('| --- | ---: | ---: | ---: |');
  for (const s of report.startup) {
    if (s.error) {
      out.push(`| ${s.label} | – | – | failed: ${s.error.replace(/\s+/g, ' ').slice(0, 200)} |`);
      continue;
    }
    out.push(
      `| ${s.label} | ${median(s.coldMs).toFixed(0)} (${s.coldMs.map((v) => v.toFixed(0)).join(', ')}) | ${median(
        s.idleRssMiB,
      ).toFixed(1)} | ${s.coldMs.length} |`,
    );
  }

  const signin = find(report.rows, 'signin', 'latchkey');
  if (signin && has(signin.cell)) {
    const e = (k: string) =>
      median((signin.cell as { samples: Sample[] }).samples.map((s) => s.extra?.[k] ?? Number.NaN));
    out.push(
      '',
      '## Event loop during the login storm',
      '',
      `Discovery probed every ${e('intervalMs')} ms from a separate process on its own connection: quiet p50 ${ms(e('quietP50'))} ms / p99 ${ms(
        e('quietP99'),
      )} ms; during the sign-in storm p50 ${ms(e('stormP50'))} ms / p99 ${ms(e('stormP99'))} ms.`,
    );
  }

  if (report.scale) {
    const sc = report.scale;
    out.push(
      '',
      `## Scale: ${sc.tokens.toLocaleString('en-US')} token rows, ${sc.users.toLocaleString('en-US')} users`,
      '',
    );
    if (sc.skipped) out.push(`skipped: ${sc.skipped}`);
    else {
      out.push(
        `Seeded with \`latchkey seed\` in ${sc.seedSeconds?.toFixed(0) ?? '?'} s; database ${sc.dbMiB?.toFixed(0) ?? '?'} MiB.`,
        '',
        '| scenario | empty ops/s | seeded ops/s | ratio | empty CPU µs/op | seeded CPU µs/op | notes |',
        '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      );
      const keys = [...new Set(sc.rows.map((r) => r.scenario))];
      for (const key of keys) {
        const empty = find(sc.rows, key, 'latchkey');
        const seeded = find(sc.rows, key, 'seeded');
        const title = empty?.title ?? key;
        if (!empty || !seeded || !has(empty.cell) || !has(seeded.cell)) {
          const note = [empty, seeded]
            .filter((r): r is Row => !!r && !has(r.cell))
            .map((r) => `${r.target}: ${cellNote(r.cell)}`)
            .join('; ');
          out.push(`| ${title} | – | – | – | – | – | ${note} |`);
          continue;
        }
        const a = aggregate(empty.cell.samples);
        const b = aggregate(seeded.cell.samples);
        const notes = [cellNote(empty.cell, a), cellNote(seeded.cell, b)].filter(Boolean).join('; ');
        out.push(
          `| ${title} | ${fmt(a.ops)} | ${fmt(b.ops)} | ${x(
            pairedRatio(seeded.cell.samples, empty.cell.samples, (s) => s.opsPerSec),
          )} | ${fmt(a.cpu)} | ${fmt(b.cpu)} | ${notes} |`,
        );
      }
    }
  }

  if (report.postgres) {
    const pg = report.postgres;
    out.push('', '## PostgreSQL: one node and two nodes on one database', '');
    if (pg.skipped) out.push(`skipped: ${pg.skipped}`);
    else {
      out.push(
        'latchkey on a PostgreSQL cluster started by the bench (loopback, fsync off: test/helpers/postgres.ts), one',
        'node, and two nodes on one database sharing LATCHKEY_SECRET and the issuer with the load split evenly',
        '(autocannon connections / sign-in workers); a fresh SQLite latchkey runs in the same rounds as the baseline.',
        'ops/s is the combined throughput; latchkey CPU is summed over the nodes; PostgreSQL CPU is the whole',
        'cluster (postmaster and backends). "total CPU/op" = latchkey + PostgreSQL; SQLite runs in-process.',
        '',
        ...postgresTable(pg.rows),
      );
    }
  }

  out.push('', '## Targets', '', ...targetLines(report), '');
  return out.join('\n');
}
