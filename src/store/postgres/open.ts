import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as s from '../../../db/schema.postgres.js';
import { postgresMigrations } from '../../paths.js';

/**
 * The PostgreSQL connection (issue 18): a bounded pool for the store's queries, the migrations under an advisory
 * lock, and the change counter behind `Store.generation` (a table bumped by writes plus LISTEN/NOTIFY). The only
 * module, with the aggregates beside it, that imports `pg`.
 */

export type PgDb = NodePgDatabase<typeof s>;
/** What `PgDb.transaction` hands its callback. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];
export type Isolation = NonNullable<PgTransactionConfig['isolationLevel']>;

/**
 * The advisory lock migrations run under, so N nodes starting together migrate once: the first 8 bytes of
 * SHA-256("latchkey:migrate") as a signed 64-bit integer. A text literal: a JavaScript number cannot hold it.
 */
export const MIGRATION_LOCK_KEY = '686345513067491753';

/** The channel a committed change is announced on (the payload is the database's new generation). */
export const CHANGES_CHANNEL = 'latchkey_changes';

export const DEFAULT_POOL_MAX = 10;

export interface PostgresOptions {
  /** Connections the pool opens at most (default `DEFAULT_POOL_MAX`); the listener's is one more. */
  poolMax?: number;
  /** Listen for other processes' changes (default true). Off, `generation()` moves only with this process's own. */
  listen?: boolean;
  /** How long a new connection may take before the query fails (default 5 s). */
  connectTimeoutMs?: number;
  /** What goes wrong off any request (an idle connection dropped, the listener lost): reported, never thrown. */
  onError?: (message: string) => void;
  /** How often the listener checks its connection and the database's counter (default 10 s; tests shorten it). */
  heartbeatMs?: number;
}

/** One pool, shared by every aggregate of a store. */
export interface PostgresContext {
  readonly pool: pg.Pool;
  readonly db: PgDb;
  /**
   * Runs `fn` in one transaction at `isolation` (default `read committed`) and commits, or rolls back on a throw.
   * A serialization failure or a deadlock (SQLSTATE 40001, 40P01) runs it again, a few times: `fn` must have no
   * effect outside the transaction.
   */
  tx<T>(fn: (tx: PgTx) => Promise<T>, isolation?: Isolation): Promise<T>;
  /**
   * Records a change every node's caches must see (clients, scopes, providers, keys): bumps `latchkey_changes`
   * and sends `NOTIFY latchkey_changes`, inside `tx` when given (sent, and counted here, only if it commits).
   */
  notifyChange(tx?: PgTx): Promise<void>;
  /** See `Store.generation`. */
  generation(): number;
  /** `select 1`; a database that does not answer throws. */
  ping(): Promise<boolean>;
  /** Ends the listener and the pool; closing again does nothing. */
  close(): Promise<void>;
}

/** Retries of a transaction that lost a serialization conflict or a deadlock. */
const TX_ATTEMPTS = 3;
const RETRYABLE = new Set(['40001', '40P01']);
const LISTEN_RETRY_MS = [250, 1_000, 5_000];
/** How often the listener checks its connection and the counter, and how long it waits for the answer. */
export const HEARTBEAT_MS = 10_000;
export const HEARTBEAT_TIMEOUT_MS = 5_000;

/** The SQLSTATE of a driver error, through drizzle's wrapping (`DrizzleQueryError.cause`). */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Applies the pending migrations of `db/migrations/postgres`, holding the migration advisory lock on one dedicated
 * connection: a node that waits for the lock then finds the journal up to date and applies nothing.
 */
export async function migratePostgres(pool: pg.Pool, migrationsFolder = postgresMigrations()): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      // Ending the session releases the lock too: a connection that cannot unlock is not given back.
      await client
        .query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY])
        .catch((err: Error) => {
          broken = err;
        });
    }
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * The local half of the change counter: one connection listening on `latchkey_changes`, counting notifications.
 * While it is down (the server restarted, the network cut), every `generation()` call is a change, so caches reload
 * rather than trust what they hold; it reconnects on its own.
 */
class ChangeListener {
  private count = 0;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The database's counter as the last heartbeat read it: a value moved without a NOTIFY heard is a change. */
  private seen: string | undefined;
  private failures = 0;
  private closed = false;
  private started = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError: (message: string) => void,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  generation(): number {
    return this.client || !this.started ? this.count : ++this.count;
  }

  /** This process's own committed change: counted now, before its notification comes back. */
  bump(): void {
    this.count++;
  }

  async start(): Promise<void> {
    this.client = await this.connect();
    this.started = true;
    this.heartbeat = setInterval(() => void this.check(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * A connection the network dropped silently (a NAT timeout, a failover behind a proxy) raises no event, and a
   * listener that hears nothing would leave every cache stale: every `HEARTBEAT_MS` the listener's own connection
   * reads the database's counter; a value that moved unheard counts as a change, no answer in time as a lost
   * connection.
   */
  private async check(): Promise<void> {
    const client = this.client;
    if (!client || this.closed) return;
    let timeout: NodeJS.Timeout | undefined;
    try {
      const read = client.query<{ generation: string }>(
        `select generation::text as generation from latchkey_changes where id = 1`,
      );
      const late = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error('no answer in time')), HEARTBEAT_TIMEOUT_MS);
      });
      const { rows } = await Promise.race([read, late]);
      const now = rows[0]?.generation ?? '0';
      if (this.seen !== undefined && now !== this.seen) this.count++;
      this.seen = now;
    } catch (err) {
      if (this.client !== client) return;
      this.onError(`change listener: ${message(err)}`);
      this.lost(client);
    } finally {
      clearTimeout(timeout);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.config, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client.on('notification', (note) => {
      if (note.channel === CHANGES_CHANNEL) this.count++;
    });
    client.on('error', (err) => {
      this.onError(`change listener: ${err.message}`);
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
      throw err;
    }
    return client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end().catch(() => {});
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed || this.timer) return;
    const delay = LISTEN_RETRY_MS[Math.min(this.failures, LISTEN_RETRY_MS.length - 1)]!;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.connect().then(
        (client) => {
          if (this.closed) {
            client.removeAllListeners();
            client.on('error', () => {});
            void client.end().catch(() => {});
            return;
          }
          this.failures = 0;
          this.client = client;
          this.count++; // whatever was committed while deaf
        },
        (err: unknown) => {
          this.failures++;
          this.onError(`change listener: reconnecting: ${message(err)}`);
          this.reconnectLater();
        },
      );
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => {});
    await client.end().catch(() => {});
  }
}

