import { loadConfig } from '../../config.js';
import { openGuardedStore } from '../../secret.js';
import type { Command } from '../command.js';
import { shownDatabase } from '../errors.js';

export const serverCommands: Record<string, Command> = {
  serve: {
    usage: 'serve',
    summary: 'migrate the database if needed and serve on $HOST:$PORT',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      // Loaded on demand: the admin commands start faster without the HTTP stack.
      const { DRAIN_MS, SHUTDOWN_BOUND_MS, startServer } = await import('../../server.js');
      const server = await startServer(config);
      server.deps.log.info('latchkey listening', {
        url: server.url,
        issuer: config.issuer,
        db: shownDatabase(config.dbPath),
      });
      if (out.json) out.result({ url: server.url, issuer: config.issuer }, '');
      // SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C): drain, checkpoint, close, exit 0. Past the bound
      // and a little more, exit 1. A second SIGTERM while stopping is ignored (stopping is bounded); a second
      // Ctrl-C is a person who will not wait: exit 1 at once (the WAL is replayed at the next start).
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          if (signal !== 'SIGINT') return;
          server.deps.log.warn('latchkey stopped without finishing (a second Ctrl-C)');
          process.exit(1);
        }
        stopping = true;
        server.deps.log.info('latchkey stopping', { signal, drain_ms: DRAIN_MS });
        setTimeout(() => {
          server.deps.log.error('latchkey did not stop in time; exiting anyway', {
            after_ms: SHUTDOWN_BOUND_MS + 5_000,
          });
          process.exit(1);
        }, SHUTDOWN_BOUND_MS + 5_000).unref();
        server.close().then(
          () => {
            server.deps.log.info('latchkey stopped');
            process.exit(0);
          },
          (err: unknown) => {
            server.deps.log.error('latchkey did not stop cleanly', { error: String(err) });
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await new Promise(() => {});
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'apply pending database migrations',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      const store = await openGuardedStore(config);
      await store.close();
      const db = shownDatabase(config.dbPath);
      out.result({ migrated: true, db }, `database ${db} is up to date`);
    },
  },
};
