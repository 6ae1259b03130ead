import { loadConfig } from '../../config.js';
import { openGuardedStore } from '../../secret.js';
import type { Command } from '../command.js';

export const serverCommands: Record<string, Command> = {
  serve: {
    usage: 'serve',
    summary: 'migrate the database if needed and serve on $HOST:$PORT',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      // Loaded on demand: the admin commands start faster without the HTTP stack.
      const { DRAIN_MS, startServer } = await import('../../server.js');
      const server = await startServer(config);
      server.deps.log.info('latchkey listening', {
        url: server.url,
        issuer: config.issuer,
        db: config.dbPath,
      });
      if (out.json) out.result({ url: server.url, issuer: config.issuer }, '');
      const stop = () => {
        void server.close().then(() => process.exit(0));
        // close() drains for at most DRAIN_MS: past that and a little more, stop anyway.
        setTimeout(() => process.exit(0), DRAIN_MS + 2_000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => {});
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'apply pending database migrations',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      const store = openGuardedStore(config);
      await store.close();
      out.result({ migrated: true, db: config.dbPath }, `database ${config.dbPath} is up to date`);
    },
  },
};
