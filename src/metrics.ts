import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Counter, Histogram, Registry } from 'prom-client';
import { argon2Load } from './crypto/password.js';

/** The route label of a request no route matched: one label, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

export type SignInResult = 'success' | 'mfa_required' | 'failure' | 'throttled' | 'disabled';
export type MfaResult = 'success' | 'failure' | 'throttled';

/**
 * The Prometheus metrics of one app instance (issue 16), in a registry of their own (not prom-client's
 * global one), so that several servers in one process keep apart. Labels are bounded: a route is the
 * pattern it was registered under (`/admin/v1/users/:id`), never the path asked for; a grant type is one the
 * token endpoint serves; results are the fixed sets above. Built only when metrics are on (`LATCHKEY_METRICS`).
 */
export class Metrics {
  readonly registry: Registry;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly tokens: Counter<'grant_type'>;
  private readonly signIns: Counter<'result'>;
  private readonly mfa: Counter<'result'>;

  /**
   * `dbPath`: a SQLite file gets the file and WAL size gauges. `database`: a PostgreSQL store's pool, for
   * `pg_database_size(current_database())` at each scrape (the whole database every node shares).
   */
  constructor(dbPath: string, database?: SizedDatabase) {
    // Loaded only when metrics are on: nothing else (a CLI command, a server without them) pays for it.
    const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = createRequire(import.meta.url)(
      'prom-client',
    ) as typeof import('prom-client');
    this.registry = new Registry();
    const registers = [this.registry];
    // Process CPU and memory, heap, GC, and `nodejs_eventloop_lag_seconds` (with its percentiles).
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.tokens = new Counter({
      name: 'latchkey_tokens_issued_total',
      help: 'Token responses issued by the token endpoint, by grant type',
      labelNames: ['grant_type'],
      registers,
    });
    this.signIns = new Counter({
      name: 'latchkey_sign_ins_total',
      help: 'Password sign-ins (pages and the password grant), by result',
      labelNames: ['result'],
      registers,
    });
    this.mfa = new Counter({
      name: 'latchkey_mfa_verifications_total',
      help: 'Second-factor checks (TOTP or recovery code), by result',
      labelNames: ['result'],
      registers,
    });
    new Gauge({
      name: 'latchkey_argon2_queue_depth',
      help: 'Password hashing jobs waiting for a free argon2 worker',
      registers,
      collect() {
        this.set(argon2Load().waiting);
      },
    });
    new Gauge({
      name: 'latchkey_argon2_busy_workers',
      help: 'argon2 workers hashing or verifying a password now',
      registers,
      collect() {
        this.set(argon2Load().busy);
      },
    });
    if (database) {
      new Gauge({
        name: 'latchkey_db_size_bytes',
        help: 'Size of the PostgreSQL database (pg_database_size), shared by every node',
        registers,
        async collect() {
          // A scrape while the database does not answer reports 0 rather than failing the whole scrape.
          const bytes = await database
            .query('select pg_database_size(current_database()) as bytes')
            .then((r) => Number((r.rows[0] as { bytes?: unknown } | undefined)?.bytes ?? 0))
            .catch(() => 0);
          this.set(bytes);
        },
      });
    }
    // SQLite files only: a database URL or `:memory:` has no file to measure.
    else if (dbPath !== ':memory:' && !dbPath.includes('://')) {
      new Gauge({
        name: 'latchkey_db_size_bytes',
        help: 'Size of the SQLite database file',
        registers,
        collect() {
          this.set(fileSize(dbPath));
        },
      });
      new Gauge({
        name: 'latchkey_db_wal_size_bytes',
        help: 'Size of the SQLite write-ahead log (checkpointed in the background)',
        registers,
        collect() {
          this.set(fileSize(`${dbPath}-wal`));
        },
      });
    }
  }

  /** One answered request (`seconds`: from the first middleware to the response built). */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status });
    this.latency.observe({ method, route }, seconds);
  }

  tokenIssued(grantType: string): void {
    this.tokens.inc({ grant_type: grantType });
  }

  signIn(result: SignInResult): void {
    this.signIns.inc({ result });
  }

  mfaResult(result: MfaResult): void {
    this.mfa.inc({ result });
  }

  /** The text format a Prometheus server scrapes. */
  async text(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/** What the PostgreSQL size gauge needs of a pool (`pg.Pool`): one query. */
export interface SizedDatabase {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
