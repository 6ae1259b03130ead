import { createServer, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { type BuildOptions, buildDeps, type Deps } from './deps.js';
import { type MetricsServer, startMetricsServer } from './http/metrics-server.js';
import { CSP, HSTS, isHttps, securityHeadersFor } from './http/security.js';
import { type MailSender, STOP_WAIT_MS, startMailSender } from './mail/sender.js';
import { type LogoutDrainer, startLogoutDrainer } from './oauth/backchannel.js';
import { start } from './start.js';

export interface RunningServer {
  deps: Deps;
  url: string;
  port: number;
  /** The back-channel logout sender (OpenID Connect Back-Channel Logout 1.0); `drainNow()` for tests. */
  logoutDrainer: LogoutDrainer;
  /** The mail outbox's sender (issue 15); `drainNow()` for tests. */
  mailSender: MailSender;
  /** The loopback port serving `/metrics` when `LATCHKEY_METRICS_PORT` is set (issue 16). */
  metricsPort?: number;
  /**
   * Shuts down gracefully: stops accepting connections and closes idle keep-alive ones, lets the requests in
   * flight finish (at most `DRAIN_MS`, then their connections are cut), stops the sweeper, the senders and
   * the checkpointer, checkpoints the WAL into the database file and closes it.
   */
  close(): Promise<void>;
}

/** How long `close()` waits for requests in flight before cutting their connections. */
export const DRAIN_MS = 10_000;

/**
 * The longest `close()` takes: the drain, or a mail delivery under way (`STOP_WAIT_MS`, so a message the SMTP
 * server is accepting is not sent twice), whichever is longer; both run at once.
 */
export const SHUTDOWN_BOUND_MS = Math.max(DRAIN_MS, STOP_WAIT_MS);

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 5_000;

/**
 * Expired rows are deleted in small batches so the file does not grow without end. The returned stop waits
 * for a sweep under way, so the store is not closed under it.
 */
function startSweeper(deps: Deps): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  const run = async () => {
    if (stopped) return;
    try {
      const { more } = await deps.store.sweep(
        deps.clock.now(),
        SWEEP_BATCH,
        deps.config.eventRetentionSeconds,
      );
      await deps.store.keys.prune(deps.clock.now());
      // Back-channel logout rows are kept a week after their end, for a look at what was sent.
      await deps.store.logoutDeliveries.prune(deps.clock.now() - 7 * 86_400, SWEEP_BATCH);
      // Mail rows are kept a week after sent or given up, for a look at what went out (bodies stay sealed).
      await deps.store.mailOutbox.prune(deps.clock.now() - 7 * 86_400, SWEEP_BATCH);
      const idle = await deps.signInThrottle.prune(SWEEP_BATCH);
      if (stopped) return;
      timer = setTimeout(tick, more || idle === SWEEP_BATCH ? 1_000 : SWEEP_EVERY_MS);
    } catch (err) {
      if (stopped) return;
      deps.log.error('sweep failed', { error: String(err) });
      timer = setTimeout(tick, SWEEP_EVERY_MS);
    }
    timer.unref();
  };
  const tick = () => {
    running = run().finally(() => {
      running = undefined;
    });
  };
  timer = setTimeout(tick, 5_000);
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

export async function startServer(config: Config, options: BuildOptions = {}): Promise<RunningServer> {
  const deps = await buildDeps(config, options);
  await start(deps);
  const app = createApp(deps);
  const stopSweeper = startSweeper(deps);
  const logoutDrainer = startLogoutDrainer(deps);
  const mailSender = startMailSender(deps);
  if (config.mail.smtpDisplay) deps.log.info('mail is sent through SMTP', { smtp: config.mail.smtpDisplay });
  else
    deps.log.warn(
      'LATCHKEY_SMTP_URL is not set: no mail is sent; each message (with its links) is written to this log instead',
    );
  if (config.trustedProxies.some((entry) => entry.endsWith('/0')))
    deps.log.warn(
      'LATCHKEY_TRUSTED_PROXIES trusts every address: any client can name the address it is throttled and audited by',
      {
        trusted_proxies: config.trustedProxies.join(','),
      },
    );
  deps.store.startBackground((message) => deps.log.warn('background checkpoint failed', { error: message }));
  // A request target that is not a URL (`GET *`) fails before the app runs: answer like the app would.
  const listener = getRequestListener(app.fetch, {
    hostname: config.host,
    errorHandler: () =>
      new Response('{"error":"invalid_request","error_description":"malformed request target"}', {
        status: 400,
        headers: {
          ...securityHeadersFor(isHttps(config)),
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
        },
      }),
  });
  let closing: Promise<void> | undefined;
  const inFlight = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    // While draining, no connection is kept alive for another request.
    if (closing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    return listener(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // The port is taken or the address is not this machine's: undo the start-up, then say why (src/cli/errors.ts).
    stopSweeper();
    await logoutDrainer.stop();
    await mailSender.stop();
    await deps.store.close();
    throw err;
  }
  // Requests Node's HTTP parser rejects never reach the app: answer them with the same headers.
  const hsts = isHttps(config) ? `Strict-Transport-Security: ${HSTS}\r\n` : '';
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = '{"error":"invalid_request","error_description":"malformed HTTP request"}';
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
        `Cache-Control: no-store\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\n` +
        `Content-Security-Policy: ${CSP}\r\n${hsts}Connection: close\r\n\r\n${body}`,
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let metricsServer: MetricsServer | undefined;
  const running: RunningServer = {
    deps,
    port,
    logoutDrainer,
    mailSender,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close: async () => {
      if (closing) return closing;
      closing = (async () => {
        // New connections are refused and idle keep-alive ones closed at once; a connection whose request is
        // in flight is closed once its response is out, not kept alive for another request.
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const res of inFlight) {
          if (!res.headersSent) res.shouldKeepAlive = false;
          res.once('close', () => server.closeIdleConnections());
        }
        const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        cut.unref();
        // The background work stops while the requests finish: a message being sent gets its own bound.
        await Promise.all([
          stopSweeper(),
          logoutDrainer.stop(),
          mailSender.stop(),
          metricsServer?.close(),
          drained,
        ]);
        clearTimeout(cut);
        await deps.store.close({ checkpoint: true });
      })();
      return closing;
    },
  };
  if (config.metrics.mode === 'port' && deps.metrics) {
    try {
      metricsServer = await startMetricsServer(deps.metrics, config.metrics.port, deps.log);
    } catch (err) {
      await running.close();
      throw err;
    }
    running.metricsPort = metricsServer.port;
  }
  return running;
}