/** Bumps the database's counter and announces the new value; the NOTIFY leaves when the transaction commits. */
const bumpChanges = sql`with bumped as (
    insert into ${s.latchkeyChanges} (id, generation) values (1, 1)
    on conflict (id) do update set generation = ${s.latchkeyChanges}.generation + 1
    returning generation
  )
  select pg_notify(${CHANGES_CHANNEL}, generation::text) from bumped`;

/** Where `url` points, as an operator reads it: `host:port`, never the user or the password. */
export function postgresAddress(url: string): string {
  let host = '';
  let port = '';
  try {
    const u = new URL(url);
    host = decodeURIComponent(u.hostname);
    port = u.port;
  } catch {
    // `postgres://user:pw@/db?host=/run/postgresql` (a socket, no host part) is no WHATWG URL: the query says.
  }
  const param = (key: string) => {
    const raw = new RegExp(`[?&]${key}=([^&#]*)`).exec(url)?.[1];
    try {
      return raw ? decodeURIComponent(raw) : '';
    } catch {
      return raw ?? '';
    }
  };
  host = param('host') || host || 'localhost';
  port = param('port') || port || '5432';
  return host.startsWith('/') ? `${host} (socket), port ${port}` : `${host}:${port}`;
}

/**
 * The database did not answer the first connection (refused, no such host, a timeout, a wrong password or
 * database name): one line naming the host and port, never the URL (it may hold the password).
 * `latchkey: cannot connect to PostgreSQL at 127.0.0.1:1: connect ECONNREFUSED`.
 */
export class PostgresUnreachable extends Error {
  override readonly name = 'PostgresUnreachable';
  constructor(url: string, cause: unknown) {
    const { code, syscall } = (cause ?? {}) as { code?: unknown; syscall?: unknown };
    // Node's system errors end with the address (`connect ECONNREFUSED 127.0.0.1:1`): said once, before.
    // `localhost` tried on ::1 and 127.0.0.1 fails as an AggregateError: a code, an empty message.
    const text = message(cause)
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    const reason =
      typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)
        ? `${typeof syscall === 'string' ? `${syscall} ` : 'connect '}${code}`
        : text || String(code ?? 'no answer');
    super(`cannot connect to PostgreSQL at ${postgresAddress(url)}: ${reason}`, { cause });
  }
}

/**
 * Opens a pool on `url` (`postgres://…`) and, unless `listen` is off, the change listener; nothing is migrated
 * (`migratePostgres`). Fails when the database does not answer.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresContext> {
  const onError = options.onError ?? (() => {});
  const base: pg.ClientConfig = {
    connectionString: url,
    application_name: 'latchkey',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  };
  const pool = new pg.Pool({ ...base, max: options.poolMax ?? DEFAULT_POOL_MAX });
  // An idle connection the server drops is reported here; without a listener it would end the process.
  pool.on('error', (err) => onError(`database pool: ${err.message}`));
  const listener = new ChangeListener(base, onError, options.heartbeatMs);
  try {
    // The first connection: the listener's, or (not listening) one of the pool's, so that an unreachable
    // database fails here, in one line, rather than at the first query.
    if (options.listen !== false) await listener.start();
    else await pool.query('select 1');
  } catch (err) {
    await listener.close();
    await pool.end().catch(() => {});
    throw new PostgresUnreachable(url, err);
  }
  const db: PgDb = drizzle({ client: pool, schema: s });
  /** Transactions that called `notifyChange`: counted locally once they commit. */
  const changed = new WeakSet<PgTx>();
  let closing: Promise<void> | undefined;

  return {
    pool,
    db,
    async tx(fn, isolation = 'read committed') {
      for (let attempt = 1; ; attempt++) {
        let current: PgTx | undefined;
        try {
          const result = await db.transaction(
            (tx) => {
              current = tx;
              return fn(tx);
            },
            { isolationLevel: isolation },
          );
          if (current && changed.has(current)) listener.bump();
          return result;
        } catch (err) {
          const state = sqlState(err);
          if (attempt >= TX_ATTEMPTS || state === undefined || !RETRYABLE.has(state)) throw err;
        }
      }
    },
    async notifyChange(tx) {
      await (tx ?? db).execute(bumpChanges);
      if (tx) changed.add(tx);
      else listener.bump();
    },
    generation: () => listener.generation(),
    async ping() {
      const result = await pool.query<{ ok: number }>('select 1 as ok');
      return result.rows[0]?.ok === 1;
    },
    close() {
      closing ??= (async () => {
        await listener.close();
        await pool.end();
      })();
      return closing;
    },
  };
}
