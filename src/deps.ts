import { SignInThrottle } from './auth/throttle.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { Sealer } from './crypto/seal.js';
import { jsonLog, type Log } from './log.js';
import { Metrics } from './metrics.js';
import { type GuardedOptions, openGuardedStore } from './secret.js';
import { CHANGE_REACHES_EVERY_NODE_SECONDS, isPostgresUrl } from './store/dialect.js';
import type { PostgresStore } from './store/postgres/index.js';
import type { Store } from './store/types.js';
import { AccessTokens } from './tokens/access.js';
import { KeyRing } from './tokens/keys.js';

/** Everything a handler needs, built once and passed down. */
export interface Deps {
  config: Config;
  store: Store;
  clock: Clock;
  log: Log;
  sealer: Sealer;
  keys: KeyRing;
  accessTokens: AccessTokens;
  /** Sign-in attempts per account and per address, in the database (src/auth/throttle.ts). */
  signInThrottle: SignInThrottle;
  /** The Prometheus metrics, only when they are on (`LATCHKEY_METRICS`, `LATCHKEY_METRICS_PORT`). */
  metrics?: Metrics;
}

export interface BuildOptions extends GuardedOptions {
  clock?: Clock;
  log?: Log;
  store?: Store;
}

/** Builds the dependencies and nothing else: no row is written (start-up is `start()` in src/start.ts). */
export async function buildDeps(config: Config, options: BuildOptions = {}): Promise<Deps> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? jsonLog(config.logLevel);
  const store =
    options.store ??
    (await openGuardedStore(config, {
      ...(options.readOnly ? { readOnly: true } : {}),
      ...(options.allowLocked ? { allowLocked: true } : {}),
      ...(options.mustExist ? { mustExist: true } : {}),
    }));
  const sealer = new Sealer(config.secret);
  // Several nodes (PostgreSQL): a rotated-in key signs only once every node has it (src/store/dialect.ts).
  const keys = new KeyRing(
    store,
    sealer,
    clock,
    isPostgresUrl(config.dbPath) ? CHANGE_REACHES_EVERY_NODE_SECONDS : 0,
  );
  return {
    config,
    store,
    clock,
    log,
    sealer,
    keys,
    accessTokens: new AccessTokens(config.issuer, keys, store, clock),
    signInThrottle: new SignInThrottle({ store, clock, config }),
    ...(config.metrics.mode === 'off' ? {} : { metrics: new Metrics(config.dbPath, postgresPool(store)) }),
  };
}

/** A PostgreSQL store's pool (for the database size gauge); a SQLite store has none. */
function postgresPool(store: Store): PostgresStore['cx']['pool'] | undefined {
  return 'cx' in store ? (store as PostgresStore).cx.pool : undefined;
}
