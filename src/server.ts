import { type ServerType, serve } from '@hono/node-server';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { type BuildOptions, buildDeps, type Deps } from './deps.js';

export interface RunningServer {
  deps: Deps;
  url: string;
  port: number;
  close(): Promise<void>;
}

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 5_000;

/** Expired rows are deleted in small batches so the file does not grow without end. */
function startSweeper(deps: Deps): () => void {
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    try {
      const { more } = await deps.store.sweep(deps.clock.now(), SWEEP_BATCH);
      await deps.store.keys.prune(deps.clock.now());
      timer = setTimeout(run, more ? 1_000 : SWEEP_EVERY_MS);
    } catch (err) {
      deps.log.error('sweep failed', { error: String(err) });
      timer = setTimeout(run, SWEEP_EVERY_MS);
    }
    timer.unref();
  };
  timer = setTimeout(run, 5_000);
  timer.unref();
  return () => clearTimeout(timer);
}

export async function startServer(config: Config, options: BuildOptions = {}): Promise<RunningServer> {
  const deps = await buildDeps(config, options);
  const app = createApp(deps);
  const stopSweeper = startSweeper(deps);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    deps,
    port,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopSweeper();
        server.close(() => {
          deps.store.close();
          resolve();
        });
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
