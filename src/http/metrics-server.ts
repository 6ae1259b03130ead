import { createServer, type Server } from 'node:http';
import type { Log } from '../log.js';
import type { Metrics } from '../metrics.js';

/** Metrics on a port of their own: always bound to the loopback address, never public by accident. */
export const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** `LATCHKEY_METRICS_PORT`: serves `GET /metrics` (and nothing else) on 127.0.0.1. */
export async function startMetricsServer(metrics: Metrics, port: number, log: Log): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    metrics.text().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        log.error('metrics collection failed', { error: String(err) });
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
